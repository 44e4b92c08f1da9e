"""Recognizers of spoken numbers whose context decides what they are.

Each looks at every number run (and its parts per turn), checks the shape
(length, Luhn, month/year) and the cue phrases before it. Several may claim
one run; the detector keeps the highest score, so the nearest cue wins.
"""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.expressions import MONTHS, Runs, _date, expiry_digits_ok
from callvault.redact.recognizers.base import Match, SpokenRecognizer, candidates, run_matches
from callvault.redact.recognizers.cards import CardReader
from callvault.redact.recognizers.phones import PhoneReader, phone_shaped
from callvault.redact.spoken import ORDINAL_WORDS, NumberRun, luhn_ok

LAST_FOUR = Phrases(("ending in", "ending", "ends in", "ending with", "last four", "last 4", "last four digits", "last four are", "last four is"))
# Published numbers and businesses' numbers are not CPNI (subscriber list information).
NOT_CPNI = Phrases((
    "listed number", "listed", "published", "white pages", "directory", "listing", "directory assistance",
    "store", "office", "our number", "toll free", "customer service", "main line", "business line",
    "front desk", "reach our",
))


def card_slots(ctx: Context, entity: str) -> Iterator[Match]:
    """What the card reader assigned to ``entity`` (see recognizers/cards.py)."""
    for slot in CardReader.of(ctx).of_entity(entity):
        yield Match(slot.start, slot.end, 0.95, "card-flow", f"card-{entity.lower()}", (slot.cue,) if slot.cue else (), slot.note)


def claimed_by_other(ctx: Context, run: NumberRun, entity: str) -> bool:
    """The card reader gave this run to another card slot (the expiry is not the code)."""
    other = CardReader.of(ctx).claimed(run.start, run.end)
    return other is not None and other != entity


def _not_cpni(ctx: Context, run: NumberRun) -> str | None:
    cue = ctx.cue_before(run.first, NOT_CPNI, 12, same_sentence=True) or ctx.cue_after(run.last, NOT_CPNI, 8)
    return cue.phrase if cue else None


class PanRecognizer(SpokenRecognizer):
    """Payment card numbers: 13-19 digits passing Luhn, spoken in any grouping."""

    ENTITY = "PAN"
    CUES = Phrases((
        "card number", "card", "credit card", "debit card", "visa", "mastercard", "master card", "amex",
        "american express", "discover", "diners club", "diners", "long number", "number on the card",
    ))

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from card_slots(ctx, self.ENTITY)
        for run in ctx.runs():
            if claimed_by_other(ctx, run, self.ENTITY):
                continue
            # a number read over several turns is the card reader's to join
            found = self._luhn_windows(run) if len(run.line_parts()) == 1 else []
            for sub in found:
                cue = ctx.cue_before(sub.first, self.CUES, 15)
                score = 0.85 + 0.15 * proximity(cue, 15)
                yield from run_matches(sub, score, "spoken-number", f"luhn-{len(sub.digits)}", cue and cue.phrase)
            if found:
                continue
            digits = run.digits
            cue = ctx.cue_before(run.first, self.CUES, 12)
            if len(digits) >= 12 and cue:
                yield from run_matches(run, 0.6, "spoken-number", "card-context", cue.phrase, "Luhn check failed (ASR error?)")
            elif len(digits) >= 13 and len(run.groups) > 1 and len(run.line_parts()) == 1:
                # Nothing else in a call has 13+ digits said in one go: treat as card data
                # (an account or IMEI cue scores higher and wins).
                yield from run_matches(run, 0.5, "spoken-number", "long-number", None, "13+ digits without a Luhn-valid window")
            elif len(digits) == 4 and cue:
                last = ctx.cue_before(run.first, LAST_FOUR, 3)
                if last:
                    yield from run_matches(run, 0.55 + 0.3 * proximity(cue, 15), "spoken-number", "card-last-four", cue.phrase, "last four only")

    @staticmethod
    def _luhn_windows(run: NumberRun) -> list[NumberRun]:
        groups = run.groups
        windows = []
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j].digits
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and len(set(digits)) > 1 and luhn_ok(digits):
                    windows.append((len(digits), -i, i, j + 1))
        taken = [False] * len(groups)
        found = []
        for _, _, i, j in sorted(windows, reverse=True):
            if not any(taken[i:j]):
                taken[i:j] = [True] * (j - i)
                found.append(run.sub(i, j))
        return sorted(found, key=lambda r: r.start)


class CvvRecognizer(SpokenRecognizer):
    """Card security codes: 3 or 4 digits after "security code", "CVV", "on the back"."""

    ENTITY = "CVV"
    CUES = Phrases((
        "security code", "cvv", "cvv2", "cvc", "cvc2", "cid", "card verification", "verification value",
        "code on the back", "on the back", "on the front", "three digit code", "three digit", "four digit code",
        "three numbers", "three digits", "back of the card", "csc",
    ))
    WEAK = Phrases(("code", "the code"))

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from card_slots(ctx, self.ENTITY)
        for run in candidates(ctx):
            if len(run.digits) not in (3, 4) or len(run.line_parts()) > 1 or claimed_by_other(ctx, run, self.ENTITY):
                continue
            cue = ctx.cue_before(run.first, self.CUES, 12)
            if cue:
                yield from run_matches(run, 0.75 + 0.25 * proximity(cue, 12), "spoken-number", "cvv-cue", cue.phrase)
                continue
            weak = ctx.cue_before(run.first, self.WEAK, 4)
            card = ctx.cue_before(run.first, PanRecognizer.CUES, 40, block=False) or ctx.cue_before(run.first, ExpiryRecognizer.CUES, 40, block=False)
            if weak and card:
                yield from run_matches(run, 0.6, "spoken-number", "code-after-card", weak.phrase, f"card context: {card.phrase}")


class ExpiryRecognizer(SpokenRecognizer):
    """Card expiry dates: "08/27", "oh eight twenty seven", "August twenty-seven"."""

    ENTITY = "CARD_EXPIRY"
    CUES = Phrases((
        "expiration", "expiration date", "expiry", "expiry date", "expires", "expire", "expiring", "expired", "exp",
        "exp date", "valid thru", "valid through", "good thru", "good through", "expiration month",
    ))

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from card_slots(ctx, self.ENTITY)
        runs = Runs(ctx)
        for index, norm in enumerate(ctx.norms):
            if norm in MONTHS:
                end = _date(ctx, runs, index)
                cue = ctx.cue_before(index, self.CUES, 8)
                if end is None or not cue or self._day_of_month(ctx, index, end):
                    continue  # "good through June 30th" is a day, not a card's month and year
                if end > index:
                    yield Match(ctx.pieces[index].start, ctx.pieces[end].end, 0.85 + 0.15 * proximity(cue, 8), "expression", "month-year", (cue.phrase,))
                elif cue.distance <= 2 and ctx.cue_before(index, CardReader.pan_cues(), 30, block=False):
                    # "expired in January", "expires next March": the month alone, in a card sentence
                    yield Match(ctx.pieces[index].start, ctx.pieces[end].end, 0.8, "expression", "month-only", (cue.phrase,))
        for run in candidates(ctx):
            if 3 <= len(run.digits) <= 6 and expiry_digits_ok(run.digits) and not claimed_by_other(ctx, run, self.ENTITY):
                cue = ctx.cue_before(run.first, self.CUES, 8)
                if cue:
                    yield from run_matches(run, 0.85 + 0.15 * proximity(cue, 8), "spoken-number", "mm-yy", cue.phrase)


    @staticmethod
    def _day_of_month(ctx: Context, month: int, end: int) -> bool:
        after = ctx.pieces[month + 1] if month + 1 <= end else None
        return after is not None and (after.kind == "ordinal" or ctx.norms[month + 1] in ORDINAL_WORDS or ctx.norms[month + 1] == "the")


class AccountNumberRecognizer(SpokenRecognizer):
    """Account numbers after "account number"."""

    ENTITY = "ACCOUNT_NUMBER"
    STRICT = frozenset({"account number", "account no", "account id", "billing account number", "account number is"})
    CUES = Phrases((
        "account number", "account no", "account id", "account ending", "account ending in", "acct",
        "number on the account", "billing account number", "the account is", "account is", "account number is",
    ))

    # Said between a number and its correction: "... 4 4, sorry, I mean ... 4 7".
    CORRECTIONS = frozenset({"wait", "no", "sorry", "i", "mean", "actually", "oops", "correction", "make", "that", "it's", "um", "uh", "rather", "not"})

    def find(self, ctx: Context) -> Iterator[Match]:
        accounts: list[NumberRun] = []
        for run in candidates(ctx):
            digits = run.digits
            if not 4 <= len(digits) <= 20:
                continue
            corrected = self._corrects(ctx, run, accounts)
            if corrected is not None:
                accounts.append(run)
                yield from run_matches(run, 0.9, "spoken-number", "account-corrected", "correction")
                continue
            cue = ctx.cue_before(run.first, self.CUES, 12)
            if not cue:
                continue
            if len(digits) < 6 and not ctx.cue_before(run.first, LAST_FOUR, 3) and "ending" not in cue.phrase:
                continue
            if phone_shaped(digits) and cue.phrase not in self.STRICT:
                continue  # "the number on the account is 402-..." is the account's phone number
            accounts.append(run)
            yield from run_matches(run, 0.55 + 0.4 * proximity(cue, 12), "spoken-number", "account-cue", cue.phrase)

    def _corrects(self, ctx: Context, run: NumberRun, accounts: list[NumberRun]) -> NumberRun | None:
        """The account number this run corrects: one just said, only correction words between, a like length."""
        k = run.first - 1
        while k >= 0 and ctx.norms[k] in self.CORRECTIONS and run.first - k <= 5:
            k -= 1
        if k == run.first - 1:
            return None  # nothing said to take the first number back
        for earlier in accounts:
            if earlier.last == k and abs(len(earlier.digits) - len(run.digits)) <= 1 and ctx.pieces[k].line == ctx.pieces[run.first].line:
                return earlier
        return None


class CallNumberRecognizer(SpokenRecognizer):
    """The number called or calling: call detail (47 CFR 64.2003(d))."""

    ENTITY = "CALL_NUMBER"
    CUES = Phrases((
        "you called", "called", "calls to", "call to", "call from", "calls from", "dialed", "dialled",
        "number you called", "number called", "incoming call from", "incoming", "outgoing call to",
        "called you", "called me", "calling number", "you dialed", "missed call from",
    ))

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from phone_values(ctx, self.ENTITY, 0.8)


class PhoneNumberRecognizer(SpokenRecognizer):
    """Other phone numbers (PII): the customer's, the account's, a listed or business number."""

    ENTITY = "PHONE_NUMBER"

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from phone_values(ctx, self.ENTITY, 0.6)


def phone_values(ctx: Context, entity: str, score: float) -> Iterator[Match]:
    for value in PhoneReader.of(ctx).values:
        if value.entity == entity:
            yield Match(value.start, value.end, score, "spoken-number", value.pattern, (value.cue,) if value.cue else (), value.note)


class SsnRecognizer(SpokenRecognizer):
    """US social security numbers, spoken or written, checked for valid area/group/serial."""

    ENTITY = "US_SSN"
    CUES = Phrases(("social security number", "social security", "social", "ssn", "ss number", "social security no"))

    @staticmethod
    def valid(digits: str) -> bool:
        return len(digits) == 9 and digits[:3] not in ("000", "666") and digits[0] != "9" and digits[3:5] != "00" and digits[5:] != "0000"

    def find(self, ctx: Context) -> Iterator[Match]:
        for run in candidates(ctx):
            if not self.valid(run.digits):
                continue
            cue = ctx.cue_before(run.first, self.CUES, 15)
            if cue:
                yield from run_matches(run, 0.7 + 0.3 * proximity(cue, 15), "spoken-number", "ssn-cue", cue.phrase)
            elif [len(g.digits) for g in run.groups] == [3, 2, 4] and all(g.kind == "numeral" for g in run.groups):
                yield from run_matches(run, 0.6, "pattern", "ssn-3-2-4", None)
