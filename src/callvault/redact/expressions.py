"""Dates, times, durations, quantities and money as ASR writes them.

Each finder returns piece ranges ``(first, last)`` (inclusive) of a Context,
so a span covers exactly the words that were spoken. They only say what an
expression is ("March third around nine fifteen p m" is a date-time); the
recognizers decide from context whether it is call detail, a birth date or a
bill.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callvault.redact.context import Context
from callvault.redact.spoken import ORDINAL_WORDS, TENS, NumberRun, luhn_ok

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11,
    "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
DAY_PARTS = frozenset({"morning", "afternoon", "evening", "night", "tonight"})
DURATION_UNITS = frozenset({"minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "second", "seconds", "sec", "secs"})
QUANTITY_UNITS = frozenset({
    "gigabytes", "gigabyte", "gigs", "gig", "gb", "megabytes", "megabyte", "mb", "megs",
    "texts", "text", "messages", "calls", "minutes", "mins",
})
MERIDIEM = frozenset({"am", "pm", "a.m", "p.m", "oclock", "o'clock"})


@dataclass(frozen=True)
class SpokenValue:
    """One typed value read from call speech, "$84.20" and "eighty four twenty" alike.

    ``kind`` is what the grammar read it as: "digits" (a digit string, with
    its length and whether it passes Luhn), "money" (with a currency word or
    sign), "spoken-money" (money-shaped words, no currency), "duration",
    "quantity" (with its unit), "datetime". Pieces ``first``..``last`` and
    characters ``start``..``end`` locate it; recognizers decide from the
    context around it which entity it is. The digits never reach a repr.
    """

    kind: str
    first: int
    last: int
    start: int
    end: int
    unit: str = ""
    digits: str = field(default="", repr=False)

    @property
    def luhn(self) -> bool:
        return len(self.digits) >= 12 and luhn_ok(self.digits)


def spoken_values(ctx: Context) -> tuple[SpokenValue, ...]:
    """Every typed value of the text, read once per Context and shared by all recognizers."""
    found = ctx.memo.get("values")
    if found is None:
        runs = Runs(ctx)
        found = ctx.memo["values"] = tuple(sorted(_read_values(ctx, runs), key=lambda v: (v.first, v.last, v.kind)))
    return found  # type: ignore[return-value]


def values_of(ctx: Context, kind: str) -> list[SpokenValue]:
    return [v for v in spoken_values(ctx) if v.kind == kind]


def spans_of(ctx: Context, kind: str) -> list[tuple[int, int]]:
    """Piece ranges ``(first, last)`` of the values of one kind, in text order."""
    return [(v.first, v.last) for v in values_of(ctx, kind)]


def _read_values(ctx: Context, runs: "Runs"):
    def value(kind: str, first: int, last: int, unit: str = "", digits: str = "") -> SpokenValue:
        return SpokenValue(kind, first, last, ctx.pieces[first].start, ctx.pieces[last].end, unit, digits)

    for run in ctx.runs():
        for part in [run, *run.line_parts()] if len(run.line_parts()) > 1 else [run]:
            yield value("digits", part.first, part.last, digits=part.digits)
    yield from (value("money", a, b) for a, b in find_amounts(ctx, runs))
    yield from (value("spoken-money", a, b) for a, b in find_spoken_amounts(ctx, runs))
    yield from (value("duration", a, b) for a, b in find_durations(ctx, runs))
    yield from (value("quantity", a, b, unit) for a, b, unit in find_quantities(ctx, runs))
    yield from (value("datetime", a, b) for a, b in find_datetimes(ctx, runs))


class Runs:
    """Index of a context's number runs (and their line parts) by first piece."""

    def __init__(self, ctx: Context):
        self.by_first: dict[int, NumberRun] = {}
        for run in ctx.runs():
            for part in [run, *run.line_parts()]:
                self.by_first.setdefault(part.first, part)

    def at(self, index: int) -> NumberRun | None:
        return self.by_first.get(index)


def _norm(ctx: Context, index: int) -> str:
    return ctx.norms[index] if 0 <= index < len(ctx.norms) else ""


def _day(ctx: Context, runs: Runs, i: int) -> int | None:
    """End piece of a day of month at i: "3rd", "3", "third", "twenty first", "fourteenth"."""
    word = _norm(ctx, i)
    if word in ORDINAL_WORDS:
        return i
    if word in TENS and _norm(ctx, i + 1) in ORDINAL_WORDS and ORDINAL_WORDS[_norm(ctx, i + 1)] < 10:
        return i + 1
    piece = ctx.pieces[i] if i < len(ctx.pieces) else None
    if piece is not None and piece.kind in ("digits", "ordinal") and 1 <= int(piece.text) <= 31 and len(piece.text) <= 2:
        return i
    run = runs.at(i)
    if run is not None and run.groups[0].kind == "words" and 1 <= int(run.groups[0].digits) <= 31:
        return run.groups[0].last
    return None


def _year(ctx: Context, runs: Runs, i: int) -> int | None:
    """End piece of a year at i: "1980", "nineteen seventy two", "twenty twenty seven", "'27"."""
    run = runs.at(i)
    if run is None:
        return None
    digits = ""
    for group in run.groups:
        digits += group.digits
        if len(digits) == 4 and (digits.startswith("19") or digits.startswith("20")):
            return group.last
        if len(digits) > 4:
            break
    first = run.groups[0]
    if len(first.digits) == 2:
        return first.last
    return None


def _time(ctx: Context, runs: Runs, i: int, bare_ok: bool) -> int | None:
    """End piece of a clock time at i: "9:14 pm", "nine fifteen p m", "8 o'clock", "noon"."""
    word = _norm(ctx, i)
    if word in ("noon", "midnight"):
        return i
    run = runs.at(i)
    if run is None or ctx.pieces[i].line != ctx.pieces[run.last].line:
        return None
    groups = list(run.groups[:3])
    hour = int(groups[0].digits) if groups[0].digits.isdigit() and len(groups[0].digits) <= 2 else None
    if hour is None or hour > 24:
        return None
    end = groups[0].last
    colon = minutes = False
    if len(groups) >= 2 and len(groups[1].digits) == 2 and int(groups[1].digits) < 60:
        colon = ctx.text[groups[0].end : groups[1].start] == ":"
        if colon or groups[1].kind == "words":
            end, minutes = groups[1].last, True
    elif len(groups) == 3 and groups[1].digits == "0" and len(groups[2].digits) == 1 and groups[1].kind == "words":
        end, minutes = groups[2].last, True  # "nine oh five"
    nxt, nxt2 = _norm(ctx, end + 1), _norm(ctx, end + 2)
    if nxt in ("a", "p") and nxt2 == "m":
        return end + 2
    if nxt in MERIDIEM or nxt.replace(".", "") in ("am", "pm"):
        return end + 1
    if nxt == "in" and nxt2 == "the" and _norm(ctx, end + 3) in DAY_PARTS:
        return end + 3  # "one in the morning"
    if nxt == "at" and nxt2 == "night" and hour <= 12:
        return end + 2
    if colon or bare_ok:
        return end
    if minutes and hour <= 12 and _norm(ctx, i - 1) in ("at", "around", "about") and groups[0].kind == "words":
        return end  # "at four ten", "around eight forty two": an hour and its minutes said in words
    return None


def _date(ctx: Context, runs: Runs, i: int) -> int | None:
    """End piece of a date at i."""
    word = _norm(ctx, i)
    piece = ctx.pieces[i]
    month = MONTHS.get(word)
    if month is not None and (word != "may" or piece.text[0] == "M" or _day(ctx, runs, i + 1) is not None) and (word != "march" or piece.text[0] == "M" or _day(ctx, runs, i + 1) is not None):
        end = i
        j = i + 1 + (_norm(ctx, i + 1) == "the")
        day = _day(ctx, runs, j)
        if day is not None:
            end, j = day, day + 1
        elif _norm(ctx, j) == "of":
            j += 1
        year = _year(ctx, runs, j)
        if year is not None:
            end = year
        if end == i and word == "may":
            return None
        return end
    if word == "the" and i + 1 < len(ctx.pieces):
        nxt = _norm(ctx, i + 1)
        ordinal = ctx.pieces[i + 1].kind == "ordinal" or nxt in ORDINAL_WORDS or (nxt in TENS and _norm(ctx, i + 2) in ORDINAL_WORDS)
        dated = _norm(ctx, i - 1) in ("on", "since", "from", "until") or _norm(ctx, i + 2) in ("of", "at", "around")
        if not ordinal or (nxt in ("first", "second", "third") and not dated):
            return None  # "the first thing", "the second line"; "on the second" is a date
        day = _day(ctx, runs, i + 1)
        if day is None:
            return None
        if _norm(ctx, day + 1) == "of" and _norm(ctx, day + 2) in MONTHS:
            return day + 2
        return day
    if word in ("last", "this", "next", "past", "every", "late", "early") and _norm(ctx, i + 1) in WEEKDAYS | DAY_PARTS:
        end = i + 1
        if _norm(ctx, end + 1) in DAY_PARTS:
            end += 1
        return end
    if word == "the" and _norm(ctx, i + 1) in ("night", "day", "morning") and _norm(ctx, i + 2) in ("before", "after"):
        return i + 2  # "the night before"
    ago = _ago(ctx, runs, i)
    if ago is not None:
        return ago
    if word == "a" and _norm(ctx, i + 1) in WEEKDAYS:
        return i + 1
    if word in WEEKDAYS or word == "yesterday":
        end = i
        if _norm(ctx, end + 1) in DAY_PARTS:
            end += 1
        return end
    return None


AGO_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "hour", "hours", "minutes"})


def _ago(ctx: Context, runs: Runs, i: int) -> int | None:
    """End piece of "two weeks ago", "a couple of days ago", "a few hours ago" starting at i."""
    j = i
    if _norm(ctx, j) == "a" and _norm(ctx, j + 1) in ("couple", "few"):
        j += 2 + (_norm(ctx, j + 2) == "of")
    elif _norm(ctx, j) in ("a", "an", "couple", "few", "several"):
        j += 1
    else:
        run = runs.at(j)
        if run is None or run.groups[0].kind == "ordinal":
            return None
        j = run.last + 1
    if _norm(ctx, j) in AGO_UNITS and _norm(ctx, j + 1) == "ago":
        return j + 1
    return None


def _between(ctx: Context, runs: Runs, i: int) -> int | None:
    """End piece of "between six and seven in the evening", "between 9 and 11 a.m." (i at the first hour)."""
    run = runs.at(i)
    if _norm(ctx, i - 1) != "between" or run is None or _norm(ctx, run.last + 1) != "and":
        return None
    if not run.digits.isdigit() or int(run.digits[:2] if len(run.digits) > 2 else run.digits) > 24:
        return None
    second = _time(ctx, runs, run.last + 2, bare_ok=False)
    return second


def find_datetimes(ctx: Context, runs: Runs | None = None) -> list[tuple[int, int]]:
    """Dates and times: "March 3rd at 9:14 PM", "last Tuesday night", "the 14th", "yesterday"."""
    runs = runs or Runs(ctx)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(ctx.pieces):
        end = _date(ctx, runs, i)
        if end is not None:
            k = end + 1
            if _norm(ctx, k) in ("at", "around", "about", "approximately") and ctx.sentence[k] == ctx.sentence[end]:
                k += _norm(ctx, k) == "at" and _norm(ctx, k + 1) in ("around", "about", "approximately")  # "at around seven"
                t = _time(ctx, runs, k + 1, bare_ok=True)
                if t is not None:
                    end = t
            spans.append((i, end))
            i = end + 1
            continue
        start = i + 1 if _norm(ctx, i) in ("at", "around", "about") else i
        t = _between(ctx, runs, start) if start < len(ctx.pieces) else None
        if t is None and start < len(ctx.pieces):
            t = _time(ctx, runs, start, bare_ok=False)
        if t is not None:
            spans.append((start, t))
            i = t + 1
            continue
        i += 1
    return spans


def find_durations(ctx: Context, runs: Runs | None = None) -> list[tuple[int, int]]:
    """Lengths of time: "42 minutes", "forty two minutes", "an hour and ten", "twelve second"."""
    runs = runs or Runs(ctx)
    spans: list[tuple[int, int]] = []
    for i in range(len(ctx.pieces)):
        if spans and i <= spans[-1][1]:
            continue
        word = _norm(ctx, i)
        run = runs.at(i)
        if run is not None and _norm(ctx, run.last + 1) in DURATION_UNITS:
            end = run.last + 1
        elif word in ("a", "an", "one") and _norm(ctx, i + 1) in ("hour", "minute"):
            end = i + 1
        elif word == "half" and _norm(ctx, i + 1) == "an" and _norm(ctx, i + 2) == "hour":
            end = i + 2
        else:
            continue
        if _norm(ctx, end + 1) == "and":
            tail = runs.at(end + 2)
            if tail is not None:
                end = tail.last + (_norm(ctx, tail.last + 1) in DURATION_UNITS)
        spans.append((i, end))
    return spans


def find_quantities(ctx: Context, runs: Runs | None = None) -> list[tuple[int, int, str]]:
    """Amounts of use: "1,240 minutes", "twelve gigabytes", "38 calls", "412 texts"."""
    runs = runs or Runs(ctx)
    spans: list[tuple[int, int, str]] = []
    for first, run in sorted(runs.by_first.items()):
        if spans and first <= spans[-1][1]:
            continue
        unit = _norm(ctx, run.last + 1)
        if unit in QUANTITY_UNITS:
            end = run.last + 1
            if unit == "text" and _norm(ctx, end + 1) == "messages":
                end += 1
            spans.append((first, end, unit))
    return spans


def find_amounts(ctx: Context, runs: Runs | None = None) -> list[tuple[int, int]]:
    """Money: "$84.20", "eighty four dollars and twenty cents", "112 dollars and 40 cents"."""
    runs = runs or Runs(ctx)
    spans: list[tuple[int, int]] = []
    for first, run in sorted(runs.by_first.items()):
        if spans and first <= spans[-1][1]:
            continue
        piece = ctx.pieces[first]
        dollar = piece.kind == "digits" and ctx.text[piece.start - 1 : piece.start] == "$"
        unit = _norm(ctx, run.last + 1)
        if dollar:
            end = run.last
            # "$84.20": the run may have joined more groups than the amount
            groups = run.groups
            if len(groups) > 2 or (len(groups) == 2 and ctx.text[groups[0].end : groups[1].start] not in (".", ",")):
                end = groups[0].last
            spans.append((first, end))
        elif unit in ("dollars", "dollar", "bucks"):
            end = run.last + 1
            if _norm(ctx, end + 1) == "and":
                cents = runs.at(end + 2)
                if cents is not None and _norm(ctx, cents.last + 1) in ("cents", "cent"):
                    end = cents.last + 1
            spans.append((first, end))
        elif unit in ("cents", "cent"):
            spans.append((first, run.last + 1))
    return spans


def expiry_digits_ok(digits: str) -> bool:
    """Digits that read as a card expiry: M/YY, MM/YY, M/YYYY, MM/YYYY."""
    for month_len in (1, 2):
        month, year = digits[:month_len], digits[month_len:]
        if month and 1 <= int(month) <= 12 and (len(year) == 2 or (len(year) == 4 and year.startswith("20"))):
            if month_len == 1 or month.startswith("0") or month.startswith("1"):
                return True
    return False


def birthdate_digits_ok(digits: str) -> bool:
    """Digits that read as MMDDYY or MMDDYYYY ("oh six oh two eighty")."""
    if len(digits) not in (6, 8):
        return False
    month, day, year = int(digits[:2]), int(digits[2:4]), digits[4:]
    return 1 <= month <= 12 and 1 <= day <= 31 and (len(year) == 2 or year[:2] in ("19", "20"))


TELECOM_WORDS = frozenset({
    "plan", "plans", "data", "gigs", "gig", "gigabytes", "texts", "texting", "roaming", "wireless", "hotspot", "sim",
    "voicemail", "unlimited", "minutes", "lines", "line", "calls", "coverage", "signal", "tower", "prepaid", "mobile",
    "cell", "carrier", "phone", "upgrade", "device", "internet", "cable", "wifi", "modem", "router", "tv", "dvr",
    "broadband", "fiber", "landline", "wireless", "verified", "passcode", "pin", "talk", "text",
})
RATE_TAILS = frozenset({"a", "per", "each", "even", "flat"})


def telecom_call(ctx: Context) -> bool:
    """The call talks about telecom service (several distinct service words): amounts in it are account CPNI."""
    found = ctx.memo.get("telecom")
    if found is None:
        found = ctx.memo["telecom"] = len(TELECOM_WORDS.intersection(ctx.norms)) >= 2
    return bool(found)


def find_spoken_amounts(ctx: Context, runs: Runs | None = None) -> list[tuple[int, int]]:
    """Money said without a currency word: "twenty nine ninety", "one twelve forty", "a hundred eighty four",
    "ninety six even", "ten a day", "forty five a month" (the caller decides from context whether it is money)."""
    runs = runs or Runs(ctx)
    spans: list[tuple[int, int]] = []
    for first, run in sorted(runs.by_first.items()):
        if spans and first <= spans[-1][1]:
            continue
        groups = run.groups
        if any(g.line != groups[0].line for g in groups) or run.groups[0].kind == "ordinal":
            continue
        words = all(g.kind == "words" for g in groups)
        hundred = any(ctx.norms[i] in ("hundred", "thousand") for g in groups for i in range(g.first, g.last + 1))
        after = ctx.norms[run.last + 1] if run.last + 1 < len(ctx.norms) else ""
        after2 = ctx.norms[run.last + 2] if run.last + 2 < len(ctx.norms) else ""
        rate = after in RATE_TAILS and (after2 in ("month", "day", "year", "week", "line") or after in ("each", "even", "flat"))
        dollars_cents = words and 2 <= len(groups) <= 3 and len(groups[-1].digits) == 2 and groups[-1].digits[0] != "0" and all(len(g.digits) <= 3 for g in groups)
        if rate or (words and (dollars_cents or hundred)):
            end = run.last + (2 if rate and after in ("a", "per") else 1 if rate else 0)
            spans.append((first, end))
    return spans
