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


# -- names said as words -------------------------------------------------------
# How people give and use names on a call: introductions ("this is Devon",
# "my name's Lena Holm", "you've got Tomas", "in my name, Marta ..."),
# greetings and thanks ("hi Wen", "thanks, Otto"), titles ("Mr. Falk").
INTRODUCTION = Phrases((
    "this is", "my name is", "my name's", "name is", "name's", "names", "i'm", "i am", "you've got", "you have",
    "speaking with", "talking to", "in my name", "in his name", "in her name", "it's", "its", "account holder is",
    "under the name", "ask for", "calling for", "looking for", "is this", "speak with", "speak to",
))
# Cues after which the next words can only be a name: the lowercase-suffix guard ("i'm roaming") is not needed.
NAMING = frozenset({"my name is", "my name's", "name is", "name's", "is this", "speak with", "speak to", "calling for", "under the name"})
NAME_QUESTIONS = Phrases((
    "your name", "your full name", "the name on the account", "who am i speaking with", "who am i speaking to",
    "who do i have", "who is this", "who's this", "who's calling", "name please", "the account holder's name",
))
FILLERS = frozenset({"uh", "um", "er", "erm"})
ADDRESSING = Phrases((
    "hi", "hey", "hello", "thanks", "thank you", "welcome", "you're welcome", "bye", "goodbye", "morning", "afternoon",
    "evening", "okay", "alright", "sure", "sorry", "perfect", "great",
))
WEAK_ADDRESSING = frozenset({"okay", "alright", "sure", "sorry", "perfect", "great"})
BUSINESS_WORDS = frozenset({
    "wireless", "telecom", "mobile", "connect", "communications", "cable", "cellular", "voip", "tel", "phone", "signal",
    "networks", "network", "roofing", "motors", "pharmacy", "insurance", "bank", "hotel", "energy", "power", "utilities",
    "billing", "support", "services", "inc", "llc", "company", "co", "group", "resort", "link", "mastercard", "visa",
    "card", "amex", "discover", "lane", "street", "avenue", "road", "drive", "court", "boulevard", "plan", "duo", "talk",
    "unlimited", "max", "plus", "essentials",
})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mister", "missus"})
NOT_A_NAME = frozenset({
    "calling", "speaking", "here", "there", "kind", "sort", "really", "going", "gonna", "just", "about", "actually",
    "fine", "okay", "ok", "good", "great", "perfect", "yeah", "yes", "no", "sure", "um", "uh", "hmm", "ugh", "so", "well",
    "right", "sorry", "thanks", "thank", "please", "hi", "hey", "hello", "bye", "alright", "totally", "ridiculous",
    "crazy", "urgent", "important", "correct", "wrong", "weird", "insane", "terrible", "awesome", "cool", "wow",
    "everyone", "everybody", "guys", "man", "ma'am", "sir", "folks", "all", "again", "today", "tomorrow", "now",
    "customer", "care", "support", "billing", "service", "account", "line", "phone", "wireless", "mobile", "team",
    "department", "manager", "supervisor", "agent", "representative", "name", "calls", "call", "recorded", "verified",
    "being", "still", "also", "not", "never", "looking", "trying", "wondering", "afraid", "glad", "happy", "sure",
    "done", "set", "busy", "back", "home", "out", "away", "lost", "locked", "new", "old", "his", "her", "my", "your",
    "the", "a", "an", "pleasure", "welcome", "much", "lot", "bit", "little", "way", "fraud", "escalations",
    "mr", "mrs", "ms", "miss", "dr", "girl", "boy", "sweetie", "honey", "dear", "buddy", "that's", "clear", "sweet",
    "oh", "yeah", "hmm", "expiration", "expiry", "expires", "security", "code", "cvv", "pin", "passcode",
})
NAME_ENDS = frozenset({
    "at", "from", "with", "and", "i", "i'm", "how", "what", "who", "calling", "speaking", "um", "uh", "here", "on", "the",
    "your", "my", "you", "you're", "we", "is", "in", "this", "just", "can", "may", "are", "so", "over", "please", "do",
    "would", "could", "will", "y'all", "and", "but", "if", "it's", "that's", "i'll", "i've", "we're", "let", "for",
})


def _name_token(ctx: Context, i: int, naming: bool = False) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    if i >= len(ctx.pieces) or ctx.pieces[i].kind != "word":
        return False
    text, norm = ctx.pieces[i].text, ctx.norms[i]
    if not re.fullmatch(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*", text) or len(norm) < 2:
        return False
    if "'" in norm and not text[:1].isupper():
        return False  # "i'm", "you're"
    if not naming and not text[:1].isupper() and re.search(r"(ing|ed|ly|tion|ment|ness|ous|ful|able)$", norm):
        return False  # lowercase verbs and adjectives: "i'm roaming", "it's removed"
    return norm not in STOP_WORDS and norm not in NOT_A_NAME and norm not in BUSINESS_WORDS


class SpokenNameRecognizer(SpokenRecognizer):
    """Names given or used in the dialogue, lowercase (small ASR) or capitalised."""

    ENTITY = "PERSON"

    def find(self, ctx: Context) -> Iterator[Match]:
        known: set[str] = set()
        found: list[Match] = []
        for first, last, phrase in ctx.find(INTRODUCTION):
            if phrase in ("it's", "its") and first - ctx.line_pieces(ctx.pieces[first].line)[0] > 3:
                continue  # "hi jess, it's Ray": only near the start of a turn
            at = last + 1
            while at < len(ctx.norms) and ctx.norms[at] in FILLERS and ctx.pieces[at].line == ctx.pieces[last].line:
                at += 1  # "this is uh Dana"
            end = self._name_after(ctx, at, 3, intro=True, cue_line=ctx.pieces[last].line, naming=phrase in NAMING)
            if end is not None:
                known.update(ctx.norms[at : end + 1])
                found.append(Match(ctx.pieces[at].start, ctx.pieces[end].end, 0.8, "lexicon", "introduction", (phrase,)))
        for line in range(1, ctx.line_count):
            match = self._answered_name(ctx, line)
            if match is not None:
                known.update(ctx.norms[i] for i, p in enumerate(ctx.pieces) if match.start <= p.start < match.end)
                found.append(match)
        for index, norm in enumerate(ctx.norms):
            if norm.rstrip(".") in TITLES and _name_token(ctx, index + 1):
                end = index + 1 + (_name_token(ctx, index + 2) and not _stops(ctx, index + 1, index + 2))
                known.update(ctx.norms[index + 1 : end + 1])
                found.append(Match(ctx.pieces[index + 1].start, ctx.pieces[end].end, 0.85, "lexicon", "title", (norm,)))
        for first, last, phrase in ctx.find(ADDRESSING):
            at = last + 1
            if at < len(ctx.pieces) and ctx.pieces[at].line == ctx.pieces[last].line and _name_token(ctx, at):
                end = self._name_after(ctx, at, 1, intro=False, cue_line=ctx.pieces[last].line)
                capital = ctx.pieces[at].text[:1].isupper()
                if end is not None and (ctx.norms[at] in known or (phrase not in WEAK_ADDRESSING and (capital or _stops(ctx, at, at + 1) if at + 1 < len(ctx.pieces) else True))):
                    found.append(Match(ctx.pieces[at].start, ctx.pieces[end].end, 0.7, "lexicon", "greeting", (phrase,)))
        taken = {i for m in found for i, p in enumerate(ctx.pieces) if m.start <= p.start < m.end}
        for index, norm in enumerate(ctx.norms):
            if norm in known and index not in taken and ctx.pieces[index].kind == "word":
                found.append(Match(ctx.pieces[index].start, ctx.pieces[index].end, 0.7, "lexicon", "name-again", (), "a name given earlier in the call"))
        yield from found

    def _answered_name(self, ctx: Context, line: int) -> Match | None:
        """The words that open the answer to "can I get your name?": "Dana Holm, and my PIN is ..."."""
        asked = ctx.line_pieces(line - 1)
        pieces = ctx.line_pieces(line)
        if not asked or not pieces or ctx.role(line - 1) == ctx.role(line):
            return None
        unpunctuated = not re.search(r"[.?!,]", ctx.line_text(line - 1))  # small ASR writes no question mark
        if not (ctx.ends_with_question(asked[-1]) or unpunctuated):
            return None
        question = ctx.cue_in_sentence(asked[-1], NAME_QUESTIONS)
        if question is None:
            return None
        at = pieces[0]
        while at in pieces and (ctx.norms[at] in FILLERS or ctx.norms[at] in ("yeah", "yes", "sure", "hi", "it's", "its", "ok", "okay")):
            at += 1  # "yeah it's Dana Holm"
        if at not in pieces:
            return None
        end = self._name_after(ctx, at, 3, intro=True, cue_line=line, naming=True)
        if end is None:
            return None
        return Match(ctx.pieces[at].start, ctx.pieces[end].end, 0.75, "answer", "name-answer", (question.phrase,), "answer to a question for the name")

    @staticmethod
    def _name_after(ctx: Context, at: int, most: int, intro: bool, cue_line: int, naming: bool = False) -> int | None:
        """Last piece of a name of up to ``most`` words starting at piece ``at``, ending at a clause end."""
        end = None
        k = at
        while k < len(ctx.pieces) and k - at < most and ctx.pieces[k].line == cue_line and _name_token(ctx, k, naming):
            if k > at and _stops(ctx, k - 1, k):
                break
            end, k = k, k + 1
        if end is None:
            return None
        nxt = end + 1
        closed = nxt >= len(ctx.pieces) or ctx.pieces[nxt].line != cue_line or _stops(ctx, end, nxt) or ctx.norms[nxt] in NAME_ENDS
        capital = all(ctx.pieces[i].text[:1].isupper() for i in range(at, end + 1))
        if not closed:
            return None
        if not intro and not capital and not (nxt >= len(ctx.pieces) or ctx.pieces[nxt].line != cue_line or _stops(ctx, end, nxt) or ctx.norms[nxt] in NAME_ENDS):
            return None
        return end


def _stops(ctx: Context, a: int, b: int) -> bool:
    return ctx.pieces[a].line != ctx.pieces[b].line or bool(re.search(r"[,.?!;:]", ctx.text[ctx.pieces[a].end : ctx.pieces[b].start]))


# -- street addresses --------------------------------------------------------------
STREET_TYPES = frozenset({
    "street", "st", "avenue", "ave", "road", "rd", "lane", "ln", "drive", "dr", "boulevard", "blvd", "court", "ct",
    "way", "place", "pl", "circle", "cir", "terrace", "parkway", "pkwy", "highway", "hwy", "trail", "loop", "pike",
})
UNIT_WORDS = frozenset({"apartment", "apt", "unit", "suite", "ste", "number"})


ZIP_CUES = Phrases(("zip", "zip code", "zipcode", "postal code", "billing zip", "service address", "address"))
ADDRESS_TALK = Phrases(("address", "moved", "moving", "move", "live", "living", "mail", "mailing", "ship", "new place", "apartment"))


class StreetAddressRecognizer(SpokenRecognizer):
    """A street address (house number, street name, type or a unit/city after a comma) and a zip code."""

    ENTITY = "LOCATION"

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from self._zips(ctx)
        for run in ctx.runs():
            for part in run.line_parts():
                if not 1 <= len(part.digits) <= 6:
                    continue
                untyped = self._untyped(ctx, part)
                if untyped is not None:
                    yield Match(part.start, ctx.pieces[untyped].end, 0.7, "lexicon", "street-address-untyped", ("address",))
                    continue
                k, line = part.last + 1, ctx.pieces[part.first].line
                words = 0
                while k < len(ctx.pieces) and ctx.pieces[k].line == line and words < 4 and ctx.pieces[k].kind == "word":
                    words += 1
                    if ctx.norms[k].rstrip(".") in STREET_TYPES and words > 1:
                        break
                    k += 1
                if k >= len(ctx.pieces) or ctx.pieces[k].line != line or ctx.norms[k].rstrip(".") not in STREET_TYPES or words < 2:
                    continue
                end = k
                # ", apartment 3B, Chicago, 60613"
                j = end + 1
                while j < len(ctx.pieces) and ctx.pieces[j].line == line and j - end <= 6:
                    if ctx.norms[j] in UNIT_WORDS or ctx.pieces[j].kind == "digits" or re.fullmatch(r"\d+[a-z]?", ctx.norms[j]):
                        end = j
                    elif not ctx.pieces[j].text[:1].isupper():
                        break
                    else:
                        end = j
                    j += 1
                yield Match(part.start, ctx.pieces[end].end, 0.8, "lexicon", "street-address", ())

    @staticmethod
    def _zips(ctx: Context) -> Iterator[Match]:
        """Five digits (or five and four) after "zip", or answering the other side's question for it."""
        for run in ctx.runs():
            for part in run.line_parts():
                if len(part.digits) not in (5, 9):
                    continue
                cue = ctx.cue_before(part.first, ZIP_CUES, 6, block=False)
                asked = ctx.line_pieces(ctx.pieces[part.first].line - 1)
                if cue is None and asked and ctx.role(ctx.pieces[asked[0]].line) != ctx.role(ctx.pieces[part.first].line):
                    cue = ctx.cue_in_sentence(asked[-1], ZIP_CUES)
                    cue = cue if cue and cue.phrase != "address" else None
                if cue is not None:
                    yield Match(part.start, part.end, 0.75, "spoken-number", "zip-code", (cue.phrase,))

    @staticmethod
    def _untyped(ctx: Context, part) -> int | None:
        """Last piece of "1507 West Addison, apartment 3B, Chicago": a number, capitalised words, a comma, more."""
        line = ctx.pieces[part.first].line
        k = part.last + 1
        while k < len(ctx.pieces) and ctx.pieces[k].line == line and k - part.last <= 3 and ctx.pieces[k].text[:1].isupper() and ctx.pieces[k].kind == "word":
            k += 1
        if k == part.last + 1 or k >= len(ctx.pieces) or "," not in ctx.text[ctx.pieces[k - 1].end : ctx.pieces[k].start]:
            return None
        talk = [ctx.pieces[a].line for a, _, _ in ctx.find(ADDRESS_TALK)]
        if not any(line - 1 <= other <= line for other in talk):
            return None
        end = k - 1
        j = k
        while j < len(ctx.pieces) and ctx.pieces[j].line == line and j - end <= 4:
            if ctx.norms[j] in UNIT_WORDS or ctx.pieces[j].kind == "digits" or re.fullmatch(r"\d+[a-z]?", ctx.norms[j]) or ctx.pieces[j].text[:1].isupper():
                end = j
            else:
                break
            j += 1
        return end
