"""BILL_AMOUNT: money on the customer's bill, told apart from the price of an offer by the words around it.

Three kinds of money are read: with a currency ("$84.20", "sixty dollars"),
spoken without one ("thirty four fifteen", "a hundred six seventy",
"fifty even", "five a week"), and bare numbers in a money frame ("you
paid maybe twenty", the answer to "how much do you want to pay?", a value the
call already named as a bill amount said again). A price is the customer's
bill when the nearest frame before it is the customer's ("you're paying",
"your balance is", "came to", "credit of"); it is an offer's price when the
nearest frame is an offer ("would be", "I'd suggest", "starts at") or when a
product is the subject it is said of ("the X add on is eight a month").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.expressions import (
    DURATION_UNITS,
    QUANTITY_UNITS,
    Runs,
    find_spoken_amounts,
    spans_of,
    telecom_call,
)
from callvault.redact.recognizers.base import Match, SpokenRecognizer

BILL_WORDS = Phrases((
    "bill", "balance", "owe", "due", "charged", "charge", "charges", "statement", "past due", "payment",
    "paid", "total", "amount due", "late fee", "fee", "credit", "autopay", "invoice",
))
PRICE_WORDS = Phrases(("costs", "cost", "price", "priced", "retail", "sale", "for new customers", "deal", "promotion"))
# A price quoted for something the customer does not have yet is no bill content.
OFFER = Phrases((
    "would", "could", "if you", "if you're", "switch", "move to", "moving to", "move you", "upgrade", "offer", "promo",
    "promotion", "deal", "save", "instead", "there's a", "there's an", "option", "options", "for the first", "comes with",
    "new customers", "get you", "i can do", "bring it", "drop", "it'd be", "would be", "normally", "retail",
    "starts at", "starting at", "start at", "sale", "discount", "lower", "cheaper", "suggest", "recommend", "go with",
    "trade in", "half off", "i'd", "drops to", "drop to", "goes down to", "go down to", "brings it to",
))
OWNED = Phrases((
    "your bill", "my bill", "you're paying", "you are paying", "you pay", "you paid", "i pay", "i paid", "i'm paying",
    "charged", "balance", "past due", "you owe", "i owe", "on your account", "refund", "credit", "due", "payment",
    "paid", "this month", "last month", "statement", "charge", "charges", "fee", "you're on", "you are on",
    "you're at", "put it on", "processed", "posted", "went through", "came to", "comes to", "come to", "leaves",
    "on the card", "on the visa", "on the mastercard", "on the discover", "on the amex",
))
MONEY_TALK = Phrases((
    "how much", "cost", "costs", "price", "pay", "paid", "put", "leaves", "leave", "left", "credit", "refund", "back",
    "charge", "charged", "comes to", "came to", "total", "owe", "bill", "balance", "due", "fee", "amount", "dollars",
    "processed", "posted", "went through", "approved", "tax", "taxes", "plus tax",
))
# Frames that make a bare number money: "you paid about twenty", "my bill's been ninety".
BARE_FRAMES = Phrases((
    "bill is", "balance is", "balance of", "you owe", "owe", "bill was", "total is", "total due is", "due is",
    "balance was", "bill comes to", "comes to", "came to", "paid", "you paid", "pay", "paying", "charged",
    "credit of", "bill's been", "bill's", "bill has been", "overage of", "put", "run", "take off",
))
NEAR_BILL = Phrases(("balance", "your bill", "amount due", "you owe", "past due", "credit of", "charge was", "charges were"))
HEDGES = frozenset({"like", "about", "around", "roughly", "almost", "nearly", "just", "only", "over", "under", "actually", "maybe"})
# Words a number may count or name instead of money: "an eight hundred number", "twelve minutes", "three lines".
COUNTED = frozenset(QUANTITY_UNITS | DURATION_UNITS | {
    "number", "numbers", "block", "blocks", "prefix", "code", "codes", "digit", "digits", "area", "extension",
    "days", "weeks", "months", "years", "times", "people", "lines", "line", "gig", "gigs", "percent", "p", "a.m",
    "am", "pm", "o'clock", "oclock", "hours", "hour", "over", "left", "of",
})
# Nouns that, said before "is", make the amount the customer's own: "your balance is", "the charge was".
BILL_NOUNS = frozenset({
    "bill", "balance", "total", "amount", "charge", "charges", "fee", "payment", "due", "statement", "cost", "credit",
    "refund", "overage", "overages", "difference", "rest", "remainder", "invoice", "bill's",
})
PRONOUNS = frozenset({"it", "that", "this", "which", "what", "there", "he", "she", "they", "so", "and", "total"})
USAGE_ASKED = frozenset({"data", "minutes", "texts", "gigs", "time", "usage", "left"})


def carrier_speech(ctx: Context) -> bool:
    """Whether the speech is a telecom carrier's call (CPNI exists only there); decided once per text."""
    found = ctx.memo.get("carrier-speech")
    if found is None:
        from callvault.compliance.carrier import detect_carrier

        found = ctx.memo["carrier-speech"] = detect_carrier(ctx.text).carrier
    return bool(found)


def offer_in_sentence(ctx: Context, first: int, owned: Phrases = OWNED) -> bool:
    """An offer's words in the sentence and none of the customer's own (``owned``)."""
    offer = ctx.cue_in_sentence(first, OFFER) or ctx.cue_in_sentence(first, PRICE_WORDS)
    return bool(offer) and not ctx.cue_in_sentence(first, owned)


def offered_price(ctx: Context, first: int) -> bool:
    """Whether the amount at piece ``first`` is the price of an offer rather than something the customer has."""
    after = [ctx.norms[i] for i in range(first + 1, min(first + 5, len(ctx.pieces))) if ctx.sentence[i] == ctx.sentence[first]]
    if any(w in BILL_NOUNS for w in after):
        return False  # "the $12 roaming charge", "a $9 setup fee": a charge on the bill
    subject = _subject_of(ctx, first)
    if subject is not None:
        return subject
    before = _nearest_before(ctx, first, 8)
    if before is not None:
        return before
    sentence = ctx.sentence_pieces(first)
    offer = ctx.cue_in_sentence(first, OFFER) or ctx.cue_in_sentence(first, PRICE_WORDS)
    if not offer and sentence[0] > 0 and ctx.pieces[sentence[0] - 1].line == ctx.pieces[first].line:
        offer = ctx.cue_in_sentence(sentence[0] - 1, OFFER)  # "I'd pick the X. It runs $90."
    return bool(offer) and not ctx.cue_in_sentence(first, OWNED)


def _nearest_before(ctx: Context, first: int, window: int) -> bool | None:
    """True/False when the nearest frame before the amount, in its turn, is an offer's/the customer's."""
    owned = ctx.cue_before(first, OWNED, window, same_sentence=True)
    offer = ctx.cue_before(first, OFFER, window, same_sentence=True)
    if owned and offer:
        return offer.distance < owned.distance
    return True if offer else False if owned else None


def _subject_of(ctx: Context, first: int) -> bool | None:
    """"the X plan is $40": a product the amount is said of makes it a price; "your balance is" the bill's."""
    k = first - 1
    while k >= 0 and ctx.norms[k] in HEDGES:
        k -= 1
    if k < 1 or ctx.pieces[k].line != ctx.pieces[first].line:
        return None
    verb = ctx.norms[k]
    if verb in ("was", "were", "been"):
        return False  # what a thing came to is what was billed; offers are quoted in the present
    if verb in ("for",) and ctx.norms[k - 1 : k] == ["goes"]:
        k, verb = k - 1, "is"  # "X goes for $40"
    if verb in ("runs", "costs"):
        verb = "is"  # "the X plan runs $140": said of what it is
    if verb not in ("is", "be", "bill's") or ctx.pieces[k - 1].kind != "word":
        return None
    subject = ctx.norms[k - 1]
    if verb == "bill's":
        return False
    if verb == "be":
        return True if subject in ("would", "could", "it'd", "that'd", "might") else None
    before = [ctx.norms[i] for i in range(max(0, k - 8), k) if ctx.sentence[i] == ctx.sentence[k]]
    if subject in BILL_NOUNS or any(w in BILL_NOUNS or w in ("your", "my") for w in before):
        return False  # "your balance is", "your bill for May is"
    if subject in PRONOUNS:
        return None
    return True


@dataclass(frozen=True)
class Amount:
    """A money-like span: pieces, its digits (the value), how it was said."""

    first: int
    last: int
    value: str
    kind: str  # "currency" | "spoken" | "bare"


def _value(ctx: Context, runs: Runs, first: int, last: int) -> str:
    """The digits said in the span ("twenty one dollars and five cents": 2105), to match the same amount said again."""
    digits = "".join(g.digits for run in ctx.runs() for g in run.groups if first <= g.first and g.last <= last)
    return digits.lstrip("0") or digits


def _counted(ctx: Context, last: int) -> bool:
    nxt = ctx.norms[last + 1] if last + 1 < len(ctx.norms) else ""
    return nxt in COUNTED and ctx.pieces[last + 1].line == ctx.pieces[last].line


def _amounts(ctx: Context, runs: Runs) -> list[Amount]:
    """Every money-like span of the text, currency ones first where they overlap spoken ones."""
    found: dict[int, Amount] = {}
    for first, last in spans_of(ctx, "money"):
        found[first] = Amount(first, last, _value(ctx, runs, first, last), "currency")
    for index, piece in enumerate(ctx.pieces):
        # "$50" inside a run of other digits ("card ending 1234, $50 now")
        if piece.kind == "digits" and ctx.text[piece.start - 1 : piece.start] == "$" and not any(a.first <= index <= a.last for a in found.values()):
            last = index
            nxt = ctx.pieces[index + 1] if index + 1 < len(ctx.pieces) else None
            if nxt is not None and nxt.kind == "digits" and len(nxt.text) == 2 and ctx.text[piece.end : nxt.start] == ".":
                last = index + 1
            found[index] = Amount(index, last, "".join(ctx.pieces[i].text for i in range(index, last + 1)).lstrip("0"), "currency")
    taken = {i for a in found.values() for i in range(a.first, a.last + 1)}
    for first, last in [*spans_of(ctx, "spoken-money"), *find_spoken_amounts(ctx, _split_runs(ctx))]:  # and runs cut at turns
        if first in taken or first in found or _counted(ctx, last):
            continue
        if ctx.norms[last + 1 : last + 2] in (["something"], ["ish"]):
            last += 1  # "ninety something"
        found[first] = Amount(first, last, _value(ctx, runs, first, last), "spoken")
    return sorted(found.values(), key=lambda a: a.first)


def _split_runs(ctx: Context) -> Runs:
    """The parts, one per turn, of runs said across turns ("... forty one ten" / "forty one ten, right")."""
    parts = Runs.__new__(Runs)
    parts.by_first = {p.first: p for run in ctx.runs() if len(run.line_parts()) > 1 for p in run.line_parts()}
    return parts


def _bare(ctx: Context, runs: Runs, taken: set[int]) -> Iterator[Amount]:
    """Short numbers no currency marks: candidates for a frame, a question or an echo."""
    for run in [p for run in ctx.runs() for p in run.line_parts()]:
        if run.first in taken or run.groups[0].kind == "ordinal" or any(g.line != run.groups[0].line for g in run.groups):
            continue
        if not 1 <= len(run.digits) <= 6 or len(run.groups) > 4 or _counted(ctx, run.last):
            continue
        if run.first == run.last and ctx.norms[run.first] == "one":
            continue  # "this one", "the one on the account": a pronoun
        if ctx.text[run.end : run.end + 1] in ("-", ":", "/") or ctx.text[run.start - 1 : run.start] in ("-", ":", "/", "#"):
            continue  # part of a phone number, a time or a date
        yield Amount(run.first, run.last, run.digits.lstrip("0") or run.digits, "bare")


def _asked_how_much(ctx: Context, first: int) -> bool:
    """The other party's turn just before asked how much (money, not data): "how much do you want to put on it?"."""
    line = ctx.pieces[first].line
    if first not in ctx.line_pieces(line)[:6]:
        return False
    prev = ctx.line_pieces(line - 1)
    norms = [ctx.norms[i] for i in prev]
    for i in range(len(norms) - 1):
        if norms[i] == "how" and norms[i + 1] == "much" and not USAGE_ASKED.intersection(norms[i + 2 : i + 5]):
            return True
    return False


class BillAmountRecognizer(SpokenRecognizer):
    """Amounts from the customer's bill: "$84.20", "eighty four dollars and twenty cents", "balance is 84 20"."""

    ENTITY = "BILL_AMOUNT"

    def find(self, ctx: Context) -> Iterator[Match]:
        if not carrier_speech(ctx):
            return  # a dealer's, a pharmacy's or a bank's prices are no carrier's bill
        runs = Runs(ctx)
        telecom = telecom_call(ctx)
        amounts = _amounts(ctx, runs)
        bills: dict[str, int] = {}  # value: line where the call named it as a bill amount
        offers: dict[str, int] = {}
        kept: list[tuple[Amount, float, str, tuple[str, ...]]] = []
        undecided: list[Amount] = []
        for amount in amounts:
            decided = self._decide(ctx, amount, telecom)
            line = ctx.pieces[amount.first].line
            if decided is not None and decided is not False and decided[2] == ("telecom call",) and amount.value in offers:
                decided = False  # the offer's price said back ("Nine dollars? Okay."), with nothing of the bill near
            if decided is None:
                undecided.append(amount)
            elif decided is False:
                offers.setdefault(amount.value, line)
            else:
                bills.setdefault(amount.value, line)
                kept.append((amount, *decided))
        taken = {i for a in amounts for i in range(a.first, a.last + 1)}
        rest = sorted([*undecided, *_bare(ctx, runs, taken)], key=lambda a: a.first)
        later: list[Amount] = []
        for amount in rest:  # framed first, so that a framed value can be echoed too
            frame = ctx.cue_before(self._skip_hedges(ctx, amount.first), BARE_FRAMES, 2, same_sentence=True)
            if frame is None and amount.kind == "bare" and ctx.pieces[amount.first].kind == "word":
                frame = ctx.cue_before(amount.first, NEAR_BILL, 7, same_sentence=True)  # "your balance right now is one oh four twenty"
            if frame and not offered_price(ctx, amount.first):
                kept.append((amount, 0.75, "framed-amount", (frame.phrase,)))
            elif _asked_how_much(ctx, amount.first) and telecom:
                kept.append((amount, 0.75, "answered-amount", ("how much",)))
            else:
                later.append(amount)
                continue
            bills.setdefault(amount.value, ctx.pieces[amount.first].line)
        for amount in later:
            line = ctx.pieces[amount.first].line
            echo = amount.value in bills and len(amount.value) >= 2 and abs(bills[amount.value] - line) <= 8
            if echo and not (amount.value in offers and offers[amount.value] < bills[amount.value]):
                kept.append((amount, 0.8, "echo", ("said before as a bill amount",)))
        # "let's do the hundred": the round amount the call named, said as a noun
        for index, norm in enumerate(ctx.norms):
            if norm == "hundred" and index not in taken and ctx.norms[index - 1 : index] == ["the"] and "100" in bills:
                kept.append((Amount(index, index, "100", "bare"), 0.7, "echo", ("said before as a bill amount",)))
        for amount, score, pattern, words in sorted(kept, key=lambda k: k[0].first):
            yield Match(ctx.pieces[amount.first].start, ctx.pieces[amount.last].end, score, "expression", pattern, words)

    @staticmethod
    def _skip_hedges(ctx: Context, first: int) -> int:
        while first > 0 and ctx.norms[first - 1] in HEDGES:
            first -= 1
        return first

    @staticmethod
    def _decide(ctx: Context, amount: Amount, telecom: bool) -> tuple[float, str, tuple[str, ...]] | bool | None:
        """(score, pattern, cue words) for the customer's money, False for an offer's price, None when unsure."""
        first = amount.first
        said_after = ctx.norms[BillAmountRecognizer._skip_hedges(ctx, first) - 1] if first > 0 else ""
        if amount.kind != "currency" and said_after in ("used", "sent", "made", "use", "using"):
            return None  # "you used four eighty": minutes, not money
        answered = _asked_about_the_bill(ctx, first)
        if amount.kind == "currency":
            cue = ctx.cue_in_sentence(first, BILL_WORDS) or ctx.cue_before(first, BILL_WORDS, 10)
            if not cue and not telecom and not answered:
                return None  # a price in a call about no telecom service is no bill
        else:
            cue = ctx.cue_in_sentence(first, BILL_WORDS) or ctx.cue_in_sentence(first, MONEY_TALK) or ctx.cue_before(first, MONEY_TALK, 12, block=False)
        if offered_price(ctx, first):
            return False
        if answered:
            return (0.9, "answered-amount", ("asked the bill's amount",))
        if amount.kind == "currency":
            score = 0.6 + 0.35 * proximity(cue, 12) if cue else 0.62
            return (score, "amount", (cue.phrase,) if cue else ("telecom call",))
        rate = ctx.norms[amount.last] in ("month", "day", "year", "week", "each", "even", "line", "flat")
        if rate and not cue and not ctx.cue_in_sentence(first, OWNED):
            return None  # "four ninety nine each": a price list, unless the bill is being talked about
        if (cue or rate) and telecom:
            return (0.65, "spoken-amount", (cue.phrase,) if cue else ("rate",))
        return None


ASKED_BILL = Phrases((
    "amount of your", "amount of the", "how much was", "how much is your", "how much is my", "how much is the",
    "what was your last bill", "last bill", "what's my", "what is my", "what's the", "how much do i owe",
))


def _asked_about_the_bill(ctx: Context, first: int) -> bool:
    """The other party's previous turn asked for a bill's amount ("what did your last bill come to?")."""
    line = ctx.pieces[first].line
    here = ctx.line_pieces(line)
    if not here or first not in here[:12]:
        return False
    prev = ctx.line_pieces(line - 1)
    return any(ASKED_BILL.match_at(ctx.norms, i) for i in prev) and any(ctx.norms[i] in ("bill", "balance", "owe") for i in prev)
