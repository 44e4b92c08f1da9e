"""Is this a telecom carrier's call? CPNI (47 U.S.C. 222) exists only between a carrier and its customer.

A car dealer, a pharmacy or a bank also read out amounts, dates and account
numbers, but none of it is CPNI and rules R1-R11 do not apply. The decision is
made, in order, by the ``[compliance] carrier`` setting (true / false), the
sidecar's ``carrier`` field, or (``"auto"``) the speech itself: the
vocabulary of a telecommunications service (lines, plans, data, minutes,
roaming, SIM, wireless or phone service) against the vocabulary of other
industries (vehicles, prescriptions, policies and claims, meters, rooms,
checking accounts). When the speech says neither, the call is taken as a
carrier's: the product records carrier call centres, and the stricter
reading is the safe side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callvault.models.recording import CallMetadata
from callvault.models.transcript import Transcript

AUTO = "auto"

_W = r"(?:\s+\w+){0,3}?"  # up to three words between two parts of a phrase

# Telecommunications service: what a carrier sells and measures. Words that
# every business uses ("phone number", "on the line", "account") are not here.
TELECOM = {
    "carrier": r"\b(?:wireless|cellular|telecom\w*|telephone|telco|mobile|cable|carrier|phone (?:service|plan|bill|line|company|carrier))\b",
    "line": r"\b(?:(?:add|added|adding|new|extra|another|each|per|second|third|your|the|my|a) lines?\b(?! (?:of credit|item|cook|up))|lines? (?:on|ending|to) (?:the|your|my|in)\b|\d+ lines\b|(?:two|three|four|five) lines\b)",
    "plan": r"\b(?:(?:your|my|the|new|current|cheaper|better) (?:\w+ )?plans?\b|usage\b|unlimited|prepaid|postpaid|family plan|data plan|talk and text|text (?:and|&) data|(?:gig|gb|gigabyte)\w* plan)\b",
    "data": r"\b(?:data (?:usage|plan|overage|cap|limit|pass|add on|roaming)|hotspot|(?:\d+|\w+) (?:gigs?|gigabytes?|gb|megabytes?|mb)\b|throttl\w*|5g|4g|lte)",
    "minutes": r"\b(?:minutes (?:used|left|of talk|on (?:the|your) plan)|(?:talk|calling|international) (?:minutes|calling|plan|rates?)|long distance|text messages|texts? (?:and|&) (?:calls|minutes|data))",
    "roaming": r"\broam\w*\b|\binternational (?:pass|day pass|add on|plan|calling)",
    "device": r"\b(?:sim(?: card)?|esim|imei|port(?:ing)? (?:in|out|your number|the number)|number port\w*|phone upgrade|upgrade (?:your|the) (?:phone|device))\b",
    "network": r"\b(?:cell (?:tower|phone|service|signal)|tower|signal (?:strength|bars)|dropped calls?|coverage|voicemail|call forwarding|caller id|call waiting|network outage)\b",
    "call_records": r"\b(?:(?:i|you|he|she|they|we|who|somebody|someone) (?:called|dialed|dialled|rang)\b|calls? (?:to|from) (?:a |that |this |the )?(?:number|\d)|(?:incoming|outgoing|missed|recent|international|long) calls?\b|calls? (?:on|in) (?:my|your|the) (?:bill|statement|log|history)|an? calls? (?:to|from) (?:\w+ )?\w+|(?:was|were|been) on the phone with)",
    "service": r"\b(?:home phone|landline|voip|broadband|internet service|fiber (?:service|plan|internet)|cable and internet|calls? (?:to|from) (?:that|this|the|a) number|call (?:log|history|records?|details?))\b",
}

# Other industries' own service vocabulary: what they sell and measure.
OTHER = {
    "vehicle": r"\b(?:vehicle|car|truck|dealership|dealer|warranty|brake\w*|tires?|oil change|repair order|mechanic|service advisor|transmission|mileage|vin)\b",
    "pharmacy": r"\b(?:pharmac\w+|prescriptions?|refills?|rx|dosage|medication|pharmacist|doctor'?s office|milligrams?)\b",
    "insurance": r"\b(?:insur\w+|policy(?:holder)? (?:number|holder)|policyholder|claims?\b(?! to be)|adjuster|deductible|premium|coverage for (?:the )?(?:roof|home|house|damage)|water damage|storm damage)",
    "utility": r"\b(?:electric\w*|gas (?:service|bill|meter)|water (?:bill|service|meter)|meter|kilowatt\w*|kwh|power (?:company|bill|shut ?off)|service address|disconnect(?:ion)? (?:notice|date)|utility|utilities)\b",
    "lodging": r"\b(?:hotel|reservation|check ?in|check ?out|king (?:bed|room)|queen (?:bed|room)|suite|nightly rate|guests?|per night|resort)\b",
    "banking": r"\b(?:bank(?:ing)?|checking|savings|debit card|credit union|branch|atm|overdraft|loan|mortgage|routing number|wire transfer|member(?:ship)? number|cardholder|card activation|activat\w* (?:your|the|a|my) (?:new )?(?:debit |credit )?card|credit limit)\b",
    "retail": r"\b(?:order number|shipping|tracking number|delivery window|furniture|appliance)\b",
}
_TELECOM = {k: re.compile(v) for k, v in TELECOM.items()}
_OTHER = {k: re.compile(v) for k, v in OTHER.items()}


@dataclass(frozen=True)
class CarrierDecision:
    carrier: bool
    source: str  # "config" | "sidecar" | "speech"
    reason: str

    @property
    def explanation(self) -> str:
        return f"{self.source}: {self.reason}"


def _hits(patterns: dict[str, re.Pattern], text: str) -> dict[str, int]:
    found = {}
    for name, pattern in patterns.items():
        n = len(pattern.findall(text))
        if n:
            found[name] = n
    return found


def _describe(hits: dict[str, int]) -> str:
    return ", ".join(f"{k} x{v}" for k, v in sorted(hits.items(), key=lambda kv: -kv[1])) or "none"


def detect_carrier(text: str) -> CarrierDecision:
    """Decide from the words alone; the reason names what each side found."""
    norm = " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower()).split())
    telecom, other = _hits(_TELECOM, norm), _hits(_OTHER, norm)
    t_score = len(telecom) * 2 + sum(telecom.values())  # kinds weigh more than repeats
    o_score = len(other) * 2 + sum(other.values())
    said = f"telecom terms: {_describe(telecom)}; other industries: {_describe(other)}"
    if o_score >= 5 and o_score > 2 * t_score:
        return CarrierDecision(False, "speech", said)
    if not telecom and not other:
        return CarrierDecision(True, "speech", "no service vocabulary either way; taken as a carrier call (the strict reading)")
    return CarrierDecision(True, "speech", said)


def decide_carrier(transcript: Transcript, metadata: CallMetadata, setting: str | bool = AUTO) -> CarrierDecision:
    if isinstance(setting, bool):
        return CarrierDecision(setting, "config", f"[compliance] carrier = {str(setting).lower()}")
    if metadata.carrier is not None:
        return CarrierDecision(metadata.carrier, "sidecar", f"sidecar carrier = {str(metadata.carrier).lower()}")
    return detect_carrier(transcript.text)
