"""Call detail (47 CFR 64.2003(d)): where a specific call was made, received or carried.

A place is call detail only when the sentence is about a call or roaming;
"our store in Toronto" is not.
"""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Phrases
from callvault.redact.recognizers.base import Match, SpokenRecognizer


class CallLocationRecognizer(SpokenRecognizer):
    """Where a call was made or carried: "roaming in Toronto", "the Elm Street tower"."""

    ENTITY = "CALL_LOCATION"
    CUES = Phrases((
        "roaming in", "roaming on", "roaming through", "while you were in", "when you were in", "you were in",
        "calls from", "call from", "called from", "made from", "placed from", "dropped in", "dropped near",
        "connected in", "connected through", "routed through", "calls in", "call in", "while in", "calls made in",
    ))
    TOWER = frozenset({"tower", "towers", "site"})
    STOP = frozenset({"the", "a", "an", "on", "at", "near", "hit", "from", "that", "this", "to", "of", "off", "by", "same", "cell", "your", "our", "nearest", "local"})

    def find(self, ctx: Context) -> Iterator[Match]:
        for first, last, phrase in ctx.find(self.CUES):
            j = last + 1 + (ctx.norms[last + 1 : last + 2] == ["the"])
            end = self._place(ctx, j)
            if end is not None:
                yield Match(ctx.pieces[j].start, ctx.pieces[end].end, 0.75, "lexicon", "call-place", (phrase,))
        for index, norm in enumerate(ctx.norms):
            if norm not in self.TOWER or (norm == "site" and ctx.norms[index - 1 : index] != ["cell"]):
                continue
            k = index - 1 - (norm == "site")
            start = None
            while k >= 0 and index - k <= 4 and ctx.norms[k] not in self.STOP and ctx.pieces[k].kind == "word" and ctx.pieces[k].line == ctx.pieces[index].line:
                start, k = k, k - 1
            if start is not None:
                yield Match(ctx.pieces[start].start, ctx.pieces[index].end, 0.75, "lexicon", "cell-tower", (norm,))

    @staticmethod
    def _place(ctx: Context, j: int) -> int | None:
        """Last piece of a place name at j: capitalised words, or a spaCy location."""
        if j >= len(ctx.pieces) or ctx.pieces[j].kind != "word":
            return None
        for start, end, label in ctx.ner_spans:
            if label == "LOCATION" and start == ctx.pieces[j].start:
                return ctx.span_pieces(start, end)[1]
        end = None
        k = j
        while k < len(ctx.pieces) and k - j < 3 and ctx.pieces[k].text[:1].isupper() and ctx.pieces[k].line == ctx.pieces[j].line:
            end, k = k, k + 1
            if k < len(ctx.pieces) and ctx.text[ctx.pieces[k - 1].end : ctx.pieces[k].start].strip():
                break
        return end
