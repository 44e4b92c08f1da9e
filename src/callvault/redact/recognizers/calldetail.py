"""Call detail (47 CFR 64.2003(d)): when, how long and where a specific call was.

A date, length or place is call detail only when the sentence is about a
call; "hold for two minutes" or "our store in Toronto" is not.
"""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.expressions import AGO_UNITS, MONTHS, WEEKDAYS, spans_of
from callvault.redact.recognizers.base import Match, SpokenRecognizer

CALL_WORDS = Phrases((
    "call", "called", "calls", "dialed", "dialled", "phoned", "rang", "talked", "spoke", "incoming",
    "outgoing", "lasted", "call from", "call to", "on the phone", "roaming",
))
NOT_A_CALL = Phrases(("hold", "wait", "give me", "take", "takes", "every", "per", "within", "up to", "a month", "for calling", "in about"))
USAGE_WORDS = Phrases((
    "used", "usage", "you've used", "so far", "went over", "over by", "overage", "made", "sent", "received",
    "texted", "streamed", "this month", "last month", "this cycle", "billing cycle", "consumed", "you used",
    "use", "uses", "using",
))
LENGTH_WORDS = Phrases(("long", "went", "lasted", "longest", "ran", "talked", "longest one", "it was", "that was", "for"))
TOTALS = Phrases(("of calls", "of talk", "of talk time", "total", "in total", "combined", "altogether", "of usage", "of airtime", "used", "of it", "of them", "of that"))
PAYMENT_WORDS = Phrases(("due", "pay", "payment", "paid", "autopay", "bill", "expires", "expiration", "born", "birth"))


SCHEDULE_WORDS = Phrases((
    "cycle", "billing cycle", "statement", "closed", "closes", "due", "through", "until", "till", "by", "offer",
    "effective", "starting", "renews", "expires", "open", "anytime", "hours", "appointment", "technician",
    "ships", "arrive", "arrives", "delivered", "posted", "credit", "refund", "promo", "promotion", "autopay",
    "come out", "come by", "visit", "schedule", "scheduled", "install", "installation",
))
NOT_CALL_DETAIL_AFTER = frozenset({"you", "us", "back", "anytime", "center", "centre", "list", "again", "is", "may", "will", "recording", "recorded"})
FEATURE_NOUNS = frozenset({"forwarding", "waiting", "block", "blocking", "id", "barring", "screening", "log", "logs"})
DETERMINERS = frozenset({"the", "a", "that", "one", "any", "last", "first", "those", "these", "each", "every", "your", "his", "her", "my"})
LINES_BACK = 4  # a call talked about a few turns back still frames "and the one on the 14th?"
RECORD_MARKERS = frozenset({"one", "ones", "number", "numbers"})  # "the one on the 9th", "that number on Tuesday"
WHEN_QUESTIONS = Phrases(("when", "what day", "what time", "what date", "which day", "what night", "how long ago"))
MONTHLY = Phrases(("every month", "each month", "a month", "monthly", "every cycle"))


def _call_cues(ctx: Context) -> list[tuple[int, int, str]]:
    """Call words that point at specific calls: "thanks for calling", "call us back", "calling list" aside."""
    cues = ctx.memo.get("call-cues")
    if cues is None:
        cues = ctx.memo["call-cues"] = [
            (first, last, phrase) for first, last, phrase in ctx.find(CALL_WORDS)
            if ctx.norms[first - 1 : first] not in (["for"], ["this"])  # "thanks for calling", "this call is recorded"
            and not (ctx.norms[last + 1 : last + 2] and ctx.norms[last + 1] in FEATURE_NOUNS)  # "call forwarding"
            and (ctx.norms[first - 1 : first] and ctx.norms[first - 1] in DETERMINERS  # "the call you asked about"
                 or ctx.norms[last + 1 : last + 2] and ctx.norms[last + 1] not in NOT_CALL_DETAIL_AFTER)
        ]
    return cues


def _call_sentence(ctx: Context, index: int) -> str | None:
    """A call word in the sentence of piece ``index`` ("thanks for calling" aside)."""
    sentence = ctx.sentence[index]
    for first, _, phrase in _call_cues(ctx):
        if ctx.sentence[first] == sentence:
            return phrase
    return None


def _call_discourse(ctx: Context, index: int) -> str | None:
    """Calls talked about in this turn or the few turns before, and this sentence points at one of them.

    It points at a call when it holds a phone number, "the one" or "that
    number", or answers the other side's "when?"; "we moved in January"
    after talk of calls does not.
    """
    line = ctx.pieces[index].line
    pieces = ctx.sentence_pieces(index)
    points = any(ctx.norms[i] in RECORD_MARKERS for i in pieces) or _answers_when(ctx, line)
    reach = LINES_BACK if points else 1  # without a pointer, only calls of this turn or the one before
    for first, _, phrase in _call_cues(ctx):
        if line - reach <= ctx.pieces[first].line <= line and first < index + 40:
            return phrase
    return None


def _answers_when(ctx: Context, line: int) -> bool:
    """The other side's last turn asked when."""
    asked = ctx.line_pieces(line - 1)
    return bool(asked) and ctx.ends_with_question(asked[-1]) and ctx.cue_in_sentence(asked[-1], WHEN_QUESTIONS) is not None


def _phone_in_sentence(ctx: Context, index: int) -> bool:
    """A dialled number (seven digits or more) in the same sentence: the time is that call's."""
    sentence = ctx.sentence[index]
    return any(len(run.digits) >= 7 and ctx.sentence[run.first] == sentence for run in ctx.runs())


def _words(ctx: Context, first: int, last: int) -> tuple[str, ...]:
    return tuple(ctx.norms[first : last + 1])


FULL_MONTHS = frozenset(name for name, _ in MONTHS.items() if len(name) > 3 or name == "may")


class CallTimeRecognizer(SpokenRecognizer):
    """When a call happened: "March 3rd at 9:14 PM", "last Tuesday night", "the one on the 14th"."""

    ENTITY = "CALL_TIME"

    def find(self, ctx: Context) -> Iterator[Match]:
        said: set[tuple[str, ...]] = set()
        for first, last in self._expressions(ctx):
            if ctx.cue_before(first, PAYMENT_WORDS, 3, same_sentence=True) or ctx.cue_before(first, SCHEDULE_WORDS, 4, same_sentence=True):
                continue
            call = _call_sentence(ctx, first)
            how = "call-datetime"
            if call and ctx.cue_in_sentence(first, NOT_A_CALL) and not ctx.cue_before(first, CALL_WORDS, 10, same_sentence=True):
                continue
            if ctx.cue_after(last, MONTHLY, 2):
                continue  # "on the fifth every month": a schedule
            if not call and not ctx.cue_in_sentence(first, SCHEDULE_WORDS) and not ctx.cue_in_sentence(first, NOT_A_CALL):
                if _phone_in_sentence(ctx, first):
                    call, how = "a dialled number in the sentence", "call-datetime-number"
                else:
                    call, how = _call_discourse(ctx, first), "call-datetime-discourse"
            if not call and _words(ctx, first, last) in said:
                call, how = "the same time said before", "call-datetime-echo"
            if not call:
                continue
            words = _words(ctx, first, last)
            said.update(words[:n] for n in range(1, len(words) + 1))  # "May 2nd" echoes "May 2nd at 6:48"
            yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.75 if how == "call-datetime" else 0.65, "expression", how, (call,))

    @staticmethod
    def _expressions(ctx: Context) -> list[tuple[int, int]]:
        """Dates and times the grammar reads, plus spaCy's DATE/TIME spans that name a day or hold a number."""
        spans = spans_of(ctx, "datetime")
        lengths = spans_of(ctx, "duration")
        for start, end, label in ctx.ner_spans:
            if label != "DATE_TIME":
                continue
            first, last = ctx.span_pieces(start, end)
            if last < first or any(a <= last and first <= b for a, b in [*spans, *lengths]):
                continue
            words = set(ctx.norms[first : last + 1])
            if words & AGO_UNITS and "ago" not in words:
                continue  # "up to 30 days", "about 40 minutes": a length, not a time
            named = words & (FULL_MONTHS | WEEKDAYS)
            numbers = [i for i in range(first, last + 1) if ctx.pieces[i].kind != "word"]
            if numbers and not named and all(ctx.pieces[i].kind == "digits" for i in numbers) and ":" not in ctx.text[start:end]:
                continue  # "44109", "3307": bare digits spaCy calls a date are a zip or a line
            if named or numbers:
                spans.append((first, last))
        return sorted(spans)


class CallDurationRecognizer(SpokenRecognizer):
    """How long a call lasted: "for 42 minutes", "an hour and ten", "a twelve second call"."""

    ENTITY = "CALL_DURATION"

    def find(self, ctx: Context) -> Iterator[Match]:
        for first, last in spans_of(ctx, "duration"):
            length = ctx.cue_before(first, LENGTH_WORDS, 4, True)
            if ctx.cue_after(last, TOTALS, 2) or (ctx.cue_before(first, USAGE_WORDS, 5, True) and not length):
                continue  # "forty minutes of calls", "3 hours total", "you've used 200 minutes": usage, not one call
            call = _call_sentence(ctx, first) or (length.phrase if length else None)
            if not call and _phone_in_sentence(ctx, first):
                call = "a dialled number in the sentence"
            if not call and self._call_turn(ctx, first):
                call = "calls talked about in the turn"
            if not call:
                continue
            if ctx.cue_before(first, NOT_A_CALL, 5, same_sentence=True):
                continue
            if ctx.norms[first - 1 : first] == ["in"]:
                continue  # "in 10 minutes": a promise, not a call's length
            # a length said of one call ("the longest was", "lasted") outranks a usage reading of the same words
            score = 0.75 + (0.1 * proximity(length, 4) if length else 0.0)
            yield Match(ctx.pieces[first].start, ctx.pieces[last].end, score, "expression", "call-duration", (call,))

    @staticmethod
    def _call_turn(ctx: Context, first: int) -> bool:
        """The turn (or the one before) talks about specific calls, and the length is not a wait or a promise."""
        line = ctx.pieces[first].line
        lead = ctx.norms[first - 1] if first else ""
        if lead in ("in", "within", "hold", "wait", "takes", "take", "every", "per", "next", "first", "last", "than"):
            return False  # "in 10 minutes", "hold for", "the next two minutes": not a call's length
        return any(ctx.pieces[a].line in (line, line - 1) for a, _, _ in ctx.find(CALL_WORDS))
