"""USAGE_QTY: how much of the service the customer used, told apart from what a plan or an offer gives.

A quantity is a number with a unit of use (gigs, texts, calls, minutes), a
count of calls with their kind between ("9 roaming calls"), an overage ("40
over"), what is left ("about 2 left"), or a bare number that repeats or
continues a usage quantity of the same talk ("3.5 gigs this month and about
six the month before"; "Seventy?"). It is no usage when the nearest frame
before it is an allowance, a cap or an offer ("comes with", "capped at",
"you'd get"), when the unit names a product ("the five gig plan", "a 2-gig
cap"), or when it repeats an allowance just set.
"""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Cue, Phrases
from callvault.redact.expressions import Runs, telecom_call
from callvault.redact.recognizers.base import Match, SpokenRecognizer
from callvault.redact.recognizers.bill import carrier_speech, offer_in_sentence
from callvault.redact.recognizers.calldetail import USAGE_WORDS

DATA_UNITS = frozenset({"gig", "gigs", "gb", "gigabyte", "gigabytes", "megabytes", "mb", "megs", "texts", "messages", "text"})
COUNT_UNITS = frozenset({"calls", "times"})
TIME_UNITS = frozenset({"minutes", "mins"})
# Head nouns of a product: a quantity right before one names the product ("a 3 gig data refill").
PRODUCT_HEADS = frozenset({
    "plan", "plans", "package", "bundle", "pack", "pass", "booster", "top-up", "topup", "feature", "tier", "add-on",
    "addon", "pool", "promo", "discount", "service",
})
# What a quantity may modify instead of being counted: "the 2-gig cap", "a five gig option".
LIMITS = PRODUCT_HEADS | {"cap", "limit", "alert", "refill", "bucket", "allowance"}
MODIFIED = LIMITS | {"option", "version", "one", "is", "data"}
ALLOWANCE = Phrases((
    "comes with", "come with", "includes", "include", "gives you", "give you", "would give", "cap", "capped", "alert",
    "set at", "pauses at", "out of", "up to", "limit", "allowance", "you get", "get you", "it's got", "plan has",
    "has", "you'd get", "he'd get", "she'd get", "they'd get", "you'd have", "would get", "you'd keep", "stops at",
))
# Kinds of calls said between the count and "calls": "7 outgoing calls", "12 long-distance calls".
CALL_KINDS = frozenset({
    "outgoing", "incoming", "other", "more", "international", "long", "short", "missed", "separate", "different",
    "distance", "roaming", "local", "domestic", "overseas", "toll", "free", "dropped", "unanswered", "video",
})
UNITS = DATA_UNITS | COUNT_UNITS | TIME_UNITS
RATE_AFTER = ("a", "per", "each", "total", "of", "so")
WAITING = Phrases(("hold", "wait", "waiting", "give me", "takes", "take", "within", "in about", "bear with"))
REMAINING = Phrases(("you've got", "you have", "you got", "there's", "down to", "you're at", "you were at"))
LEFT_AFTER = frozenset({"left", "remaining", "now", "so"})
TOTALS = frozenset({"total", "altogether", "combined", "overall"})
AGGREGATE = (("of", "calls"), ("of", "talk"), ("of", "calling"), ("of", "talk", "time"))
# The customer's own use said in the present: "you use about 12 gigs", "based on your 3 gigs a month".
USE_NOW = Phrases(("use", "uses", "using", "you use", "your usage"))
USE_VERBS = frozenset({"used", "sent", "made", "use", "using"})
HEDGES = frozenset({"about", "like", "around", "roughly", "almost", "nearly", "just", "only", "over"})
EDGE = frozenset({"the", "last", "this", "in", "a", "per", "each", "before", "ago", "that"})


class UsageQuantityRecognizer(SpokenRecognizer):
    """Amount of use: "1,240 minutes", "twelve gigabytes", "38 calls", "6.1 gigs", "7 outgoing calls"."""

    ENTITY = "USAGE_QTY"

    def find(self, ctx: Context) -> Iterator[Match]:
        if not carrier_speech(ctx):
            return  # tablets, tires and guests are counted in other industries' calls
        telecom = telecom_call(ctx)
        runs = Runs(ctx)
        found: list[Match] = []
        used: dict[str, int] = {}  # digits: line of a usage quantity
        allowed: dict[str, int] = {}  # digits: line of an allowance or cap
        seen: set[int] = set()
        for first, run in sorted(runs.by_first.items()):
            if first in seen or run.groups[0].kind == "ordinal" or any(g.line != run.groups[0].line for g in run.groups):
                continue
            hit = self._quantity(ctx, run, telecom)
            if hit is None:
                continue
            end, score, pattern, words, usage = hit
            line = ctx.pieces[first].line
            if not usage:
                allowed.setdefault(run.digits, line)
                continue
            if run.digits in allowed and 0 <= line - allowed[run.digits] <= 2 and not ctx.cue_in_sentence(first, USAGE_WORDS):
                continue  # "4 gigs for her, yes": the cap just offered, said back
            seen.update(range(first, end + 1))
            used.setdefault(run.digits, line)
            start = first
            whole = runs.at(first - 2) if ctx.norms[first - 1 : first] == ["point"] else None
            if whole is not None and whole.last == first - 2:
                start = whole.first  # "nine point four gigs": the whole number, not its decimals alone
            elif first > 0 and ctx.pieces[first - 1].kind == "digits" and ctx.text[ctx.pieces[first - 1].end : ctx.pieces[first].start] == ".":
                start = first - 1  # "4.7 GB" read as two numbers
            found.append(Match(ctx.pieces[start].start, ctx.pieces[end].end, score, "expression", pattern, words))
        found.extend(self._bare(ctx, runs, seen, used, found))
        yield from sorted(found, key=lambda m: m.start)

    @staticmethod
    def _quantity(ctx: Context, run, telecom: bool):
        """(end, score, pattern, cue words, is-usage) for a number with a unit of use, else None."""
        first = run.first
        k = run.last + 1
        for _ in range(2):
            if k < len(ctx.norms) and ctx.norms[k] in CALL_KINDS and UNITS.intersection(ctx.norms[k + 1 : k + 3]):
                k += 1
        unit = ctx.norms[k] if k < len(ctx.norms) else ""
        nxt = ctx.norms[k + 1] if k + 1 < len(ctx.norms) else ""
        same_line = k < len(ctx.pieces) and ctx.pieces[k].line == ctx.pieces[first].line
        if not same_line:
            return None
        cue = ctx.cue_in_sentence(first, USAGE_WORDS) or ctx.cue_before(first, USE_NOW, 3, same_sentence=True)
        if cue is None and ctx.norms[first - 1 : first] == ["your"]:
            cue = Cue("your", 0, first - 1)
        if unit == "over" and (cue or _unit_in_sentence(ctx, first)):
            return (k, 0.75, "usage-over", ("over",), True)  # "you're 40 over": an overage
        if unit == "data" and cue:
            return (k, 0.72, "usage-data", (cue.phrase,), True)  # "used no data", "used zero data"
        if unit not in DATA_UNITS and unit not in COUNT_UNITS and unit not in TIME_UNITS and unit not in ("hours", "hour"):
            return None
        modified = LIMITS if unit.endswith("s") else MODIFIED  # "5 gigs was video" is use; "the 5 gig is" a plan
        if nxt in modified and unit not in COUNT_UNITS:
            return None  # "the ten gig plan", "a 2-gig cap": a product's or a limit's name
        if ctx.text[ctx.pieces[k - 1].end : ctx.pieces[k].start] == "-" and unit in ("gig", "gb", "minute"):
            return None  # "a 100-minute booster"
        if not telecom and not cue:
            return None  # "two kids", "four tires": counts in a call about no telecom service
        before = ctx.cue_before(first, USAGE_WORDS, 8, same_sentence=True)
        allowance = ctx.cue_before(first, ALLOWANCE, 6, same_sentence=True)
        if allowance and (before is None or allowance.distance < before.distance):
            return (k, 0.0, "", (), False)  # what a plan, a cap or an offer gives, not what was used
        if not cue and offer_in_sentence(ctx, first):
            return (k, 0.0, "", (), False)
        end = k
        if unit in ("hours", "hour"):
            if nxt not in TOTALS:
                return None  # one call's length; "3 hours total" over many calls is use
            return (k + 1, 0.85, "usage-hours", (nxt,), True)
        if unit in TIME_UNITS:
            if ctx.cue_in_sentence(first, WAITING) or ctx.norms[first - 2 : first] in (["hours", "and"], ["hour", "and"]):
                return None  # "hold for about two minutes", "an hour and ten minutes": a length
            remaining = ctx.cue_before(first, REMAINING, 3, same_sentence=True) or nxt in LEFT_AFTER
            if not (cue or remaining or nxt in RATE_AFTER or ctx.norms[first - 1 : first] == ["about"]):
                return None
        if nxt in ("a", "per") and ctx.norms[k + 2 : k + 3] in (["month"], ["day"]):
            end = k + 2
        aggregate = any(tuple(ctx.norms[k + 1 : k + 1 + len(a)]) == a for a in AGGREGATE)
        score = 0.85 if aggregate else 0.78 if cue else 0.72
        return (end, score, f"usage-{unit}", (cue.phrase,) if cue else (), True)

    @staticmethod
    def _bare(ctx: Context, runs: Runs, seen: set[int], used: dict[str, int], found: list[Match]) -> Iterator[Match]:
        """Bare numbers that repeat, continue or complete a usage quantity of the same talk."""
        sentences = {ctx.sentence[ctx.span_pieces(m.start, m.end)[0]] for m in found}
        for first, run in sorted(runs.by_first.items()):
            if first in seen or run.groups[0].kind == "ordinal" or any(g.line != run.groups[0].line for g in run.groups):
                continue
            if len(run.digits) > 5 or ctx.text[run.start - 1 : run.start] in ("$", "-") or ctx.text[run.end : run.end + 1] in ("-", ":", "%"):
                continue
            nxt = run.last + 1
            after = ctx.norms[nxt] if nxt < len(ctx.norms) and ctx.sentence[nxt] == ctx.sentence[first] else ""
            line = ctx.pieces[first].line
            k = first - 1
            while k >= 0 and ctx.norms[k] in HEDGES:
                k -= 1
            joined = k >= 1 and ctx.norms[k] in ("and", "or") and ctx.sentence[k] == ctx.sentence[first] and ctx.pieces[k - 1].kind == "word" and not ctx.norms[k - 1].isdigit() and k - 1 not in ctx.number_pieces and not any(r.first <= k - 1 <= r.last for r in ctx.runs())
            echo = run.digits in used and len(run.digits) >= 2 and 0 < line - used[run.digits] <= 2 and (after in EDGE or not after or ctx.text[run.end : run.end + 1] in (",", "?", "!", "."))
            if echo:
                yield Match(run.start, run.end, 0.72, "expression", "usage-echo", ("said before as usage",))
            elif k >= 0 and ctx.norms[k] in USE_VERBS and ctx.sentence[k] == ctx.sentence[first] and _unit_in_sentence(ctx, first) and (after in EDGE or not after):
                yield Match(run.start, run.end, 0.7, "expression", "usage-elided", (ctx.norms[k],))  # "... 500 minutes and you used four eighty"
            elif ctx.sentence[first] in sentences and (after in ("left", "remaining") or (joined and (after in EDGE or not after))):
                yield Match(run.start, run.end, 0.7, "expression", "usage-continued", (after or ctx.norms[k],))


def _unit_in_sentence(ctx: Context, first: int) -> bool:
    return any(ctx.norms[i] in DATA_UNITS or ctx.norms[i] in COUNT_UNITS or ctx.norms[i] in TIME_UNITS for i in ctx.sentence_pieces(first))
