"""Context around a span: cue phrases, sentences and turns of a parsed text.

Context decides the entity of a spoken number: after "account number" digits
are an ACCOUNT_NUMBER, after "security code" a CVV, after "you called" a
CALL_NUMBER. A cue counts when it comes shortly before the number, also at the
end of the other party's previous turn ("What's the security code?" / "one
two three"). The nearer the cue, the higher the score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from callvault.redact.spoken import NumberRun, Piece, SpokenText


@dataclass(frozen=True)
class Cue:
    """A cue phrase found before a span: which phrase, and how many pieces away."""

    phrase: str
    distance: int
    first: int  # piece index where the phrase starts


def _split(phrase: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9']+", phrase.lower().replace("-", " ")))


@dataclass(frozen=True)
class Phrases:
    """A set of cue phrases, matched word by word on lower-cased pieces."""

    phrases: tuple[str, ...]
    words: tuple[tuple[str, ...], ...] = field(init=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "words", tuple(_split(p) for p in self.phrases))

    def match_at(self, norms: Sequence[str], index: int) -> tuple[str, int] | None:
        """The longest phrase starting at piece ``index``: (phrase, length)."""
        best = None
        for phrase, words in zip(self.phrases, self.words):
            said = tuple(norms[index : index + len(words)])
            # "social's", "passcode's": a possessive or "is" glued to the cue's last word
            if said and said[-1].endswith("'s") and said[:-1] + (said[-1][:-2],) == words:
                said = words
            if said == words and (best is None or len(words) > best[1]):
                best = (phrase, len(words))
        return best


ABBREVIATIONS = frozenset({"a.m", "p.m", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "etc", "approx", "no"})


def _abbreviation(piece: Piece, nxt: Piece | None, after: str) -> bool:
    """A full stop that ends an abbreviation inside a sentence: "at 9 p.m. there was", "Dr. Ruiz"."""
    if after[:1] != "." or nxt is None or piece.text.lower().rstrip(".") not in ABBREVIATIONS:
        return False
    # "... at 9 p.m. It lasted": a capital after the stop still starts a sentence, except after a title
    return not nxt.text[:1].isupper() or piece.text.lower() in ("mr", "mrs", "ms", "dr", "st")


class Context:
    """A SpokenText with sentence boundaries and cue look-ups."""

    def __init__(self, spoken: SpokenText, ner_spans: Iterable[tuple[int, int, str]] = (), roles: Sequence[str] = ()):
        self.spoken = spoken
        self.roles = tuple(roles)  # role of each line, when the caller knows them
        self.memo: dict[str, object] = {}  # analyses shared by several recognizers, computed once
        self.text = spoken.text
        self.pieces: tuple[Piece, ...] = spoken.pieces
        self.norms = [re.sub(r"[^a-z0-9']", "", p.norm.replace("’", "'")) or p.norm for p in spoken.pieces]
        self.sentence = self._sentences()
        self._by_line: dict[int, list[int]] = {}
        self._by_sentence: dict[int, list[int]] = {}
        for index, piece in enumerate(self.pieces):
            self._by_line.setdefault(piece.line, []).append(index)
            self._by_sentence.setdefault(self.sentence[index], []).append(index)
        self._found: dict[int, list[tuple[int, int, str]]] = {}
        self._lines = self.text.split("\n")
        self.ner_spans = tuple(ner_spans)  # (start, end, label) from spaCy
        # Pieces of numbers of 3+ digits: a cue before one of them is used up by it.
        self.number_pieces = frozenset(
            i for run in spoken.runs if len(run.digits) >= 3 for g in run.groups for i in range(g.first, g.last + 1)
        )

    def _sentences(self) -> list[int]:
        ids, current = [], 0
        for index, piece in enumerate(self.pieces):
            ids.append(current)
            after = self.text[piece.end : piece.end + 2]
            nxt = self.pieces[index + 1] if index + 1 < len(self.pieces) else None
            decimal = piece.kind == "digits" and nxt is not None and nxt.kind == "digits" and nxt.start == piece.end + 1
            if (after[:1] in (".", "?", "!") and not decimal and not _abbreviation(piece, nxt, after)) or (nxt is not None and nxt.line != piece.line):
                current += 1
        return ids

    # -- spans -----------------------------------------------------------
    def span_pieces(self, start: int, end: int) -> tuple[int, int]:
        """First and last piece index inside the character span."""
        inside = [i for i, p in enumerate(self.pieces) if p.end > start and p.start < end]
        return (inside[0], inside[-1]) if inside else (0, -1)

    def role(self, line: int) -> str:
        """The role of a line; without roles, lines are taken to alternate between two parties."""
        if 0 <= line < len(self.roles):
            return self.roles[line]
        return ("first", "second")[line % 2]

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def line_text(self, line: int) -> str:
        return self._lines[line] if 0 <= line < len(self._lines) else ""

    def line_pieces(self, line: int) -> list[int]:
        return self._by_line.get(line, [])

    def sentence_pieces(self, index: int) -> list[int]:
        return self._by_sentence[self.sentence[index]]

    def ends_with_question(self, index: int) -> bool:
        last = self.sentence_pieces(index)[-1]
        return self.text[self.pieces[last].end : self.pieces[last].end + 1] == "?"

    # -- cues ------------------------------------------------------------
    def cue_before(self, index: int, phrases: Phrases, window: int, same_sentence: bool = False, block: bool = True) -> Cue | None:
        """The nearest phrase ending before piece ``index``, at most ``window`` pieces back.

        The search stops at another number: "account number 4471 0093, card
        4111 ..." gives the account cue to the first number only.
        """
        lowest = max(0, index - window)
        for first in range(index - 1, lowest - 1, -1):
            if same_sentence and self.sentence[first] != self.sentence[min(index, len(self.sentence) - 1)]:
                break
            if block and first in self.number_pieces:
                break
            for length in range(1, 6):
                start = first - length + 1
                if start < lowest:
                    break
                hit = phrases.match_at(self.norms, start)
                if hit and hit[1] == length:
                    return Cue(hit[0], index - first - 1, start)
        return None

    def cue_after(self, index: int, phrases: Phrases, window: int) -> Cue | None:
        """The nearest phrase starting after piece ``index`` within its sentence."""
        limit = min(len(self.pieces), index + 1 + window)
        for start in range(index + 1, limit):
            if self.sentence[start] != self.sentence[index]:
                break
            hit = phrases.match_at(self.norms, start)
            if hit:
                return Cue(hit[0], start - index - 1, start)
        return None

    def cue_in_sentence(self, index: int, phrases: Phrases) -> Cue | None:
        pieces = self.sentence_pieces(index)
        for start in pieces:
            hit = phrases.match_at(self.norms, start)
            if hit:
                return Cue(hit[0], abs(start - index), start)
        return None

    def find(self, phrases: Phrases) -> list[tuple[int, int, str]]:
        """Every occurrence: (first piece, last piece, phrase); computed once per phrase set."""
        if id(phrases) in self._found:
            return self._found[id(phrases)]
        found, index = [], 0
        while index < len(self.pieces):
            hit = phrases.match_at(self.norms, index)
            if hit:
                found.append((index, index + hit[1] - 1, hit[0]))
                index += hit[1]
            else:
                index += 1
        self._found[id(phrases)] = found
        return found

    def runs(self) -> tuple[NumberRun, ...]:
        return self.spoken.runs


def proximity(cue: Cue | None, window: int) -> float:
    """1.0 for a cue right before the span, falling to 0 at the window's edge."""
    if cue is None:
        return 0.0
    return max(0.0, 1.0 - cue.distance / max(1, window))
