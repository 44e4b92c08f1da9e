"""Phone numbers: the number of a specific call (CALL_NUMBER, call detail) or a contact number (PHONE_NUMBER).

A phone-shaped number (7, 10 or 11 digits, or an international 10-12 read
in groups) is call detail when the talk around it is about calls ("incoming
at 8:02 from ...", "six calls to ...", "you talked 9 minutes"), and a
contact number when it is the customer's own or the account's ("the mobile
number on the account", "reach me at", "my line", the answer to "what's
your number?"), or a listed/business number. Once a number is call detail,
its repeats and its pieces ("809", "seven one eight" / "four oh two" read
over turns) are too; "line ending 7714" is the last four of a contact
number, and so are its repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from callvault.redact.context import Context, Phrases
from callvault.redact.spoken import NumberRun

CALL_TALK = Phrases((
    "call", "called", "calls", "dialed", "dialled", "phoned", "rang", "talked", "spoke", "incoming",
    "outgoing", "lasted", "missed", "that number", "same number", "one number", "a number", "the number you called",
    "texted", "texts", "picked up", "went", "minutes", "the one",
))
OWN_NUMBER = Phrases((
    "number on the account", "mobile number", "phone number", "your number", "my number", "cell", "cell number",
    "home number", "reach me", "reach you", "call me", "call you", "callback", "call back", "call you back",
    "best number", "contact number", "number of record", "my line", "your line", "the line", "his line", "her line",
    "their line", "line ending", "number ending", "account number", "the account is", "on the account", "text me",
    "listed", "published", "directory", "store", "office", "main line", "toll free", "business line", "shop line",
    "front desk", "our number", "good number", "number to text", "number to reach", "the number's", "number is",
    "at the number", "number on", "on her account", "on his account", "on your account", "logs on", "records for",
    "records on", "line", "lines",
))
NOT_A_PHONE = Phrases((
    "confirmation", "confirmation number", "order", "order number", "ticket", "reference", "member", "rewards",
    "policy", "claim", "rx", "prescription", "invoice", "case", "tracking", "zip", "zip code", "routing",
))
AREA_CODE = frozenset({"number", "numbers", "area"})
ENDING = Phrases(("ending in", "ending", "ends in", "ending with", "last four"))
LINE = Phrases(("line", "number", "phone", "mobile", "cell"))


def phone_shaped(digits: str) -> bool:
    return len(digits) in (7, 10) or (len(digits) == 11 and digits.startswith("1")) or (len(digits) == 12 and not digits.startswith("0"))


def international_shaped(run: NumberRun) -> bool:
    """A number abroad written in three or more groups ("+509 3712 0456", "509-3712-0456"): 11 digits, a country code first."""
    return len(run.digits) == 11 and not run.digits.startswith(("0", "1")) and len(run.groups) >= 3 and all(
        g.kind == "numeral" for g in run.groups
    )


@dataclass(frozen=True)
class PhoneValue:
    entity: str  # CALL_NUMBER | PHONE_NUMBER
    start: int
    end: int
    pattern: str
    cue: str
    note: str = ""
    digits: str = field(default="", repr=False)  # the whole number's digits, to match repeats


class PhoneReader:
    """Classifies the call's phone numbers once per Context."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.values: list[PhoneValue] = []
        self._taken: set[tuple[int, int]] = set()
        calls: list[str] = []
        contacts: list[str] = []
        for run in ctx.runs():
            parts = run.line_parts()
            for whole in ([run] if len(parts) > 1 and phone_shaped(run.digits) and not any(self._money(p) for p in parts) else parts):
                if not (phone_shaped(whole.digits) or international_shaped(whole)) or any((p.start, p.end) in self._taken for p in whole.line_parts()) or self._money(whole):
                    continue
                if ctx.cue_before(whole.first, NOT_A_PHONE, 3, block=False) or self._letter_prefix(whole):
                    continue  # "confirmation number 7730215", "RX 6620418": an id, not a phone
                entity, cue = self._classify(whole)
                note = "read over several turns" if len(whole.line_parts()) > 1 else ""
                for part in whole.line_parts():
                    self._add(entity, part, "phone-" + ("call" if entity == "CALL_NUMBER" else "contact"), cue, note, whole.digits)
                (calls if entity == "CALL_NUMBER" else contacts).append(whole.digits)
        # a number read out as call detail once is call detail wherever it is said again
        self.values = [replace(v, entity="CALL_NUMBER", pattern="phone-call", note="the number of a call, said again") if v.entity == "PHONE_NUMBER" and any(v.digits in d for d in calls) else v for v in self.values]
        contacts = [d for d in contacts if not any(d in c for c in calls)]
        for run in self._parts():
            if (run.start, run.end) in self._taken or len(run.digits) < 3:
                continue
            after = ctx.norms[run.last + 1] if run.last + 1 < len(ctx.norms) else ""
            call_near = ctx.cue_in_sentence(run.first, CALL_TALK)
            if len(run.digits) == 3 and after in AREA_CODE and call_near and self._prefix_shaped(run):
                self._add("CALL_NUMBER", run, "area-code", call_near.phrase, "the area code or prefix of a number called")
            elif self._money(run):
                continue
            elif any(run.digits in d for d in calls) and not any(run.digits in d for d in contacts):
                self._add("CALL_NUMBER", run, "call-number-piece", "", "repeat or piece of a number called")
            elif len(run.digits) == 4:
                ending = ctx.cue_before(run.first, ENDING, 3, block=False)
                line = ctx.cue_before(run.first, LINE, 12, block=False)
                if (ending and line) or any(d.endswith(run.digits) for d in contacts):
                    self._add("PHONE_NUMBER", run, "line-last-four", ending.phrase if ending else "")
    def _prefix_shaped(self, run: NumberRun) -> bool:
        """"505", "five oh five", "nine hundred": a three-digit code as people say one."""
        if self.ctx.pieces[run.first].kind == "digits" or len(run.groups) == 3:
            return True
        return run.digits.endswith("00") and self.ctx.norms[run.last] == "hundred"  # "a nine hundred number"

    def _parts(self) -> list[NumberRun]:
        return [part for run in self.ctx.runs() for part in run.line_parts()]

    def _money(self, run: NumberRun) -> bool:
        ctx = self.ctx
        if any(ctx.norms[i] in ("hundred", "thousand") for g in run.groups for i in range(g.first, g.last + 1)):
            return True  # "a hundred twelve eighty" is an amount
        after = ctx.norms[run.last + 1] if run.last + 1 < len(ctx.norms) else ""
        return ctx.text[max(0, run.start - 1) : run.start] == "$" or after in ("dollars", "dollar", "cents", "bucks", "minutes", "gigs")

    def _add(self, entity: str, run: NumberRun, pattern: str, cue: str, note: str = "", digits: str = "") -> None:
        self._taken.add((run.start, run.end))
        self.values.append(PhoneValue(entity, run.start, run.end, pattern, cue, note, digits or run.digits))

    def _letter_prefix(self, run: NumberRun) -> bool:
        """An id written after a short letter code ("RX 66...", "BR 448 ...")."""
        if run.first == 0:
            return False
        before = self.ctx.pieces[run.first - 1]
        return before.line == self.ctx.pieces[run.first].line and before.text.isupper() and before.text.isalpha() and len(before.text) <= 3 and before.text not in ("I", "A")

    def _classify(self, run: NumberRun) -> tuple[str, str]:
        ctx = self.ctx
        own = ctx.cue_before(run.first, OWN_NUMBER, 10, same_sentence=True, block=False)
        call = ctx.cue_before(run.first, CALL_TALK, 14, same_sentence=True, block=False) or ctx.cue_after(run.last, CALL_TALK, 8)
        prep = any(ctx.norms[k] in ("to", "from") for k in range(max(0, run.first - 2), run.first))
        if call and prep and call.distance <= 14:
            return "CALL_NUMBER", call.phrase  # "a call from your line to 0207 ...": the number called
        if own and (call is None or own.distance <= call.distance):
            return "PHONE_NUMBER", own.phrase
        if call:
            return "CALL_NUMBER", call.phrase
        line = ctx.pieces[run.first].line
        earlier = ctx.cue_before(run.first, OWN_NUMBER, 20, block=False)
        if earlier and ctx.pieces[earlier.first].line == line:
            return "PHONE_NUMBER", earlier.phrase  # "what's the best number to reach me? Use 312-..."
        # The answer to "what's the number on the account?" is a contact number.
        for previous in (line - 1, line - 2):
            asked = previous >= 0 and "?" in ctx.line_text(previous) and "number" in ctx.norms[ctx.line_pieces(previous)[0] : ctx.line_pieces(previous)[-1] + 1] if previous >= 0 and ctx.line_pieces(previous) else False
            if previous >= 0 and (any(ctx.pieces[a].line == previous for a, _, _ in ctx.find(OWN_NUMBER)) or (asked and not any(ctx.pieces[a].line == previous for a, _, _ in ctx.find(CALL_TALK)))):
                return "PHONE_NUMBER", "asked for the customer's number"
        # A number said in a turn that talks about calls, or answering "which number?" about calls.
        for near in (line, line - 1, line - 2):
            if near >= 0 and any(ctx.pieces[a].line == near for a, _, _ in ctx.find(CALL_TALK)):
                return "CALL_NUMBER", "calls talked about in the turn"
        return "PHONE_NUMBER", ""

    @classmethod
    def of(cls, ctx: Context) -> "PhoneReader":
        reader = ctx.memo.get("phones")
        if reader is None:
            reader = ctx.memo["phones"] = cls(ctx)
        return reader  # type: ignore[return-value]
