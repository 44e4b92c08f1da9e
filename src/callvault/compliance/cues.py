"""The phrasings that signal consent and disclosure events, as regular expressions.

Patterns run over ``normalise(text)``: lower case, punctuation turned into
spaces *in place* (same length), so a match's offsets are offsets into the
turn's own text and map back to words and audio times. ASR output varies
("don't" / "dont" / "do not"), so the shared fragments below allow each form.
Each cue has a name; events record it in ``why`` so an officer sees what matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEEP = re.compile(r"[^a-z0-9' ]")


def normalise(text: str) -> str:
    """Lower case with every other character a space; same length as ``text`` when it can be."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few Unicode letters change length when lowered
        lowered = "".join(c.lower()[:1] or " " for c in text)
    return _KEEP.sub(" ", lowered.replace("\n", " "))


@dataclass(frozen=True)
class Cue:
    name: str
    pattern: re.Pattern

    def search(self, text: str) -> re.Match | None:
        return self.pattern.search(text)


def cues(**patterns: str) -> tuple[Cue, ...]:
    return tuple(Cue(name, re.compile(p.replace(" ", r"\s+").replace("_", " "))) for name, p in patterns.items())


def first(found: tuple[Cue, ...], text: str) -> tuple[Cue, re.Match] | None:
    for cue in found:
        match = cue.search(text)
        if match:
            return cue, match
    return None


def any_of(found: tuple[Cue, ...], text: str) -> bool:
    return first(found, text) is not None


# Shared fragments. A space in a pattern means one or more spaces (see ``cues``).
DONT = r"(?:don'?t|do not|dont)"
WONT = r"(?:won'?t|will not|wont|doesn'?t|does not|shouldn'?t|should not)"
YOU_ARE = r"(?:you'?re|you are|youre)"
I_WILL = r"(?:i'?ll|i will|we'?ll|we will|ill)"
REQUEST = (
    r"(?:what(?:'s| is| was)?|whats|can you|could you|would you|will you|may i|can i|could i|(?:i|we)(?:'d|'ll| would| will)? need|"
    r"please|verify|confirm|tell me|give me|read me|read off|read out|provide|say|key in|enter|do you have|do you know|try)"
)

# --- recording ---------------------------------------------------------------
REC_DISCLOSURE = cues(
    call_may_be_recorded=r"\b(?:this|the|your|our|all|these|my) (?:call|calls|conversation|conversations|line)(?:'s| is| are| may| might| will| can| could)(?: be| being| also be| also)?(?: being)? (?:monitored|recorded|taped)",
    recorded_line=r"\b(?:on|from|over|using) an? (?:recorded|monitored) line\b",
    part_recorded=r"\b(?:this|the) (?:part|portion|rest) of (?:the|this|our) (?:call|conversation)(?:'s| is| will be| may be)(?: also)? (?:recorded|monitored)",
    calls_recorded=r"\b(?:calls|call|conversations)(?: (?:to|with|on|from|at) \w+(?: \w+)?)? (?:are|is|may be|might be|will be|can be) (?:being )?(?:recorded|monitored)",
    we_record=r"\bwe (?:record|monitor) (?:all|every|our|these) (?:calls|call|conversations)",
    monitored_or_recorded=r"\b(?:monitored|recorded) (?:and|or|and or) (?:monitored|recorded)\b",
    recording_this_call=r"\b(?:i'?m|i am|we'?re|we are|im) (?:also )?recording (?:this|the|our|you)\b",
    is_being_recorded=r"\b(?:this|the) (?:call|conversation|line) is being recorded",
)
REC_CONSENT_QUESTION = cues(  # a disclosure that asks for a yes: "..., is that okay?"
    is_that_ok=r"^.{0,40}\b(?:is that|is it|that|are you) (?:ok|okay|alright|all right|fine)\b",
    consent=r"^.{0,40}\bdo you (?:consent|agree|mind)\b",
)
REC_NEGATED = cues(
    negated=r"\b(?:not|isn'?t|aren'?t|never|stop|stopped|stopping|paus\w*|turn(?:ed)? off|off|no longer)\b",
)
RECORDING_OBJECTION = cues(
    dont_want_recorded=DONT + r" (?:want|wanna|like) (?:to be |be |being |this |that |it |the call |this call |my call |any of (?:this|that) )?(?:recorded|taped|monitored)",
    no_recording=r"\bno (?:recording|recordings|taping)\b",
    dont_record=DONT + r" record (?:me|this|the call|us|it|my)",
    please_stop_recording=r"\b(?:stop|turn off|end|shut off|switch off) (?:the |that |this )?record(?:ing|er)",
    recording_off=r"\b(?:turn|shut|switch) (?:the |that |this )?record(?:ing|er)(?: \w+)? off\b",
    no_consent=r"\bi (?:do not|don'?t|dont) (?:consent|agree) to (?:being |be |the |this )?(?:recorded|recording)",
    object_recording=r"\bi object to (?:being |the |this )?(?:recorded|recording)",
    rather_not_recorded=r"\brather (?:not be|you not|you didn'?t) (?:be )?record",
    not_ok_recorded=r"\bnot (?:ok|okay|comfortable|fine|alright) (?:with )?(?:being |this being |the call being )?(?:recorded|recording)",
)
OBJECTION_AFTER_DISCLOSURE = cues(  # only read within a few turns of a disclosure
    turn_it_off=r"\b(?:turn|shut|switch) (?:that|it|this)(?: \w+)? off\b|\b(?:turn|shut|switch) off (?:that|it|this)\b",
)
RECORDING_STOPPED = cues(
    stopped=r"\b(?:i'?ve|i have|we'?ve|we have|i|we) (?:just )?(?:stopped|paused|turned off|switched off|ended) (?:the )?recording",
    recording_off=r"\b(?:the )?recording(?:'s| is| has been) (?:now )?(?:off|paused|stopped|turned off|switched off)\b",
    switched_off=r"\b(?:turned|switched|shut|stopped|paused) (?:the |that |this )?recording (?:off|now)\b",
    will_stop=r"\b(?:i'?ll|i will|i'?m|i am|let me) (?:go ahead and )?(?:pause|pausing|stop|stopping|turn off|turning off|switch off) (?:the |that )?recording",
    end_call=r"\b(?:end|disconnect|terminate) (?:the|this) call\b",
)

# --- CPNI one-time notice (64.2008(f)) ---------------------------------------
CPNI_OBJECT = cues(
    account_info=r"\b(?:account|plan|billing|usage|calling|call|customer) (?:info|information|details|data|records|history)",
    your_info=r"\byour (?:info|information|account|usage|records|data|calling history|call history|plan)\b",
    cpni=r"\b(?:cpni|customer proprietary network information|proprietary network information)",
    that_info=r"\b(?:that|this|such) (?:info|information|data)\b",
    what_you_use=r"\b(?:how (?:much|many|you)|which|what) (?:\w+ ){0,2}you(?:'re| are)? (?:use|using|call|paying|on)\b",
)
NOTICE_ELEMENTS = {
    "N1": cues(
        right_duty=r"\b(?:right|duty|obligation|obligated|required by (?:federal )?law|federal law)\b.{0,80}\b(?:protect\w*|confidential\w*|privacy|private)",
        protect_right=r"\b(?:protect\w*|confidential\w*)\b.{0,60}\b(?:your right|our duty|federal law|required by law)",
    ),
    "N2": cues(
        this_call_only=r"\b(?:only|just|solely)\b(?: \w+){0,3} (?:for|during|on|in) (?:this|today'?s|the) (?:call|conversation)",
        call_only=r"\b(?:for|during|on) (?:this|today'?s) (?:call|conversation) only\b",
        for_this_call=r"\b(?:for|during) (?:this|today'?s) (?:call|conversation)\b",
        duration=r"\bfor (?:the duration|the rest|the length) of (?:this|the|our) (?:call|conversation)",
        one_time=r"\b(?:one time|onetime) (?:use|only|basis)",
    ),
    "N3": cues(
        purpose=r"\bto (?:suggest|recommend|offer|find|look for|see if|tell you about|show you|check for|review|tailor|put together|bundle|build|price|quote|pick|choose)\b.{0,40}\b(?:plan|plans|offer|offers|option|options|service|services|deal|deals|product|products|better|cheaper|save|savings|upgrade|discount|discounts|promotion|promotions|bundle|bundles|them|things|price|package|add on|one|recommendation|structure|fit)\b",
        for_building=r"\bfor (?:putting|building|making|finding|pricing) (?:\w+ )?(?:a |an |the )?(?:bundle|offer|plan|deal|package|quote)",
        better_plan=r"\b(?:better|cheaper|right) (?:plan|deal|option|fit|package|bundle)",
        see_if=r"\b(?:see|check) (?:if|whether) (?:[\w']+ ){0,4}(?:plan|deal|option|offer|save|savings|cheaper|better|upgrade|package|bundle)",
        so_i_can=r"\bso (?:i|we) can (?:suggest|recommend|offer|find|see|check|show)",
    ),
    "N4": cues(
        may_refuse=r"\b(?:you can|you may|you'?re free to|you are free to|feel free to|it'?s ok to|it is okay to|you have the right to) (?:say no|decline|refuse|deny|withdraw|opt out)",
        no_effect=r"\b(?:saying no|declining|refusing|your (?:answer|choice|decision)|denying)\b.{0,30}\b" + WONT + r" (?:affect|change|impact)",
        wont_affect_service=WONT + r" (?:affect|change|impact) (?:your )?(?:service|account)",
        not_affected=r"\b(?:service|account)\b(?: \w+){0,2} (?:won'?t|will not|wouldn'?t|would not) be (?:affected|changed|impacted)",
        no_effect_on=r"\b(?:no|without any|without an?) (?:effect|impact|change) (?:on|to) (?:your )?(?:service|account)",
    ),
    "N5": cues(
        # The subject may be lost: small ASR models drop a short "I" ("may use it for this call only").
        may_i_use=r"(?<!\byou_)(?<!\bthey_)(?<!\bhe_)(?<!\bshe_)(?<!\bwho_)(?<!\bit_)\b(?:may|can|could) (?:i |we )?(?:use|access|review|look|check|pull up|go over|go through|open|see|view|take a look|have a look|go ahead|proceed)\b",
        mind_if=r"\b(?:mind if|ok if|okay if|alright if|all right if|be (?:ok|okay|alright|all right) if) (?:i|we) (?:\w+ ){0,2}(?:use|access|review|look|check|pull|go|open|see|view|take|have)\b",
        want_me_to=r"\b(?:do you want|would you like|want) me to (?:\w+ )?(?:use|access|review|look|check|pull|go|open|see|take)\b|\b(?:do you want|would you like) me to\s*$",
        permission=r"\b(?:do i|do we|have i|can i get|may i have) (?:have )?your (?:permission|ok|okay|consent|approval)",
        with_your_ok=r"\bwith your (?:ok|okay|permission|consent|approval)\b",
        is_that_ok=r"\b(?:is that|would that be|are you) (?:ok|okay|alright|all right|fine)(?: with (?:that|you))?\s*$",
        ok_to=r"\b(?:ok|okay|alright|all right|fine)(?: with you| with that| to (?:look|proceed|go ahead|continue|check|do that|use it|review|take a look))\s*$",
        alright_q=r"\b(?:alright|all right|ok|okay|that cool|cool)\s*$",
    ),
    "N6": cues(
        recipient=r"\b(?:share|shared|disclose|disclosed|give|provide)\b.{0,40}\b(?:with|to) (?:our |an |a |the )?(?:affiliates?|partners?|agents?|third part\w*|vendors?|sister compan\w*)",
    ),
}

# --- authentication (64.2010(b)) --------------------------------------------
SECRET_WORDS = r"(?:passcode|pass code|password|pass word|pin|pin number|pin code|security word|secret word|code word|verbal password|security code on the account|security question|security answer|challenge question|secret question)"
AUTH_PROMPT = cues(
    secret_prompt=REQUEST + r"\b.{0,50}\b" + SECRET_WORDS + r"\b",
    secret_first=r"\b" + SECRET_WORDS + r"\b.{0,20}\b(?:please|for me|on the account please)",
    and_the_secret=r"^\s*(?:(?:ok|okay|and|also|plus|great|thanks) )*(?:the |your )?(?:account |four digit |4 digit )?" + SECRET_WORDS + r"\s*$",
)
AUTH_NOT_A_PROMPT = cues(
    reset=r"\b(?:reset|set|change|changed|update|updated|create|set up|setting up|voicemail|forgot your|new)\b.{0,12}\b" + SECRET_WORDS,
    done=r"\b" + SECRET_WORDS + r" (?:has been|is|was|were) (?:verified|confirmed|accepted|updated|changed|reset|set)\b",
    again=r"\b" + SECRET_WORDS + r" again\b",
    never_ask=r"\b(?:never|won'?t|will not|don'?t|do not|can'?t|cannot) (?:ask|give|share|tell)",
)
NONCOMPLIANT_PROMPT = cues(
    social=REQUEST + r"\b.{0,40}\b(?:social|ssn|social security)",
    birth=REQUEST + r"\b.{0,40}\b(?:date of birth|birth date|birthdate|birthday|born)",
    maiden=r"\bmaiden name",
    address=REQUEST + r"\b.{0,40}\b(?:home address|billing address|address on (?:the|your) account|address on file|zip code|street address|your address)",
    account_number=REQUEST + r"\b.{0,40}\b(?:account number|account no|last four of (?:the|your) account)",
    bill_amount=REQUEST + r"\b.{0,40}\b(?:bill amount|amount of your (?:last )?bill|last bill|last payment|last statement|balance)",
)
NONCOMPLIANT_NOT_A_PROMPT = cues(  # "I can't verify with a birthday", "no birthdays", a credit check
    negated=r"\b(?:can'?t|cannot|not able to|unable to|won'?t|don'?t|never) (?:\w+ ){0,2}(?:verify|use|accept|take|ask|do)\b|\bno (?:birthdays?|socials?|dates? of birth|parts? of)\b",
    credit=r"\bcredit (?:check|application|approval)",
)
VERIFY_CONTEXT = cues(
    verify=r"\b(?:verify|verifying|verification|confirm your identity|authenticate|identify you|security|make sure it'?s you|pull up your account|before (?:we|i) (?:discuss|go|talk|get|look))",
)
AUTH_OK = cues(
    verified=r"\b(?:" + YOU_ARE + r"|you'?ve been|you have been|that'?s|thats|that is|you'?re now|all) (?:all )?(?:verified|authenticated|confirmed|set)\b",
    matches=r"\b(?:that|it) (?:matches|checks out|is correct|is right)\b|\bthat'?s (?:correct|right)\b|\bthats (?:correct|right)\b",
    thanks_verifying=r"\bthank(?:s| you) for (?:verifying|confirming)",
    a_match=r"\b(?:that'?s|thats|that is|it'?s|we have) an? match\b|\bthat works\b",
)
AUTH_BAD = cues(
    no_match=r"\b(?:doesn'?t|does not|didn'?t|did not|doesnt) (?:match|work|check out)",
    not_right=r"\b(?:that'?s|that is|thats|it'?s|it is) (?:not (?:right|correct|it|what)|incorrect|wrong)",
    not_on_file=r"\b(?:isn'?t|is not|not) (?:what|the one|the (?:passcode|password|pin)) (?:we|i) have\b",
    cannot_verify=r"\b(?:unable|not able|can'?t|cannot|couldn'?t|could not|won'?t be able) (?:to )?(?:verify|authenticate|confirm|validate)",
    not_it=r"\b(?:that'?s|thats|that is|it'?s|it is) not (?:quite )?(?:it|matching|a match)\b|\bnot (?:matching|a match)\b",
    cant_release=r"\b(?:can'?t|cannot|not able to|unable to) (?:read|give|share|go over|go into|go through|release|discuss|access)\b.{0,30}\b(?:calls?|records|details|account|log)\b",
    neither=r"\b(?:neither|none) of (?:those|them|these|the \w+) (?:match|matches|work|works|is right|are right)",
    without_secret=r"\bwithout (?:the |a |your )?(?:" + SECRET_WORDS + r"|verification)\b(?: \w+){0,6} (?:can'?t|cannot|not able|unable|won'?t be able)",
)
CUSTOMER_NO_SECRET = cues(
    dont_have=r"\bi " + DONT + r" (?:think i |believe i )?(?:have|know|remember|recall)\b(?! (?:what|why|who|where|when|how|if|about)\b)",
    forgot=r"\b(?:i forgot|forgot it|i can'?t remember|no idea|never set (?:one|it|that) up|there isn'?t one|i never made one)",
)
POLITE_ACK = cues(
    ack=r"^\s*(?:thank you|thanks|great|perfect|got it|wonderful|excellent|alright thank)\b",
)

# --- alternative delivery (64.2010(b)) ----------------------------------------
OF_RECORD = r"(?:on file|of record|on (?:the|your) account|we have (?:on file|for you)|listed on (?:the|your) account|on record|registered)"
ALT_DELIVERY = cues(
    send_to_record=r"\b(?:mail|send|email|e mail|text|post)\b.{0,50}\b(?:address|email|e mail|number)\b.{0,15}" + OF_RECORD,
    call_back_record=r"\bcall (?:you )?(?:right )?back\b.{0,40}\b(?:number|phone)\b.{0,15}" + OF_RECORD,
    record_address=r"\b(?:mail|send|email|e mail|post)\b.{0,60}\b(?:billing|mailing|home|service) address\b",
    do_callback=r"\b(?:do|offer|set up|schedule|arrange) (?:a |the )?call\s*back\b|\bcall\s*back (?:to|at|on) (?:the|your) (?:main |primary |home )?(?:number|line)",
    address_of_record=r"\b(?:mail|send|email)\b.{0,30}\b(?:address|number) of record",
)

# --- marketing (64.2007(b)) -----------------------------------------------------
MARKETING_QUESTION = cues(
    offers=r"\b(?:partner|special|promotional|tailored|personalized|personalised|exclusive|marketing|future|new) (?:text )?(?:offers|promotions|deals|messages|calls|emails|texts)",
    hear_offers=r"\b(?:hear|learn|know|get|receive|keep getting|keep receiving|continue receiving|continue getting) (?:about )?(?:our |any |some )?(?:offers|promotions|deals|promotional)",
    marketing=r"\bfor (?:marketing|promotional|advertising) purposes",
    send_offers=r"\b(?:text|email|e mail|send|mail|call) you (?:\w+ )?(?:offers|deals|promotions|specials|coupons)\b",
    deals_program=r"\b(?:deals|offers|rewards|promotions?|specials) (?:program|list|club|newsletter)\b",
)
MARKETING_CONFIRMED = cues(  # the agent confirming an opt-out already made, not asking
    noted=r"\b(?:i'?ve|i have|we'?ve|i|we) (?:noted|removed|opted|taken|flagged|updated)\b|\byou won'?t (?:get|receive|hear)",
)
MARKETING_INVERTED = cues(
    stop=r"\b(?:stop|unsubscribe|remove you|take you off|opt you out|no longer)",
)
MARKETING_VOLUNTEER_OUT = cues(
    take_me_off_calls=r"\b(?:take|remove) me off (?:\w+ ){0,4}(?:promo\w*|marketing|sales|offers?|mailings?)",
    take_me_off=r"\b(?:take|remove|put) me (?:off|from|on) (?:your|the|this|that)? ?(?:do not call |calling |mailing |marketing |call )?list",
    stop_calling=r"\bstop (?:calling|texting|emailing|sending)(?: me)?\b.{0,30}\b(?:offers|promotions|deals|ads|advertising|marketing|sales)",
    no_more=r"\bno more (?:promotional|marketing|sales|advertising) ",
    unsubscribe=r"\bunsubscribe me\b|\bopt me out\b",
    dont_contact=DONT + r" (?:call|contact|text|email) me (?:with|about) (?:offers|promotions|deals|sales|them|those|that)",
)
CPNI_REVOKED = cues(  # the customer takes back a yes to using the account data
    dont_want_you=DONT + r" want you (?:to )?(?:go|going|look|looking|use|using|check|checking|access|accessing|review|reviewing|pull|pulling|dig|digging)\b",
    stop_looking=r"\b(?:stop|quit) (?:going through|looking at|looking through|using|checking|pulling up) my\b",
)
MARKETING_VOLUNTEER_IN = cues(
    sign_me_up=r"\bsign me up for (?:the |your |any )?(?:offers|promotions|deals|newsletter|specials)",
)
MARKETING_PITCH = cues(
    pitch=r"\b(?:upgrade|switch(?:ing)? (?:you )?to|save (?:you )?(?:money|\w+ dollars)|deal|promotion|special offer|add on|add an?|you(?:'d| would) (?:save|benefit|be better off)|recommend|i can offer|we have an? (?:offer|plan|deal))\b",
)

# --- account changes (64.2010(f)) -----------------------------------------------
CHANGE_SUBJECT = r"(?:password|passcode|pass code|pin|security question|backup question|security answer|address of record|mailing address|billing address|address|online (?:account|login|access)|login|email address|email|e mail)"
ACCOUNT_CHANGE = cues(
    set_as=r"\b(?:is|has been|was) (?:now )?(?:set|saved) as (?:your|the) (?:new )?" + CHANGE_SUBJECT,
    subject_changed=r"\b" + CHANGE_SUBJECT + r" (?:has been |have been |was |is |is now |were )?(?:updated|changed|reset|saved|set up|created|added)\b(?! (?:email|link|request|code|form|instructions|page)\b)",
    changed_subject=r"\b(?:i'?ve|i have|we'?ve|we have|i|i just|we just) (?:updated|changed|reset|saved|set up|created|added) (?:your |the |a )?(?:new )?" + CHANGE_SUBJECT,
    verb_subject=r"\b(?:unlocked|updated|changed|reset|saved|set up|created|added) (?:\w+ )?(?:and )?(?:updated |changed |reset )?(?:your |the |a )?(?:new )?" + CHANGE_SUBJECT + r"\b(?! (?:email|link|request|code|form|instructions|page)\b)",
    been_updated_as=r"\b(?:that|it|this)(?:'s| has| is) (?:been |now )?(?:updated|changed|saved|set)\b.{0,30}\b" + CHANGE_SUBJECT,
    is_now=r"\b(?:password|passcode|pass code|pin) is now\b",
    new_subject_saved=r"\bnew " + CHANGE_SUBJECT + r"\b.{0,20}\b(?:saved|on file|updated|set|active)",
)
ACCOUNT_CHANGE_EXCLUDE = cues(
    voicemail=r"\bvoicemail\b",
    question=r"\b(?:would you like|do you want|can i|should i|shall i|want me to|if you want|did you|have you|when you)\b",
    modal=r"\b(?:can|could|will|'ll|to|maybe|should|might|please)\b",
    told=r"\b(?:letting you know|let you know|notif\w*|notice|saying|to tell you|alert)\b",
)
CHANGE_NOTICE = cues(
    message_about_change=r"\b(?:send|sending|sent|get|getting|receive|mail|mailing|go|goes|see|be)\b.{0,30}\b(?:notice|notification|text|letter|email|e mail|message|alert|confirmation)\b.{0,80}\b(?:change|changes|changed|update|updated|reset)\b",
    notice_to_record=r"\b(?:notice|notification|alert)\b.{0,60}\b(?:number|address|email|e mail)\b.{0,15}" + OF_RECORD,
)
ALT_DELIVERY_EXCLUDE = cues(  # a message about an account change is the 64.2010(f) notice, not a delivery
    change=r"\b(?:change|changes|changed|update|updated|notification|notice|alert|letting you know)\b",
    one_time_code=r"\bcode\b",  # a verification code sent to the phone is not the records
    past=r"\b(?:we said|you said|i said|told you|promised|as agreed)\b",
)

# --- answers ------------------------------------------------------------------
ANSWER_NOT_NEGATIVE = cues(  # phrases with "no"/"not" that affirm; removed before looking for negation
    no_problem=r"\b(?:no problem|no worries|no issue|not a problem|i " + DONT + r" mind|why not|no objection|of course not)\b",
)
ANSWER_AFFIRM = cues(
    yes=r"\b(?:yes|yeah|yep|yup|yah|ya|sure|certainly|absolutely|definitely|of course|okay|ok|alright|all right|fine|go ahead|go for it|please do|that'?s fine|that'?s ok|sounds good|sign me up|i agree|i consent|you may|you can|do it|i do)\b",
    no_problem=ANSWER_NOT_NEGATIVE[0].pattern.pattern,
)
ANSWER_NEGATIVE = cues(
    no=r"\b(?:no|nope|nah|not really|absolutely not|definitely not|no thanks|no thank you|never)\b",
    refuse=r"\b(?:" + DONT + r"|rather not|rather you didn'?t|i decline|i refuse|i object|not interested|not okay|not ok|i " + DONT + r" want|take me off|remove me|stop)\b",
)
ANSWER_STRONG_NEGATIVE = cues(
    refuse=r"\b(?:" + DONT + r" (?:use|look|access|share|want|do|record|call|check)|rather not|rather you didn'?t|i decline|i refuse|no thank you|no thanks|not interested|take me off|remove me)\b",
)
ANSWER_HEDGE = cues(
    hedge=r"\b(?:i guess|i suppose|maybe|perhaps|probably|i think so|whatever|not sure|i'?m not sure|im not sure|depends|it depends|only if|if it|if you|i " + DONT + r" know|dunno|i " + DONT + r" care|kind of|sort of|possibly|who knows|if i have to|i have no idea)\b",
)
QUESTION_BACK = cues(
    wh=r"(?:^|\b)(?:what|why|which|how|who|where|when)\b.{0,40}\b(?:would|will|do|does|did|is|are|can|could|you|that|mean|it|look|use)\b",
    aux=r"^\s*(?:(?:yes|yeah|ok|okay|sure|um|uh|so|well)\s+)?(?:do you|does it|does that|is it|is that|will it|will you|would it|would you|can you|are you|what)\b",
)

# --- the agent went ahead after an answer (R8) ---------------------------------
PROCEEDS = cues(
    proceeds=r"^\s*(?:(?:ok|okay|alright|so)\s+)?(?:great|perfect|wonderful|excellent|awesome|fantastic)\b",
    takes_as_yes=r"\b(?:i'?ll take that as a yes|taking that as a yes|i'?ll go ahead|let me (?:pull|look|check|go through|open)|looking at your|i see (?:that )?you|i'?ll sign you up|you'?re (?:all )?signed up|i'?ve (?:added|signed|opted))\b",
)
