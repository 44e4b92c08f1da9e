"""Call detail (47 CFR 64.2003(d)): when, how long and where a specific call was.

A date, length or place is call detail only when the sentence is about a
call; "hold for two minutes" or "our store in Toronto" is not.
"""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Phrases
from callvault.redact.expressions import MONTHS, WEEKDAYS, Runs, find_datetimes, find_durations
from callvault.redact.recognizers.base import Match, SpokenRecognizer

CALL_WORDS = Phrases((
    "call", "called", "calls", "dialed", "dialled", "phoned", "rang", "talked", "spoke", "incoming",
    "outgoing", "lasted", "call from", "call to",
))
NOT_A_CALL = Phrases(("hold", "wait", "give me", "take", "takes", "every", "per", "within", "up to", "a month", "for calling", "in about"))
USAGE_WORDS = Phrases((
    "used", "usage", "you've used", "so far", "went over", "over by", "overage", "made", "sent", "received",
    "texted", "streamed", "this month", "last month", "this cycle", "billing cycle", "consumed", "you used",
))
LENGTH_WORDS = Phrases(("long", "went", "lasted", "longest", "ran", "talked"))
PAYMENT_WORDS = Phrases(("due", "pay", "payment", "paid", "autopay", "bill", "expires", "expiration", "born", "birth"))


def _call_sentence(ctx: Context, index: int) -> str | None:
    """A call word in the sentence of piece ``index`` ("thanks for calling" aside)."""
    cue = ctx.cue_in_sentence(index, CALL_WORDS)
    return cue.phrase if cue else None


class CallTimeRecognizer(SpokenRecognizer):
    """When a call happened: "March 3rd at 9:14 PM", "last Tuesday night", "yesterday"."""

    ENTITY = "CALL_TIME"

    def find(self, ctx: Context) -> Iterator[Match]:
        spans = find_datetimes(ctx, Runs(ctx))
        # spaCy's DATE/TIME entities add what the rules miss, when they name a day or a number
        for start, end, label in ctx.ner_spans:
            if label != "DATE_TIME":
                continue
            first, last = ctx.span_pieces(start, end)
            if last < first or any(a <= last and first <= b for a, b in spans):
                continue
            words = set(ctx.norms[first : last + 1])
            if words & (set(MONTHS) | WEEKDAYS) or any(ctx.pieces[i].kind != "word" for i in range(first, last + 1)):
                spans.append((first, last))
        for first, last in spans:
            call = _call_sentence(ctx, first)
            if not call or ctx.cue_before(first, PAYMENT_WORDS, 3, same_sentence=True):
                continue
            if ctx.cue_in_sentence(first, NOT_A_CALL) and not ctx.cue_before(first, CALL_WORDS, 10, same_sentence=True):
                continue
            yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.75, "expression", "call-datetime", (call,))


class CallDurationRecognizer(SpokenRecognizer):
    """How long a call lasted: "for 42 minutes", "an hour and ten", "a twelve second call"."""

    ENTITY = "CALL_DURATION"

    def find(self, ctx: Context) -> Iterator[Match]:
        for first, last in find_durations(ctx, Runs(ctx)):
            call = _call_sentence(ctx, first) or (ctx.cue_before(first, LENGTH_WORDS, 4, True) or None)
            if not call and self._call_turn(ctx, first):
                call = "calls talked about in the turn"
            if not call:
                continue
            if ctx.cue_before(first, NOT_A_CALL, 5, same_sentence=True) or ctx.cue_in_sentence(first, USAGE_WORDS):
                continue
            if ctx.norms[first - 1 : first] == ["in"]:
                continue  # "in 10 minutes": a promise, not a call's length
            words = (call,) if isinstance(call, str) else (call.phrase,)
            yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.75, "expression", "call-duration", words)


    @staticmethod
    def _call_turn(ctx: Context, first: int) -> bool:
        """The turn (or the one before) talks about specific calls, and the length is not a wait or a promise."""
        line = ctx.pieces[first].line
        lead = ctx.norms[first - 1] if first else ""
        if lead in ("in", "within", "hold", "wait", "takes", "take", "every", "per", "next", "first", "last", "than"):
            return False  # "in 10 minutes", "hold for", "the next two minutes": not a call's length
        return any(ctx.pieces[a].line in (line, line - 1) for a, _, _ in ctx.find(CALL_WORDS))
