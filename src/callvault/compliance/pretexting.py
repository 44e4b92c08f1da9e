"""R16, likely pretexting: call detail or CPNI disclosed without authentication to a caller
who shows signs of not being the account holder (47 CFR 64.2011; docs/CPNI.md R16).

R16 fails when R1 or R3 failed *and* the call holds an identity signal:

- the caller speaks as a third party: a relation to the holder ("his wife",
  "her assistant", "my dad's line"), calling for or on behalf of someone,
  not the holder or not on the account, an organisation claiming the data,
  the holder absent;
- authentication failed and disclosure followed;
- the agent overrode a failed or non-compliant check;
- several failed attempts;
- supporting only (never enough alone, a holder does the same): the caller
  asks for someone's call records or about a specific number or time; a
  check was started and left unanswered before the disclosure.

The signals are a grammar, not a phrase list: spaCy ``Matcher`` token patterns
over closed word classes (relations, possessives, forms of "be", record nouns),
so "I'm her stepfather", "calling for my roommate" and "im his wife" all match
the same pattern. Only spaCy's tokenizer is used (a blank English pipeline),
so no model loads and the check costs milliseconds. A fail is a breach
candidate: the catalog opens an incident for it (``callvault.catalog.incidents``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from callvault.models.compliance import Evidence, RuleResult

if TYPE_CHECKING:  # the rule engine's Call; imported lazily to keep rules.py the only importer
    from callvault.compliance.rules import Call

CALL_DETAIL = ("CALL_NUMBER", "CALL_TIME", "CALL_DURATION", "CALL_LOCATION")
BREACH_CANDIDATE = "breach candidate (47 CFR 64.2011)"
# Any one of these with R1/R3 failed makes R16 fail. A records request and a
# skipped check are supporting evidence only: a holder asking about their own
# calls before the agent finished the check looks the same.
STRONG = frozenset({
    "third_party", "not_holder", "organisation", "holder_absent", "override", "repeated_failures", "failed_then_disclosed",
})

# --- closed word classes ------------------------------------------------------
_RELATION_WORDS = (
    "wife husband spouse partner fiance fiancee boyfriend girlfriend ex "
    "mother mom mum mommy father dad daddy parent stepmother stepfather stepmom stepdad "
    "son daughter child kid stepson stepdaughter brother sister sibling "
    "grandmother grandma grandfather grandpa grandson granddaughter aunt uncle niece nephew cousin "
    "roommate housemate friend neighbor neighbour girlfriend landlord tenant "
    "boss employer employee manager supervisor assistant secretary coworker colleague "
    "attorney lawyer accountant caregiver caretaker guardian nurse executor widow widower"
).split()
# Spoken transcripts drop the apostrophe: "husbands phone" is "husband's phone".
RELATIONS = tuple(sorted({*_RELATION_WORDS, *(w + "s" for w in _RELATION_WORDS)}))
_BE = ["am", "'m", "m", "is", "'s", "s", "are", "'re", "re", "was", "were"]
_I = ["i", "we"]
_THIRD = ["he", "she", "they", "him", "her", "them"]
_THEIR = ["his", "her", "their"]
_OWNED = (
    "phone line cell mobile account number calls call records record bill plan texts log history "
    "statement usage service device minutes activity"
).split()
_RECORD_NOUNS = "calls call texts records record log logs history list statement activity".split()
_CALL_VERBS = "calling called call calls texting texted text talking talked talk receive received receiving get got getting dial dialed dialing".split()
_HOLDER = "holder owner subscriber primary authorized authorised listed name user".split()
_ORG_UNITS = "department dept division unit office bureau agency precinct branch desk team".split()
_ORG_NAMES = "police sheriff fbi bank firm court insurer insurance investigations investigator".split()
_TITLES = "officer detective investigator sergeant deputy agent inspector".split()
_ABSENT = "available here around home reachable".split()
_AWAY = "traveling travelling away overseas abroad deployed unavailable hospitalized busy working".split()
_NO = ["no", "nope", "nah", "not", "well", "um", "uh", "actually"]
_OVERRIDE_OK = "fine okay ok alright problem worries".split()
_SECRETS = "passcode password pin code".split()


def _l(words: Iterable[str], op: str | None = None) -> dict[str, Any]:
    token: dict[str, Any] = {"LOWER": {"IN": list(words)}}
    if op:
        token["OP"] = op
    return token


_ANY = {"IS_PUNCT": False, "OP": "?"}
# Up to three words that are not something the caller received: "a call from my bank" is no claim to be the bank.
_NOT_SOMETHING_RECEIVED = {
    "IS_PUNCT": False, "OP": "{0,3}",
    "LOWER": {"NOT_IN": ["call", "calls", "text", "texts", "message", "letter", "email", "mail", "charge", "bill", "got", "get", "received", "notice"]},
}
_POSS = _l(["'s", "s", "’s"], "?")

# Customer-side patterns, each a kind of identity signal.
CUSTOMER_PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "third_party": [
        # "my husband's phone", "our daughters line", "my boss's account"
        [_l(["my", "our"]), _ANY, _l(RELATIONS), _POSS, _l(["cell", "mobile", "work", "home", "phone"], "?"), _l(_OWNED)],
        # "my wife asked me to call", "my boss wants me to check"
        [_l(["my", "our"]), _l(RELATIONS), _l(["asked", "wants", "wanted", "told", "sent", "needs", "needed", "had"]), _l(["me", "us"])],
        # "my mom is the account holder", "my father's the owner"
        [_l(["my", "our"]), _l(RELATIONS), _l(_BE), _l(["the"]), _l(["account", "line"], "?"), _l(_HOLDER)],
        # "I work for the account holder", "I work for doctor ..."
        [_l(_I), _l(["work", "works", "worked"]), _l(["for"]), _l(["him", "her", "them", "the", "mr", "mrs", "ms", "dr", "doctor"])],
        # "I have power of attorney for her"
        [_l(["power"]), _l(["of"]), _l(["attorney"])],
        # "he doesn't know I'm calling", "she does not know that I called"
        [_l(["he", "she", "they"]), _l(["does", "do", "did", "doesn't", "don't", "didn't"]), _l(["not", "n't", "nt"], "?"), _l(["know"]), _l(["i", "that", "i'm", "im"])],
        # "I'm his wife", "im her personal assistant", "this is their son"
        [_l([*_I, "this"]), _l(_BE), _l(_THEIR), _ANY, _l(RELATIONS)],
        # "I'm the executive assistant to ...", "I am a friend of ..."
        [_l(_I), _l(_BE), _l(["the", "a", "an"]), _ANY, _ANY, _l(RELATIONS), _l(["to", "of", "for"])],
        # "I'm the account holder's wife"
        [_l(_I), _l(_BE), _l(["the"]), _l(["account", "line"]), _l(_HOLDER), _POSS, _l(RELATIONS)],
        # "calling for my wife", "calling about my son", "asking for my boss"
        [_l(["calling", "call", "phoning", "asking", "here", "checking"]), _l(["for", "about", "on"]), _l(["my", "our", *_THEIR]), _l(RELATIONS)],
        # "on behalf of", "on his behalf"
        [_l(["on"]), _l(["behalf"]), _l(["of"])],
        [_l(["on"]), _l([*_THEIR, "my"]), _ANY, _POSS, _l(["behalf"])],
    ],
    "not_holder": [
        # "I'm not the account holder", "I am not on the account", "im not listed"
        [_l(_I), _l(_BE), _l(["not", "n't", "nt"]), {"OP": "{0,3}", "IS_PUNCT": False}, _l([*_HOLDER, "account"])],
        # "it's not my account", "the account isn't mine"
        [_l(["it", "this", "that"]), _l(_BE), _l(["not", "n't", "nt"]), _l(["my", "mine"]), _l(["account", "line", "phone", "number"], "?")],
        # "the account's under his name", "it's in her name", "the line is in my father's name"
        [_l(["account", "line", "it", "phone", "number", "plan"]), _l(_BE), _l(["in", "under"]), _l([*_THEIR, "my", "our"]), _ANY, _POSS, _l(["name"])],
        # "the account belongs to my father", "the line belongs to him"
        [_l(["account", "line", "phone", "number", "it"]), _l(["belongs", "belong", "belonged"]), _l(["to"]), _l(["my", "his", "her", "their", "him", "them", "the"])],
        # "his name is on the account"
        [_l(_THEIR), _l(["name"]), _l(_BE), _l(["on"]), _l(["the", "that"]), _l(["account", "line"])],
    ],
    "organisation": [
        # "I'm with the fraud department at ...", "calling from the sheriff's office", "this is Ann with a bank"
        [_l(["calling", "'m", "am", "m", "are", "'re", "re", "is", "'s", "here"]), _NOT_SOMETHING_RECEIVED, _l(["with", "from"]),
         _l(["the", "our", "a"], "?"), _NOT_SOMETHING_RECEIVED, _l([*_ORG_UNITS, *_ORG_NAMES])],
        # "this is officer ...", "I'm detective ..."
        [_l(["this", "i", "my"]), _l([*_BE, "name"]), _l(["is", "'s"], "?"), _l(_TITLES), {"IS_ALPHA": True}],
    ],
    "holder_absent": [
        # "he's not available", "they're not here", "the customer is not on the line"
        [_l([*_THIRD, "customer", "holder", "subscriber", *RELATIONS]), _l(_BE), _l(["not", "n't", "nt"]), _l(_ABSENT)],
        [_l([*_THIRD, "customer", "holder", "subscriber", *RELATIONS]), _l(_BE), _l(["not", "n't", "nt"]), _l(["on", "with"]), _l(["the", "me", "us"]), _l(["line", "phone", "call"], "?")],
        # "he's traveling", "she is overseas"
        [_l(["he", "she", "they"]), _l(_BE), _l(["currently", "out", "still"], "?"), _l(_AWAY)],
    ],
    "records_request": [
        # "who he's been calling", "who my wife called", "what numbers she texted"
        [_l(["who", "whom", "numbers", "number"]), _l([*_THIRD, "my", "our", *_THEIR]), _l(RELATIONS, "?"), _POSS, _l(["has", "have", "had", "been", "is", "was", *_BE], "?"), _l(["been"], "?"), _l(_CALL_VERBS)],
        # "his call log", "her phone records", "their texts"
        [_l(_THEIR), _l(["phone", "call", "cell", "text", "mobile"], "?"), _l(_RECORD_NOUNS)],
        # "a list of his calls", "a copy of her phone records", "log of all their texts"
        [_l(["list", "log", "copy", "record", "records", "printout", "history"]), _l(["of"]), _l(["all"], "?"), _l(_THEIR), _l(["phone", "call", "incoming", "outgoing"], "?"), _l(["calls", "texts", "records", "numbers"])],
        # "did he call ...", "has she been texting", "if they received calls"
        [_l(["did", "has", "have", "does", "do", "if", "whether"]), _l(_THIRD), _l(["been", "ever"], "?"), _l(_CALL_VERBS)],
    ],
}

# Agent-side: going ahead despite a failed or skipped check.
AGENT_PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "override": [
        # "I really shouldn't, but", "I'm not supposed to"
        [_l(["i"]), _l(["really", "probably", "technically"], "?"), _l(["should", "shouldn't"]), _l(["not", "n't", "nt"], "?"), _ANY, _l(["but"])],
        [_l(["i"]), _l(_BE), _l(["not"]), _l(["supposed", "allowed"])],
        # "just this once", "make an exception", "I'll let it slide"
        [_l(["just"]), _l(["this", "the"]), _l(["once", "one"])],
        [_l(["make", "making"]), _l(["an"]), _l(["exception"])],
        [_l(["let"]), _l(["it", "that"]), _l(["slide", "go"])],
        # "we can skip the verification", "skip the passcode"
        [_l(["skip", "bypass", "waive"]), _l(["the", "that"], "?"), _l(["verification", "security", *_SECRETS])],
        # "no passcode, that's fine", "without the pin is okay"
        [_l(["no", "without"]), _l(["the", "a"], "?"), _l(_SECRETS), _l(["that", "is", "'s", "s"], "?"), _l(_BE, "?"), _l(_OVERRIDE_OK)],
        # "don't tell anyone", "between you and me", "off the record"
        [_l(["do", "don't"]), _l(["not", "n't", "nt"], "?"), _l(["tell"]), _l(["anyone", "anybody"])],
        [_l(["between"]), _l(["you"]), _l(["and"]), _l(["me", "i"])],
        [_l(["off"]), _l(["the"]), _l(["record"])],
        # "I'll go ahead and read them anyway"
        [_l(["ahead"]), {"IS_PUNCT": False, "OP": "{0,5}"}, _l(["anyway", "anyways"])],
        # "that's fine, no passcode needed"
        [_l(_SECRETS), _l(["not", "isn't", "n't"], "?"), _l(["needed", "necessary", "required"])],
    ],
}

# An agent question about being the holder, for "Are you the account holder?" - "No, ...".
HOLDER_QUESTION: list[list[dict[str, Any]]] = [
    [_l(["are", "you"]), _l(["you", "are", "'re", "re"], "?"), _l(["the", "an", "a", "listed", "on", "named"]), {"OP": "{0,3}", "IS_PUNCT": False}, _l([*_HOLDER, "account"])],
]


# What each grammar signal means, for the evidence note (never the matched words: they may hold a name).
NOTES = {
    "third_party": "the caller speaks for or as a relation or agent of the holder",
    "not_holder": "the caller says they are not the holder or not on the account",
    "organisation": "the caller claims to speak for an organisation",
    "holder_absent": "the caller says the holder is away or not on the line",
    "records_request": "the caller asks for someone else's call records",
}


@dataclass(frozen=True)
class Signal:
    kind: str  # third_party, not_holder, organisation, holder_absent, records_request, failed_then_disclosed, ...
    turn: int
    note: str


class _Grammar:
    """The compiled Matchers over spaCy's English tokenizer; built once per process."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.customer = Matcher(self.nlp.vocab)
        for kind, patterns in CUSTOMER_PATTERNS.items():
            self.customer.add(kind, patterns)
        self.agent = Matcher(self.nlp.vocab)
        for kind, patterns in AGENT_PATTERNS.items():
            self.agent.add(kind, patterns)
        self.question = Matcher(self.nlp.vocab)
        self.question.add("holder_question", HOLDER_QUESTION)

    def kinds(self, matcher: Any, doc: Any) -> list[str]:
        return [self.nlp.vocab.strings[match_id] for match_id, _, _ in matcher(doc)]

    def words(self, doc: Any) -> list[str]:
        return [t.lower_ for t in doc if not t.is_punct]


@lru_cache(maxsize=1)
def grammar() -> _Grammar:
    return _Grammar()


def _disclosed_after(call: "Call", moment: float, until: float | None = None) -> list:
    return [
        f
        for f in call.carrier_findings(category="CPNI")
        if f.start > moment and (until is None or f.start < until) and not call.customer_said_first(f)
    ]


def _event_signals(call: "Call") -> list[Signal]:
    """Signals in the authentication events: failed, skipped or overridden checks, repeated failures."""
    signals: list[Signal] = []
    fails = call.of("AUTH_FAIL")
    password_ok = [e.start for e in call.of("AUTH_SUCCESS") if "via:password" in e.details]
    if fails:
        first_fail = min(e.start for e in fails)
        later_ok = min((t for t in password_ok if t > first_fail), default=None)
        leaked = _disclosed_after(call, first_fail, later_ok)
        if leaked:
            signals.append(Signal("failed_then_disclosed", call.turn_of(leaked[0].char_start), "CPNI given after authentication failed"))
        weak = [e for e in call.of("AUTH_SUCCESS") if e.start >= first_fail and "via:password" not in e.details]
        if weak:
            signals.append(Signal("override", min(weak[0].turn_indexes), "accepted something other than the password after a failed check"))
    if len(fails) >= 2:
        signals.append(Signal("repeated_failures", min(fails[1].turn_indexes), f"{len(fails)} failed authentication attempts"))
    for challenge in call.of("AUTH_CHALLENGE", "AUTH_CHALLENGE_NONCOMPLIANT"):
        verdicts = [e.start for e in call.of("AUTH_SUCCESS", "AUTH_FAIL") if e.start >= challenge.start]
        leaked = _disclosed_after(call, challenge.end, min(verdicts, default=None))
        if leaked:
            signals.append(Signal("skipped_auth", call.turn_of(leaked[0].char_start), "CPNI given while the check was left unanswered"))
            break
    return signals


def _customer_asks_specific(call: "Call", index: int, words: list[str]) -> bool:
    """The customer's turn names a call number or time and asks about it ("did they call 555...?")."""
    s, e = call.turn_spans[index]
    named = [f for f in call.findings if f.role == "customer" and f.entity in ("CALL_NUMBER", "CALL_TIME") and s <= f.char_start < e]
    if not named:
        return False
    return "?" in call.text[s:e] or bool(set(words) & {"did", "was", "were", "who", "when", "whether", "if", "any", "what", "need", "know", "confirm", "tell"})


def _says_no(opening: list[str]) -> bool:
    """The first words of an answer deny: "no, ...", "well, no", "I'm not"."""
    if opening[:3] in (["i", "'m", "not"], ["i", "m", "not"], ["i", "am", "not"]):
        return True
    return bool(opening) and opening[0] in _NO and bool({"no", "nope", "nah", "not", "n't"} & set(opening))


def _turn_signals(call: "Call") -> list[Signal]:
    g = grammar()
    signals: list[Signal] = []
    turns = call.transcript.turns
    docs = [g.nlp(call.text[s:e]) for s, e in call.turn_spans]  # tokenised once per turn
    for index, turn in enumerate(turns):
        doc = docs[index]
        if turn.role == "customer":
            for kind in g.kinds(g.customer, doc):
                signals.append(Signal(kind, index, NOTES[kind]))
            if _customer_asks_specific(call, index, g.words(doc)):
                signals.append(Signal("records_request", index, "asks about a specific call number or time"))
        elif turn.role == "agent":
            for kind in g.kinds(g.agent, doc):
                signals.append(Signal(kind, index, "the agent went ahead despite the check"))
        if turn.role in ("agent", "ivr") and g.kinds(g.question, doc):
            reply = next((j for j in range(index + 1, len(turns)) if turns[j].role == "customer"), None)
            if reply is not None and _says_no(g.words(docs[reply])[:4]):
                signals.append(Signal("not_holder", reply, "answered no when asked if they are the holder or an authorised user"))
    return signals


def identity_signals(call: "Call") -> list[Signal]:
    """Every identity signal in the call, one per (kind, turn), in turn order."""
    seen, out = set(), []
    for signal in sorted([*_turn_signals(call), *_event_signals(call)], key=lambda s: (s.turn, s.kind)):
        if (signal.kind, signal.turn) not in seen:
            seen.add((signal.kind, signal.turn))
            out.append(signal)
    return out


def likely_pretexting(call: "Call", r1: RuleResult, r3: RuleResult) -> RuleResult:
    """R16 from the call and its R1 and R3 results (their evidence is the disclosure)."""
    if r1.status == "not_applicable" and r3.status == "not_applicable":
        return RuleResult("", "not_applicable", reason=r1.reason)
    if call.metadata.direction == "outbound":
        # A pretexter calls in posing as the holder; on a call the carrier placed, R3 still
        # covers a disclosure without authentication, but it is no pretexting candidate.
        return RuleResult("", "not_applicable", reason="outbound call: the carrier placed it, so no caller posed as the holder")
    failed = [r for r in (("R1", r1), ("R3", r3)) if r[1].status == "fail"]
    if not failed:
        return RuleResult("", "pass", reason="no call detail or CPNI given without authentication")
    signals = identity_signals(call)
    if not any(s.kind in STRONG for s in signals):
        names = " and ".join(name for name, _ in failed)
        weak = f" (only {', '.join(sorted({s.kind.replace('_', ' ') for s in signals}))}, which a holder does too)" if signals else ""
        return RuleResult("", "pass", reason=f"{names} failed, but nothing suggests the caller is not the account holder{weak}")
    disclosure = [e for _, r in failed for e in r.evidence][:3]
    evidence = [*disclosure, *(call.turn_evidence(s.turn, f"identity signal: {s.note}") for s in signals[:6])]
    kinds = ", ".join(sorted({s.kind.replace("_", " ") for s in signals}))
    names = "/".join(name for name, _ in failed)
    return RuleResult(
        "", "fail", evidence=tuple(_unique(evidence)),
        reason=f"{names} failed and the caller may not be the account holder ({kinds}): {BREACH_CANDIDATE}",
    )


def _unique(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for item in evidence:
        key = (item.start, item.end, item.note)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
