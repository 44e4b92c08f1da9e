"""Call detail (47 CFR 64.2003(d)): where a specific call was made, received or carried.

A place name is call detail only in a call-detail frame: the far end of a
call ("a call to the UK", "called my sister in Lima", "a number in Haiti",
"that's a Paris number", "the 212, that's New York"), where the phone was
while roaming ("roaming in Peru", "back from Lisbon, and the roaming
charges"), or a place said in a turn about specific calls ("my cousin in
Quito" right after the agent read the call out). Counted usage ("twelve
calls to Peru" is a usage quantity), plan names ("the Canada add-on"),
stores, addresses and trips still to come ("I'm going to Rome next month")
are not. Place names come from spaCy (capitalised text) and from a world
gazetteer (lower-case ASR text), and are dropped where the name is a person.
"""

from __future__ import annotations

import re
from typing import Iterator

from callvault.redact.context import Context, Phrases
from callvault.redact.expressions import MONTHS, WEEKDAYS, spans_of
from callvault.redact.gazetteer import Gazetteer, Place
from callvault.redact.recognizers.base import Match, SpokenRecognizer, TextReader

# Words that name a call or its far end; the place after them (via a preposition) is where the call went.
CALL_NOUNS = frozenset({
    "call", "called", "calls", "calling", "dialed", "dialled", "dial", "dialing", "dialling", "phoned", "phoning", "rang", "talked", "spoke", "number",
    "numbers", "connected", "routed", "dropped", "placed", "made", "received", "incoming", "outgoing", "tower",
    "towers", "pinged",
})
ROAMING = frozenset({"roaming", "roam", "roamed", "abroad"})
CHARGE_WORDS = frozenset({"roaming", "bill", "charge", "charges", "charged", "international", "overseas"})
TRAVEL_PAST = frozenset({"back", "was", "were", "while", "when", "trip", "went", "flew", "visited", "visiting", "traveling", "travelling", "stayed", "vacation"})
PREPOSITIONS = frozenset({"in", "to", "from", "through", "into", "near", "around", "across", "outside"})
# A quantity of calls is usage, not a call's place: "twelve calls to Peru", "1,000 minutes to Peru".
USAGE_NOUNS = frozenset({"calls", "minutes", "mins", "texts", "messages", "hours"})
QUANTIFIERS = frozenset({"many", "several", "some", "few", "lot", "lots", "bunch", "couple", "all", "any", "most", "no"})
OFFER_WORDS = frozenset({"includes", "include", "including", "included", "unlimited", "free", "cheaper", "covers", "per", "rate", "rates"})
# After the name: a plan, a store or a street, not a call's place.
NOT_A_CALL_PLACE_AFTER = frozenset({
    "add", "addon", "plan", "plans", "pack", "package", "bundle", "pass", "calling", "rate", "street", "st", "avenue",
    "ave", "road", "rd", "drive", "boulevard", "blvd", "lane", "court", "store", "stores", "office", "branch", "mall",
    "airport", "location", "team", "headquarters",
})
NOT_A_CALL_PLACE_BEFORE = frozenset({
    "store", "stores", "office", "branch", "shop", "headquarters", "hq", "team", "dealership", "located", "based", "coverage",
    "moving", "move", "moved", "live", "lives", "living", "lived", "college", "school", "works", "job", "address",
})
FUTURE = frozenset({"will", "i'll", "we'll", "he'll", "she'll", "they'll", "you'll", "gonna", "going", "planning", "upcoming", "next", "tomorrow", "heading", "leaving", "if"})
NAME_NUMBER = Phrases(("number", "numbers", "area code", "exchange", "prefix"))
AREA_LINKS = frozenset({"that's", "thats", "that", "is", "it's", "its", "actually", "which", "s", "probably", "out", "of", "the"})
PLACE_LEADS = frozenset({"the", "downtown", "central", "northern", "southern", "eastern", "western", "north", "south", "east", "west", "greater", "of"})
RECORDING = frozenset({"recorded", "recording", "monitored", "quality", "training"})
# An address before the preposition: "12 Main Street in Boise" is where someone lives.
STREET_WORDS = frozenset({"street", "st", "avenue", "ave", "road", "rd", "drive", "dr", "lane", "ln", "way", "boulevard", "blvd", "court", "ct", "terrace", "apartment", "apt", "unit", "suite"})
# Common English words that are also large cities (the gazetteer alone would take "calls to mobile numbers").
EVERYDAY_WORDS = frozenset({
    "mobile", "reading", "nice", "split", "orange", "normal", "union", "most", "date", "man", "bend", "deal", "van",
    "mango", "buffalo", "mesa", "vista", "bath", "sale", "hope", "independence", "mission", "pasadena",
    "cork", "batman", "gap", "surprise", "enterprise", "commerce", "industry", "paradise", "lancaster", "lowell",
    "of", "little", "rock", "turkey", "china", "chile", "guinea", "jersey", "chad", "georgia", "jordan",
})
STOPS = frozenset({"the", "a", "an", "my", "his", "her", "your", "our", "their", "that", "this"})
# Country adjectives, for "a Mexican number" (only before number/area code: "Mexican food" is no place).
DEMONYMS = frozenset({
    "mexican", "canadian", "british", "english", "irish", "scottish", "french", "german", "italian", "spanish",
    "portuguese", "dutch", "polish", "russian", "ukrainian", "indian", "pakistani", "chinese", "japanese", "korean",
    "filipino", "vietnamese", "thai", "australian", "brazilian", "colombian", "peruvian", "venezuelan", "argentine",
    "chilean", "cuban", "jamaican", "haitian", "dominican", "guatemalan", "salvadoran", "honduran", "nicaraguan",
    "nigerian", "ghanaian", "kenyan", "egyptian", "moroccan", "turkish", "israeli", "lebanese", "iranian", "greek",
})
# A call that failed somewhere: "my call dropped near the stadium", "calls cut out at the airport".
FAILURES = frozenset({"dropped", "drop", "drops", "dropping", "cut", "cuts", "cutting", "failed", "fails", "disconnected", "disconnects", "died", "dies"})
SPOTS = frozenset({"near", "at", "by", "around", "outside", "inside", "in", "under", "along", "behind", "past"})
NOT_A_SPOT = frozenset({
    "morning", "afternoon", "evening", "night", "middle", "end", "beginning", "start", "weekend", "time", "day", "week",
    "month", "moment", "minute", "second", "hour", "same", "least", "all", "once", "first", "last", "most", "times",
})
SENTENCE_WINDOW = 10
# Call words too common to mark a turn about calls on their own ("the number on the account", "I made a payment").
NOT_ALONE = frozenset({"number", "numbers", "made", "placed", "received", "calling", "dialing", "dialling", "phoning", "tower", "towers"})


class CallLocationRecognizer(SpokenRecognizer):
    """Where a call was made or carried: "roaming in Toronto", "a call to the UK", "the Elm Street tower"."""

    ENTITY = "CALL_LOCATION"
    TOWER = frozenset({"tower", "towers", "site"})
    STOP = frozenset({"the", "a", "an", "on", "at", "near", "hit", "from", "that", "this", "to", "of", "off", "by", "same", "cell", "your", "our", "nearest", "local"})

    def __init__(self, reader: TextReader, gazetteer: Gazetteer | None = None):
        self._gazetteer = gazetteer  # the process's shared one, read on first use (never per call)
        self._names = None
        super().__init__(reader)

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.shared()
        return self._gazetteer

    def find(self, ctx: Context) -> Iterator[Match]:
        frames = _Frames(ctx)
        people: set[str] | None = None
        for first, last, place in self._places(ctx):
            why = frames.why(first, last, place)
            if why is None:
                continue
            if people is None:
                people = self._people(ctx)
            if set(ctx.norms[first : last + 1]) & people or _person_ner(ctx, first, last):
                continue
            yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.8, "lexicon", f"call-place-{why[0]}", (why[1],))
        yield from self._towers(ctx)
        yield from _failure_spots(ctx)

    def _places(self, ctx: Context) -> Iterator[tuple[int, int, Place | None]]:
        """Place names: the gazetteer's (any case) and spaCy's capitalised LOCATION spans it does not know."""
        cased = _cased(ctx)
        taken: set[int] = set()
        index = 0
        while index < len(ctx.pieces):
            hit = self.gazetteer.match(ctx.norms, index) if ctx.pieces[index].kind == "word" else None
            region = 0
            if hit and hit[1].is_city and not _everyday(ctx, index, index + hit[0] - 1) and _capitalised(ctx, index, hit[0], cased):
                region = self._region_after(ctx, index + hit[0], cased)
            if region:
                hit = (hit[0] + region, hit[1])  # "salem, oregon": the state vouches for a small or everyday name
            if hit and (region or _plausible(ctx, index, hit[0], hit[1], cased)):
                taken.update(range(index, index + hit[0]))
                yield index, index + hit[0] - 1, hit[1]
                index += hit[0]
            else:
                index += 1
        for index, norm in enumerate(ctx.norms):
            if norm in DEMONYMS and index not in taken and _capitalised(ctx, index, 1, cased):
                yield index, index, Place("demonym")
        for start, end, label in ctx.ner_spans:
            if label != "LOCATION":
                continue
            first, last = ctx.span_pieces(start, end)
            if last < first or taken.intersection(range(first, last + 1)) or ctx.norms[first] in STOPS:
                continue
            if all(ctx.pieces[i].text[:1].isupper() for i in range(first, last + 1)) and not _everyday(ctx, first, last):
                yield first, last, None

    def _region_after(self, ctx: Context, index: int, cased: bool) -> int:
        """Words of a US state or a country right after a city name, on the same line."""
        if index >= len(ctx.pieces) or ctx.pieces[index].line != ctx.pieces[index - 1].line:
            return 0
        hit = self.gazetteer.match(ctx.norms, index)
        if hit is None or hit[1].kind not in ("state", "country"):
            return 0
        if cased and not ctx.pieces[index].text[:1].isupper():
            return 0
        return hit[0]

    def _people(self, ctx: Context) -> set[str]:
        """Words of the names the dialogue gives or uses ("this is Marion", "thanks, Austin")."""
        from callvault.redact.recognizers.names import SpokenNameRecognizer

        if self._names is None:
            self._names = SpokenNameRecognizer(self.reader)
        words: set[str] = set()
        for match in self._names.find(ctx):
            first, last = ctx.span_pieces(match.start, match.end)
            words.update(ctx.norms[first : last + 1])
        for start, end, label in ctx.ner_spans:
            if label == "PERSON":
                first, last = ctx.span_pieces(start, end)
                words.update(ctx.norms[first : last + 1])
        return words

    def _towers(self, ctx: Context) -> Iterator[Match]:
        """A named cell tower or site: "the Elm Street tower", "cell site Ridgeview 4"."""
        for index, norm in enumerate(ctx.norms):
            if norm not in self.TOWER or (norm == "site" and ctx.norms[index - 1 : index] != ["cell"]):
                continue
            k = index - 1 - (norm == "site")
            start = None
            while k >= 0 and index - k <= 4 and ctx.norms[k] not in self.STOP and ctx.pieces[k].kind == "word" and ctx.pieces[k].line == ctx.pieces[index].line:
                start, k = k, k - 1
            if start is not None:
                yield Match(ctx.pieces[start].start, ctx.pieces[index].end, 0.75, "lexicon", "cell-tower", (norm,))


def _failure_spots(ctx: Context) -> Iterator[Match]:
    """Where a call failed: "<call> dropped|cut out|failed <near|at|by> the <landmark>" (the place is the phrase)."""
    for index, norm in enumerate(ctx.norms):
        if norm not in FAILURES:
            continue
        near = range(max(0, index - 3), min(len(ctx.pieces), index + 3))
        if not any(ctx.norms[k] in ("call", "calls") and ctx.pieces[k].line == ctx.pieces[index].line for k in near):
            continue
        prep = index + 1 + (ctx.norms[index + 1 : index + 2] in (["out"], ["off"]))
        if prep + 2 >= len(ctx.pieces) or ctx.norms[prep] not in SPOTS or ctx.norms[prep + 1] not in ("the", "a", "that", "this"):
            continue
        last = prep + 1
        while last + 1 < len(ctx.pieces) and last - prep < 4 and ctx.pieces[last + 1].kind == "word" and ctx.pieces[last + 1].line == ctx.pieces[prep].line:
            nxt = ctx.norms[last + 1]
            if nxt in PREPOSITIONS or nxt in STOPS or nxt in ("and", "but", "so", "on", "when", "while", "yesterday", "today", "every", "each", "last", "this", "again") or nxt in NOT_A_SPOT:
                break
            last += 1
            if re.search(r"[,.?!;:]", ctx.text[ctx.pieces[last].end : ctx.pieces[last].end + 1]):
                break
        if last > prep + 1:
            yield Match(ctx.pieces[prep].start, ctx.pieces[last].end, 0.75, "lexicon", "call-failure-spot", (norm,))


def _cased(ctx: Context) -> bool:
    """Whisper-style text: most turns start with a capital (lower-case ASR text has none)."""
    starts = [ctx.line_pieces(line)[0] for line in range(ctx.line_count) if ctx.line_pieces(line)]
    return sum(ctx.pieces[i].text[:1].isupper() for i in starts) * 2 >= len(starts) > 0


def _plausible(ctx: Context, index: int, length: int, place: Place, cased: bool) -> bool:
    """A gazetteer hit that reads as a place: capitalised in cased text, not an everyday word, a big enough city."""
    if not _capitalised(ctx, index, length, cased):
        return False  # Whisper capitalises place names: lower case there is a word ("nice", "split")
    if length == 1 and place.is_city and (_everyday(ctx, index, index) or place.population < 100_000):
        return False
    return length > 1 or ctx.norms[index] not in EVERYDAY_WORDS


def _capitalised(ctx: Context, index: int, length: int, cased: bool) -> bool:
    return not cased or all(ctx.pieces[i].text[:1].isupper() for i in range(index, index + length))


def _everyday(ctx: Context, first: int, last: int) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    words = ctx.norms[first : last + 1]
    return len(words) == 1 and (words[0] in EVERYDAY_WORDS or words[0] in STOP_WORDS or words[0] in MONTHS or words[0] in WEEKDAYS or len(words[0]) < 3)


def _person_ner(ctx: Context, first: int, last: int) -> bool:
    start, end = ctx.pieces[first].start, ctx.pieces[last].end
    return any(label == "PERSON" and s < end and start < e for s, e, label in ctx.ner_spans)


class _Frames:
    """Whether a place name at pieces first..last sits in a call-detail frame, and which."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._detail_lines: dict[int, bool] = {}
        self._durations: set[int] | None = None

    def why(self, first: int, last: int, place: Place | None) -> tuple[str, str] | None:
        ctx = self.ctx
        after = ctx.norms[last + 1] if last + 1 < len(ctx.pieces) and self._same_sentence(last, last + 1) else ""
        if after in NOT_A_CALL_PLACE_AFTER or self._zip_after(last):
            return None
        line = ctx.pieces[first].line
        big = place is None or not place.is_city or place.population >= 250_000 or last > first
        named = self._named_number(first, last)
        if named and (big or named[0] == "number"):
            return named
        if place is not None and place.kind == "demonym":
            return None  # "a Mexican number" only
        k = first - 1
        while k >= 0 and first - k <= 3 and ctx.norms[k] in PLACE_LEADS and ctx.pieces[k].line == line:
            k -= 1  # "in the UK", "near downtown Denver", "outside of Lima"
        if k < 0 or ctx.norms[k] not in PREPOSITIONS or ctx.pieces[k].line != line:
            return None
        prep = ctx.norms[k]
        if self._future(k, last) or self._before(k, NOT_A_CALL_PLACE_BEFORE, 6) or self._before(k, STREET_WORDS, 2):
            return None
        call = self._call_word(k)
        if call is not None:
            if prep in ("to", "from") and (call in ("talked", "spoke") or not big):
                return None  # "a call to Marion": a small city's name is more often a person's
            return ("call", call)
        travelled = self._before(k, TRAVEL_PAST, 3)
        if self._roaming_line(line) and (prep != "to" or travelled):
            return ("roaming", "roaming")
        if travelled and self._charged_line(line):
            return ("travel", "charges while away")
        if prep == "in" and (self._detail_line(line) or self._detail_line(line - 1)):
            return ("detail-turn", "calls talked about in the turn")
        return None

    # -- frames --------------------------------------------------------------
    def _named_number(self, first: int, last: int) -> tuple[str, str] | None:
        """"a London number", "that area code is Peru", "nine oh nine, that's Ohio"."""
        ctx = self.ctx
        line = ctx.pieces[first].line
        hit = NAME_NUMBER.match_at(ctx.norms, last + 1) if last + 1 < len(ctx.pieces) else None
        if hit and ctx.pieces[last + 1].line == line and first > 0 and ctx.norms[first - 1] in ("a", "an", "the", "that"):
            if self._detail_line(line) or self._detail_line(line - 1):
                return ("number", hit[0])
        k, links = first - 1, 0
        while k >= 0 and ctx.norms[k] in AREA_LINKS and links < 3 and ctx.pieces[k].line == line:
            k, links = k - 1, links + 1
        # "nine oh nine, that's Ohio" places a dialled number; "the 809 area code is ..." is numbering-plan knowledge
        if links and k >= 0 and ctx.pieces[k].line == line and (self._area_code_or_number(k) or ctx.norms[k] == "number"):
            return ("area-code", "area code")
        return None

    def _area_code_or_number(self, index: int) -> bool:
        """Piece ``index`` ends an area code (three digits) or a whole phone number, not a line's last four."""
        if "code" in self.ctx.norms[max(0, index - 3) : index]:
            return False  # "country code 52 is Mexico": a fact about the code, not where a call went
        return any(run.last == index and (len(run.digits) == 3 or len(run.digits) >= 10) for run in self.ctx.runs())

    def _call_word(self, prep: int) -> str | None:
        """A call word shortly before the preposition ("call to", "called my sister in", "a number in")."""
        ctx = self.ctx
        for k in range(prep - 1, max(-1, prep - 5), -1):
            if not self._same_sentence(k, prep):
                return None
            norm = ctx.norms[k].removesuffix("'s")  # "that number's in Peru"
            if norm in PREPOSITIONS and norm not in ("to", "from"):
                return None  # "a call to my aunt in Lima" crosses "to"; "a call on the day in" does not
            if norm in CALL_NOUNS:
                if norm == "calling" and (ctx.norms[prep] == "from" or ctx.norms[k - 1 : k] == ["for"]):
                    return None  # "calling from Denver" is this call's caller, "thanks for calling" a greeting
                if norm in USAGE_NOUNS or norm == "numbers":
                    if self._counted(k):
                        return None
                if self._before(k, OFFER_WORDS, 3):
                    return None
                return norm
            if norm in USAGE_NOUNS and self._counted(k):
                return None
        return None

    def _counted(self, noun: int) -> bool:
        """A number or quantifier before a plural usage noun: "12 calls", "a thousand minutes", "lots of calls"."""
        ctx = self.ctx
        for k in range(noun - 1, max(-1, noun - 4), -1):
            if k in ctx.number_pieces or ctx.pieces[k].kind != "word" or ctx.norms[k] in QUANTIFIERS or _number_word(ctx.norms[k]):
                return True
            if ctx.norms[k] in ("the", "those", "these"):
                return False
        return False

    def _roaming_line(self, line: int) -> bool:
        return any(self.ctx.norms[i] in ROAMING for i in self.ctx.line_pieces(line))

    def _charged_line(self, line: int) -> bool:
        """The turn (or the one before) is about charges: "I was in Lima and my bill doubled"."""
        return any(self.ctx.norms[i] in CHARGE_WORDS for n in (line, line - 1) for i in self.ctx.line_pieces(n))

    def _detail_line(self, line: int) -> bool:
        """The line reads out or asks about specific calls: a call word outside a recording notice, or a call's length and number."""
        if line < 0:
            return False
        if line not in self._detail_lines:
            ctx = self.ctx
            pieces = ctx.line_pieces(line)
            calls = any(ctx.norms[i] in CALL_NOUNS - NOT_ALONE and not self._recording(i) for i in pieces)
            phone = any(i in ctx.number_pieces for i in pieces) and any(i in self.durations for i in pieces)
            self._detail_lines[line] = calls or phone
        return self._detail_lines[line]

    @property
    def durations(self) -> set[int]:
        if self._durations is None:
            self._durations = {i for a, b in spans_of(self.ctx, "duration") for i in range(a, b + 1)}
        return self._durations

    def _recording(self, index: int) -> bool:
        """The call word is part of a recording notice or a greeting ("this call is recorded")."""
        return any(self.ctx.norms[i] in RECORDING for i in self._sentence_window(index, 6))

    def _future(self, prep: int, last: int) -> bool:
        ctx = self.ctx
        window = [i for i in self._sentence_window(prep, SENTENCE_WINDOW) if i <= last + 3]
        return any(ctx.norms[i] in FUTURE for i in window)

    def _before(self, index: int, words: frozenset[str], span: int) -> bool:
        return any(self.ctx.norms[k] in words for k in range(max(0, index - span), index) if self._same_sentence(k, index))

    def _zip_after(self, last: int) -> bool:
        nxt = last + 1
        return nxt < len(self.ctx.pieces) and self.ctx.pieces[nxt].kind == "digits" and len(self.ctx.pieces[nxt].text) == 5

    def _same_sentence(self, a: int, b: int) -> bool:
        return self.ctx.sentence[a] == self.ctx.sentence[b] and self.ctx.pieces[a].line == self.ctx.pieces[b].line

    def _sentence_window(self, index: int, width: int) -> list[int]:
        return [i for i in range(max(0, index - width), min(len(self.ctx.pieces), index + width + 1)) if self._same_sentence(i, index)]


def _number_word(norm: str) -> bool:
    from callvault.redact.spoken import DIGIT_WORDS, TEENS, TENS

    return norm in DIGIT_WORDS or norm in TEENS or norm in TENS or norm in ("hundred", "thousand", "dozen")


class HomePlaceRecognizer(CallLocationRecognizer):
    """Where the caller lives or is moving (PII, LOCATION): "I'm moving to Boise", "we're out in Tulsa".

    The same gazetteer as call places, in a residence frame instead of a call frame.
    """

    ENTITY = "LOCATION"
    CUES = Phrases((
        "moving to", "move to", "moved to", "moved from", "moved here from", "live in", "living in", "lives in",
        "out in", "place was in", "place is in", "house in", "home in", "based in", "relocating to", "located in",
    ))

    def find(self, ctx: Context) -> Iterator[Match]:
        people: set[str] | None = None
        for _, last, phrase in ctx.find(self.CUES):
            j = last + 1 + (ctx.norms[last + 1 : last + 2] == ["the"])
            if j >= len(ctx.pieces) or ctx.pieces[j].line != ctx.pieces[last].line or ctx.pieces[j].kind != "word":
                continue
            hit = self.gazetteer.match(ctx.norms, j)
            if hit is None or _everyday(ctx, j, j + hit[0] - 1):
                continue
            end = j + hit[0] - 1
            if people is None:
                people = self._people(ctx)
            if set(ctx.norms[j : end + 1]) & people or _person_ner(ctx, j, end):
                continue
            yield Match(ctx.pieces[j].start, ctx.pieces[end].end, 0.7, "lexicon", "home-place", (phrase,))
