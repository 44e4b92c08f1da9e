"""Spoken numbers as ASR writes them, mapped back to the exact characters spoken.

ASR writes a card number as "4111 1111 ...", "four one one one, one one ...",
"double five", "fifty one oh five" or a mix, and splits it across segments and
even across the caller's turns. This module reads a transcript's canonical
text into:

- ``Piece``: a word or a digit string, with its character span in the text;
- ``NumberGroup``: one spoken number ("fifty one" -> "51", "double five" ->
  "55", "4111" -> "4111", "oh" -> "0"), with the span of exactly its words;
- ``NumberRun``: groups said one after another, separated only by commas,
  dashes, "uh", "slash" or by a short backchannel turn ("okay", "mm-hmm") of
  the other party, so a number split across turns is one run.

A group's digits concatenate: "nineteen eighty" is "1980", "eighty four
twenty" is "8420", "fifty one hundred" is "5100". Everything is pure and keeps
offsets, so a finding covers exactly the words that were spoken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

DIGIT_WORDS = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11,
    "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}
REPEATS = {"double": 2, "triple": 3}
# Words that may sit inside a spoken number without ending it.
JOINERS = frozenset({"uh", "um", "er", "erm", "ah", "hmm", "slash", "dash", "point"})
# A whole turn made only of these is a backchannel: a number continues over it.
BACKCHANNEL = frozenset({
    "okay", "ok", "uh-huh", "uh", "huh", "mhm", "mm-hmm", "mm", "hmm", "um", "yes",
    "yeah", "yep", "yup", "right", "got", "it", "go", "ahead", "on", "continue",
    "sure", "alright", "all", "and", "then", "next", "keep", "going", "thanks",
    "thank", "you", "great", "good", "perfect",
})
# Words after a number that make it a quantity of its own.
UNIT_WORDS = frozenset({
    "minutes", "minute", "mins", "min", "hours", "hour", "seconds", "second", "secs", "days", "day", "weeks", "months",
    "gigs", "gig", "gb", "gigabytes", "megabytes", "mb", "texts", "calls", "dollars", "dollar", "bucks", "cents",
    "percent", "lines",
})
# Leading words of the continuing turn that do not break the number ("and then 4444").
CONTINUERS = frozenset({"and", "then", "uh", "um", "okay", "ok", "so"})

_STRIP = "\"'“”‘’()[]{},.;:!?…"
_NUMERIC = re.compile(r"^\$?\d[\d,.:/\-]*%?$")
_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$", re.IGNORECASE)


@dataclass(frozen=True)
class Piece:
    """A word or a digit string of the text, with its character span."""

    start: int
    end: int
    text: str  # as written
    kind: str  # "word" | "digits" | "ordinal"
    line: int  # index of the newline-separated line (= transcript turn)

    @cached_property
    def norm(self) -> str:
        return self.text.lower().replace("’", "'")


@dataclass(frozen=True)
class NumberGroup:
    """One spoken number: its digits and the pieces it was read from."""

    first: int  # index of its first piece
    last: int  # index of its last piece (inclusive)
    start: int  # character span in the text
    end: int
    digits: str
    kind: str  # "numeral" (written in digits), "words", "ordinal"
    line: int


@dataclass(frozen=True)
class NumberRun:
    """Groups spoken one after another: one candidate number."""

    groups: tuple[NumberGroup, ...]

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)

    @property
    def start(self) -> int:
        return self.groups[0].start

    @property
    def end(self) -> int:
        return self.groups[-1].end

    @property
    def first(self) -> int:
        return self.groups[0].first

    @property
    def last(self) -> int:
        return self.groups[-1].last

    def sub(self, i: int, j: int) -> "NumberRun":
        """Groups i..j-1 as a run of their own."""
        return NumberRun(self.groups[i:j])

    def line_parts(self) -> list["NumberRun"]:
        """The run cut at turn boundaries: one part per line it spans."""
        parts: list[list[NumberGroup]] = []
        for group in self.groups:
            if parts and parts[-1][-1].line == group.line:
                parts[-1].append(group)
            else:
                parts.append([group])
        return [NumberRun(tuple(p)) for p in parts]


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def tokenize(text: str) -> list[Piece]:
    """Split text into pieces: words, and the digit strings of numeric tokens."""
    pieces: list[Piece] = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    line = 0
    for match in re.finditer(r"\S+", text):
        while line + 1 < len(line_starts) and line_starts[line + 1] <= match.start():
            line += 1
        raw = match.group()
        lead = len(raw) - len(raw.lstrip(_STRIP))
        core = raw.strip(_STRIP)
        if re.match(r"-+\d", core):
            # Whisper writes read-out digits as "6 -0 -1 -1": the hyphen joins, it is no minus sign.
            lead += len(core) - len(core.lstrip("-"))
            core = core.lstrip("-")
        if not core:
            continue
        start = match.start() + lead
        ordinal = _ORDINAL.match(core)
        if ordinal:
            # the span keeps the suffix ("9th"), so a redaction leaves no "[CALL_TIME]th" behind
            pieces.append(Piece(start, start + len(core), ordinal.group(1), "ordinal", line))
            continue
        compound = re.fullmatch(r"(\d+)-([A-Za-z]+)", core)
        if compound:
            # "12-minute", "5-gig": the number and its unit
            pieces.append(Piece(start, start + len(compound.group(1)), compound.group(1), "digits", line))
            unit_at = start + compound.start(2)
            pieces.append(Piece(unit_at, unit_at + len(compound.group(2)), compound.group(2), "word", line))
            continue
        if _NUMERIC.match(core):
            # "4111-1111", "08/27", "9:14", "$84.20", "1,240": one piece per digit string
            for digits in re.finditer(r"\d+", core):
                pieces.append(Piece(start + digits.start(), start + digits.end(), digits.group(), "digits", line))
            continue
        if "-" in core and re.fullmatch(r"[A-Za-z]+(-[A-Za-z]+)+", core) and core.lower() not in BACKCHANNEL:
            # "two-two-four", "twenty-seven", "add-on"
            for part in re.finditer(r"[A-Za-z]+", core):
                pieces.append(Piece(start + part.start(), start + part.end(), part.group(), "word", line))
            continue
        pieces.append(Piece(start, start + len(core), core, "word", line))
    return pieces


def _small(pieces: list[Piece], i: int) -> tuple[int, int] | None:
    """A number below 100 starting at piece i: (value, pieces used)."""
    word = pieces[i].norm
    if word in TEENS:
        return TEENS[word], 1
    if word in TENS:
        nxt = pieces[i + 1].norm if i + 1 < len(pieces) else ""
        if nxt in DIGIT_WORDS and DIGIT_WORDS[nxt] > 0 and nxt != "o" and _adjacent(pieces, i, i + 1):
            return TENS[word] + DIGIT_WORDS[nxt], 2
        return TENS[word], 1
    if word in DIGIT_WORDS:
        return DIGIT_WORDS[word], 1
    return None


def _adjacent(pieces: list[Piece], i: int, j: int) -> bool:
    """Pieces i and j are on one line with nothing but spaces or a hyphen between."""
    return pieces[i].line == pieces[j].line and pieces[j].start - pieces[i].end <= 1


def _is_number_word(word: str) -> bool:
    return word in DIGIT_WORDS or word in TEENS or word in TENS or word in REPEATS


def _word_group(pieces: list[Piece], i: int) -> tuple[str, int] | None:
    """A group spoken in words starting at piece i: (digits, pieces used)."""
    word = pieces[i].norm
    nxt = pieces[i + 1].norm if i + 1 < len(pieces) else ""
    if word in REPEATS and nxt and (nxt in DIGIT_WORDS or (pieces[i + 1].kind == "digits" and len(nxt) == 1)):
        digit = str(DIGIT_WORDS.get(nxt, nxt))
        return digit * REPEATS[word], 2
    if word in ("oh", "o"):
        # "oh" is a zero only next to another number ("oh eight", "five oh")
        before = i > 0 and _adjacent(pieces, i - 1, i) and (_number_piece(pieces[i - 1]) or pieces[i - 1].norm in ("oh", "o"))
        after = nxt and _adjacent(pieces, i, i + 1) and _number_piece(pieces[i + 1])
        return ("0", 1) if (before or after) else None
    if word == "a" and nxt in ("hundred", "thousand"):
        value, used = 1, 1
    else:
        small = _small(pieces, i)
        if small is None:
            return None
        value, used = small
    j = i + used
    if j < len(pieces) and pieces[j].norm == "thousand" and _adjacent(pieces, j - 1, j):
        value, j = value * 1000, j + 1
        hundreds = _small_at(pieces, j)
        if hundreds and hundreds[1] + j < len(pieces) and pieces[j + hundreds[1]].norm == "hundred":
            value, j = value + hundreds[0] * 100, j + hundreds[1] + 1
        tail = _small_at(pieces, j, allow_and=True)
        if tail:
            value, j = value + tail[0], j + tail[1]
    elif j < len(pieces) and pieces[j].norm == "hundred" and _adjacent(pieces, j - 1, j):
        value, j = value * 100, j + 1
        tail = _small_at(pieces, j, allow_and=True)
        if tail:
            value, j = value + tail[0], j + tail[1]
    return str(value), j - i


def _small_at(pieces: list[Piece], j: int, allow_and: bool = False) -> tuple[int, int] | None:
    """A number below 100 right after piece j-1 (optionally after "and"): (value, pieces used)."""
    skip = 0
    if allow_and and j + 1 < len(pieces) and pieces[j].norm == "and" and _adjacent(pieces, j - 1, j):
        skip = 1
    k = j + skip
    if k >= len(pieces) or not _adjacent(pieces, k - 1, k) or pieces[k].norm in ("oh", "o", "zero"):
        return None
    small = _small(pieces, k)
    return (small[0], small[1] + skip) if small else None


def _number_piece(piece: Piece) -> bool:
    return piece.kind in ("digits", "ordinal") or (_is_number_word(piece.norm) and piece.norm not in ("oh", "o"))


def number_groups(pieces: list[Piece]) -> list[NumberGroup]:
    """Every spoken number in the pieces, in order."""
    groups: list[NumberGroup] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if piece.kind in ("digits", "ordinal"):
            kind = "ordinal" if piece.kind == "ordinal" else "numeral"
            groups.append(NumberGroup(i, i, piece.start, piece.end, piece.text, kind, piece.line))
            i += 1
            continue
        parsed = _word_group(pieces, i)
        if parsed is None:
            i += 1
            continue
        digits, used = parsed
        last = i + used - 1
        groups.append(NumberGroup(i, last, piece.start, pieces[last].end, digits, "words", piece.line))
        i += used
    return groups


def _joinable(text: str, pieces: list[Piece], left: NumberGroup, right: NumberGroup) -> bool:
    """True when only separators, fillers or a backchannel turn lie between two groups."""
    between = pieces[left.last + 1 : right.first]
    gap = text[left.end : right.start]
    after = pieces[right.last + 1].norm.strip(_STRIP) if right.last + 1 < len(pieces) else ""
    if after in UNIT_WORDS:
        return False  # "... 4410, 47 minutes": a number with its unit starts a new value
    if "\n" not in gap:
        if re.search(r"[.?!;]", gap) and not re.fullmatch(r"[\s.]*", gap):
            return False  # a sentence ended between them ("8210. And the CVC is ...")
        if gap.strip() == "." and between == [] and re.search(r"\d$", text[: left.end]):
            return True  # "2.5", "84.20"
        return all(p.norm in JOINERS for p in between)
    if left.line == right.line:
        return False
    # Across turns: every line in between is a short backchannel, the next turn
    # starts with the number (or "and then"), and the earlier turn ended with it.
    tail = [p for p in between if p.line == left.line]
    head = [p for p in between if p.line == right.line]
    middle = [p for p in between if left.line < p.line < right.line]
    if tail and not all(p.norm in JOINERS for p in tail):
        return False
    if head and not all(p.norm in CONTINUERS or p.norm in ("it's", "its", "is") for p in head):
        return False
    lines: dict[int, list[Piece]] = {}
    for p in middle:
        lines.setdefault(p.line, []).append(p)
    if right.line - left.line - 1 != len(lines):
        return False  # an empty turn in between: be safe, do not join
    return all(len(ps) <= 5 and all(p.norm in BACKCHANNEL for p in ps) for ps in lines.values())


def number_runs(text: str, pieces: list[Piece], groups: list[NumberGroup]) -> list[NumberRun]:
    """Groups joined into runs: digits said in one go, even across a backchannel turn."""
    runs: list[list[NumberGroup]] = []
    for group in groups:
        if runs and group.kind != "ordinal" and runs[-1][-1].kind != "ordinal" and _joinable(text, pieces, runs[-1][-1], group):
            runs[-1].append(group)
        else:
            runs.append([group])
    return [NumberRun(tuple(r)) for r in runs]


@dataclass(frozen=True)
class SpokenText:
    """A text read once: pieces, number groups and runs, with offsets."""

    text: str
    pieces: tuple[Piece, ...]
    groups: tuple[NumberGroup, ...]
    runs: tuple[NumberRun, ...]

    @classmethod
    def parse(cls, text: str) -> "SpokenText":
        pieces = tokenize(text)
        groups = number_groups(pieces)
        runs = number_runs(text, pieces, groups)
        return cls(text, tuple(pieces), tuple(groups), tuple(runs))

    def piece_at(self, char: int) -> int:
        """Index of the first piece that ends after ``char``."""
        for index, piece in enumerate(self.pieces):
            if piece.end > char:
                return index
        return len(self.pieces)


def spoken_digits(text: str) -> str:
    """All digits spoken in ``text``, words and numerals alike, concatenated."""
    pieces = tokenize(text)
    return "".join(g.digits for g in number_groups(pieces))
