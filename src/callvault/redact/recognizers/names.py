"""Names spelled out letter by letter: "my last name is King, K I N G", "that's V-I-O-L-E-T".

spaCy sees a name said as a word but not one spelled, and callers spell
names to agents all the time. A run of spelled letters near a name or
spelling cue is a PERSON.
"""

from __future__ import annotations

import re
from typing import Iterator

from callvault.redact.context import Context, Phrases
from callvault.redact.recognizers.base import Match, SpokenRecognizer

CUES = Phrases((
    "name", "names", "spell", "spelled", "spelling", "spells", "surname", "last name", "first name",
    "maiden name", "middle name", "that's", "that is", "as in",
))
_LETTERS = re.compile(r"^[A-Za-z]$|^[A-Z]{2,3}$")  # "K", "i", or a clump ASR wrote as "IOL"
MIN_LETTERS = 3
CUE_WINDOW = 8


class SpelledNameRecognizer(SpokenRecognizer):
    ENTITY = "PERSON"

    def find(self, ctx: Context) -> Iterator[Match]:
        index = 0
        while index < len(ctx.pieces):
            last = index
            while last < len(ctx.pieces) and self._is_letter(ctx, last) and (last == index or self._joined(ctx, last - 1, last)):
                last += 1
            run = range(index, last)
            letters = sum(len(ctx.pieces[i].text) for i in run)
            if len(run) >= 2 and letters >= MIN_LETTERS:
                cue = ctx.cue_before(index, CUES, CUE_WINDOW, block=False)
                if cue is not None and ctx.pieces[cue.first].line == ctx.pieces[index].line:
                    first, end = ctx.pieces[index], ctx.pieces[last - 1]
                    yield Match(first.start, end.end, 0.85, "lexicon", "spelled-letters", (cue.phrase,),
                                f"{len(run)} spelled letters after a name cue")
            index = max(last, index + 1)

    @staticmethod
    def _is_letter(ctx: Context, i: int) -> bool:
        piece = ctx.pieces[i]
        return piece.kind == "word" and bool(_LETTERS.match(piece.text)) and piece.text.lower() not in ("a",)

    @staticmethod
    def _joined(ctx: Context, a: int, b: int) -> bool:
        """Letters of one spelling: same line, only spaces, hyphens or commas between."""
        gap = ctx.text[ctx.pieces[a].end : ctx.pieces[b].start]
        return ctx.pieces[a].line == ctx.pieces[b].line and re.fullmatch(r"[\s,\-]*", gap) is not None
