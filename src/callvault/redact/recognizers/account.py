"""Account CPNI: bill amounts, the service plan, and amounts of use."""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.expressions import Runs, find_amounts, find_quantities, find_spoken_amounts, telecom_call
from callvault.redact.recognizers.base import Match, SpokenRecognizer
from callvault.redact.recognizers.calldetail import USAGE_WORDS

BILL_WORDS = Phrases((
    "bill", "balance", "owe", "due", "charged", "charge", "charges", "statement", "past due", "payment",
    "paid", "total", "amount due", "late fee", "fee", "credit", "autopay", "invoice",
))
PRICE_WORDS = Phrases(("costs", "cost", "price", "priced", "retail", "sale", "for new customers", "deal", "promotion"))
# A price quoted for something the customer does not have yet is no bill content.
OFFER = Phrases((
    "would", "could", "if you", "switch", "move to", "moving to", "upgrade", "offer", "promo", "promotion", "deal",
    "save", "instead", "there's a", "there's an", "option", "options", "for the first", "comes with", "new customers",
    "get you", "i can do", "bring it", "drop", "it'd be", "would be", "normally", "retail", "starts at", "starting at",
    "sale", "discount", "lower", "cheaper",
))
OWNED = Phrases((
    "your bill", "you're paying", "you are paying", "you pay", "charged", "balance", "past due", "you owe", "on your account",
    "refund", "credit", "due", "payment", "paid", "this month", "last month", "statement", "charge", "charges", "fee",
))
MONEY_TALK = Phrases((
    "how much", "cost", "costs", "price", "pay", "paid", "put", "leaves", "leave", "left", "credit", "refund", "back",
    "charge", "charged", "comes to", "came to", "total", "owe", "bill", "balance", "due", "fee", "amount", "dollars",
))
BARE_AMOUNT_CUES = Phrases((
    "bill is", "balance is", "balance of", "you owe", "owe", "bill was", "total is", "total due is", "due is",
    "balance was", "bill comes to", "comes to",
))


class BillAmountRecognizer(SpokenRecognizer):
    """Amounts from the customer's bill: "$84.20", "eighty four dollars and twenty cents", "balance is 84 20"."""

    ENTITY = "BILL_AMOUNT"
    _offered = staticmethod(lambda ctx, first: _offered_price(ctx, first))

    def find(self, ctx: Context) -> Iterator[Match]:
        runs = Runs(ctx)
        taken: set[int] = set()
        telecom = telecom_call(ctx)
        for first, last in find_amounts(ctx, runs):
            cue = ctx.cue_in_sentence(first, BILL_WORDS) or ctx.cue_before(first, BILL_WORDS, 10)
            if not cue and not telecom:
                continue  # a price in a call about no telecom service is no bill
            if self._offered(ctx, first):
                continue
            taken.update(range(first, last + 1))
            score = 0.6 + 0.35 * proximity(cue, 12) if cue else 0.6
            yield Match(ctx.pieces[first].start, ctx.pieces[last].end, score, "expression", "amount", (cue.phrase,) if cue else ("telecom call",))
        for first, last in find_spoken_amounts(ctx, runs):
            if first in taken:
                continue
            cue = ctx.cue_in_sentence(first, BILL_WORDS) or ctx.cue_in_sentence(first, MONEY_TALK) or ctx.cue_before(first, MONEY_TALK, 12, block=False)
            rate = ctx.norms[last] in ("month", "day", "year", "week", "each", "even", "line", "flat")
            if (cue or rate) and telecom and not self._offered(ctx, first):
                taken.update(range(first, last + 1))
                yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.65, "spoken-number", "spoken-amount", (cue.phrase,) if cue else ("rate",))
        for run in ctx.runs():
            if run.first in taken or not 2 <= len(run.digits) <= 6:
                continue
            cue = ctx.cue_before(run.first, BARE_AMOUNT_CUES, 2, same_sentence=True)
            if cue and ctx.norms[run.last + 1 : run.last + 2] not in (["minutes"], ["days"], ["calls"], ["texts"]):
                yield Match(run.start, run.end, 0.7, "spoken-number", "bare-amount", (cue.phrase,))


def _offered_price(ctx: Context, first: int) -> bool:
    return bool(ctx.cue_in_sentence(first, OFFER)) and not ctx.cue_in_sentence(first, OWNED)


class UsageQuantityRecognizer(SpokenRecognizer):
    """Amount of use: "1,240 minutes", "twelve gigabytes", "38 calls" said of the customer's use."""

    ENTITY = "USAGE_QTY"

    def find(self, ctx: Context) -> Iterator[Match]:
        for first, last, unit in find_quantities(ctx, Runs(ctx)):
            cue = ctx.cue_in_sentence(first, USAGE_WORDS)
            if cue:
                yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.75, "expression", f"usage-{unit}", (cue.phrase,))


class ServicePlanRecognizer(SpokenRecognizer):
    """The customer's plan, add-ons and features: "Unlimited with the international add-on"."""

    ENTITY = "SERVICE_PLAN"
    TERMS = Phrases((
        "unlimited", "unlimited plus", "unlimited premium", "unlimited elite", "unlimited starter", "family share",
        "family share plan", "family plan", "international add-on", "international add on", "international calling",
        "international pass", "travel pass", "day pass", "hotspot", "hotspot add-on", "mobile hotspot", "prepaid",
        "prepaid plan", "pay as you go", "basic", "basic plan", "senior plan", "data plan", "caller id", "call waiting",
        "three-way calling", "three way calling", "visual voicemail", "voicemail to text", "long distance package",
        "roaming package", "premium", "business plan",
    ))
    TAILS = Phrases(("plan", "add-on", "add on", "package", "lines", "line", "pass", "feature", "features"))
    JOIN = frozenset({"with", "and", "the", "plus", "a", "an", "of"})
    UNITS = frozenset({"gig", "gigs", "gb", "line", "lines", "gigabyte", "gigabytes"})
    OWNER = Phrases((
        "you're on", "you are on", "you have", "you've got", "you got", "your plan", "your line", "your account",
        "your lines", "i'm on", "i am on", "i have", "my plan", "on your account", "you're subscribed", "your",
        "my", "you also have", "includes",
    ))

    def find(self, ctx: Context) -> Iterator[Match]:
        runs = Runs(ctx)
        index = 0
        while index < len(ctx.pieces):
            hit = self.TERMS.match_at(ctx.norms, index)
            if not hit:
                index += 1
                continue
            first, last = index, index + hit[1] - 1
            j = last + 1
            while j < len(ctx.pieces) and ctx.pieces[j].line == ctx.pieces[first].line:
                if ctx.text[ctx.pieces[j - 1].end : ctx.pieces[j].start].strip(" ") not in ("",):
                    break  # punctuation ends the phrase
                k = j
                while k < len(ctx.pieces) and ctx.norms[k] in self.JOIN:
                    k += 1
                more = self.TERMS.match_at(ctx.norms, k) or self.TAILS.match_at(ctx.norms, k)
                run = runs.at(k)
                if more:
                    last, j = k + more[1] - 1, k + more[1]
                elif run is not None and ctx.norms[run.last + 1 : run.last + 2] and ctx.norms[run.last + 1] in self.UNITS:
                    last, j = run.last + 1, run.last + 2
                else:
                    break
            owner = ctx.cue_before(first, self.OWNER, 8, same_sentence=True)
            generic = last == first and ctx.norms[first] in ("basic", "premium", "prepaid")
            if owner and not ctx.ends_with_question(first) and not generic:
                yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.7, "lexicon", "plan-terms", (owner.phrase,))
            index = last + 1
