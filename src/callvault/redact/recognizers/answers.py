"""Secrets given in answer: whatever words a caller picks, the answer to a passcode prompt is the secret.

A passcode, PIN or security answer has no fixed form ("maple 9", "Rx7Falcon",
"four eight oh two", "purple 3 kites", a pet's name). What marks it is the
dialogue: the other party asked for it ("what's the passcode on the
account?", "say your PIN", "which code would you like now?"), or the
speaker names it ("passcode's ..."). This module finds those prompts, reads
the next turns of the answering party clause by clause, strips discourse
("ugh", "fine", "it's", "let's do", "make it", "is it") and takes the clause
whose shape is a value: it holds a number or a letters-and-digits token, is
spelled out, or is a short run of content words. A name given with it
("Dana Whitlock, and it's ...") is a separate clause. Every later echo of a
found value (the agent reading it back) is the secret too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callvault.redact.context import Context, Phrases
from callvault.redact.spoken import BACKCHANNEL, DIGIT_WORDS, REPEATS, TEENS, TENS

SECRET_CUES = Phrases((
    "passcode", "pass code", "password", "pin", "pin number", "pin code", "security pin", "account pin",
    "security question", "security answer", "secret word", "security word", "passphrase", "pass phrase",
    "verbal password", "voice password", "first pet", "pet's name", "dog's name", "cat's name",
    "street you grew up on", "favorite teacher", "high school mascot", "six digit code", "one time code",
    "verification code", "code we sent", "code we texted", "code i texted", "code i sent",
))
NEW_VALUE = Phrases(("new one", "new passcode", "new pin", "new password", "want it to be", "like it to be", "pick a", "choose a", "set a"))
BIO_CUES = Phrases(("maiden name", "date of birth", "birthday", "birth date", "social", "ssn", "social security"))
REQUEST = Phrases((
    "what's", "what is", "what was", "can i get", "can i have", "may i have", "give me", "tell me", "say", "enter",
    "key in", "provide", "read it", "go ahead", "i need", "need your", "need the", "do you have", "verify", "confirm",
    "what do you want", "you'd like", "pick a", "choose a",
))
NOT_A_SECRET_PROMPT = Phrases(("bill", "amount", "balance", "maiden name", "date of birth", "birthday", "social"))
DISCOURSE = frozenset({
    "that'd", "it'd", "that'll", "it's", "its", "it", "is", "was", "uh", "um", "er", "erm", "ah", "oh", "ugh", "hmm", "hm", "fine", "okay", "ok",
    "yeah", "yes", "sure", "so", "well", "the", "my", "that's", "that", "i", "think", "believe", "maybe", "probably",
    "let's", "lets", "do", "make", "use", "try", "be", "should", "would", "alright", "right", "like", "just",
    "got", "and", "then", "actually", "mine", "one", "sorry", "wait", "hold", "on", "a", "an", "how", "about",
    "same", "it'll", "gonna", "going", "to", "with", "capital",
})
REFUSAL = frozenset({"don't", "dont", "not", "no", "can't", "cant", "never", "forgot", "remember", "nope", "idea", "haven't", "didn't", "dunno", "changed", "why", "what", "which"})
META = frozenset({"letters", "numbers", "digits", "characters", "lowercase", "uppercase", "space", "spaces"})
COMMON = frozenset({
    "thing", "things", "thanks", "thank", "you", "please", "great", "good", "perfect", "ridiculous", "problem", "phone",
    "account", "name", "number", "code", "passcode", "password", "pin", "call", "calls", "help", "today", "now",
    "here", "there", "this", "these", "those", "me", "we", "they", "he", "she", "his", "her", "our", "your",
    "can", "could", "will", "tell", "want", "need", "verify", "have", "has", "had", "get", "am", "are",
    "set", "changed", "reset", "updated", "active", "locked", "zip", "address", "email", "bill", "amount",
})
RETRY = Phrases(("doesn't match", "does not match", "not matching", "didn't match", "try again", "another try", "not quite", "that's not", "sorry", "one more"))
ACKNOWLEDGED = frozenset({"thanks", "thank", "perfect", "great", "checks", "verified", "awesome", "cool", "bye"})
CALLER_NAME = Phrases(("your name", "full name", "the name on the account", "name on the account", "name and"))
OPEN_LINES = 4  # a prompt stays open over this many following turns (retries, "that doesn't match")
_LETTERS_AND_DIGITS = re.compile(r"^(?=.*[a-z])(?=.*\d)[a-z0-9]+$")


@dataclass(frozen=True)
class SecretValue:
    first: int  # piece range, inclusive
    last: int
    how: str  # "answer", "stated", "echo"
    cue: str


def _is_backchannel(ctx: Context, line: int) -> bool:
    pieces = ctx.line_pieces(line)
    return len(pieces) <= 4 and all(ctx.norms[i] in BACKCHANNEL for i in pieces)


def _numberish(norm: str) -> bool:
    return norm.isdigit() or norm in DIGIT_WORDS or norm in TEENS or norm in TENS or norm in REPEATS


def _stops(ctx: Context, a: int, b: int) -> bool:
    gap = ctx.text[ctx.pieces[a].end : ctx.pieces[b].start]
    return ctx.pieces[a].line != ctx.pieces[b].line or bool(re.search(r"[,.?!;:]|\.\.\.", gap))


def clauses(ctx: Context, line: int) -> list[list[int]]:
    """The line's pieces cut at punctuation and at "and" (a name and a passcode are two clauses)."""
    out: list[list[int]] = []
    for index in ctx.line_pieces(line):
        if out and out[-1] and not _stops(ctx, out[-1][-1], index) and ctx.norms[index] != "and":
            out[-1].append(index)
        elif ctx.norms[index] == "and":
            out.append([])
        else:
            out.append([index])
    return [c for c in out if c]


def _spelled(ctx: Context, pieces: list[int]) -> bool:
    """Letters said one by one ("S-N-O-W", "k i n g")."""
    return len(pieces) >= 3 and all(len(ctx.pieces[i].text) == 1 and ctx.pieces[i].text.isalpha() for i in pieces)


def _lone_oh(ctx: Context, clause: list[int], k: int) -> bool:
    """"Oh" as an interjection, not a zero: no number next to it."""
    if ctx.norms[clause[k]] not in ("oh", "o"):
        return False
    near = [clause[j] for j in (k - 1, k + 1) if 0 <= j < len(clause)]
    return not any(_numberish(ctx.norms[i]) and ctx.norms[i] not in ("oh", "o") or ctx.pieces[i].kind != "word" for i in near)


def value_in_clause(ctx: Context, clause: list[int], names: set[int], words_ok: bool = True) -> tuple[int, int] | None:
    """The value a clause gives, after its discourse words; None for a refusal, a question or chatter.

    With a number, a letters-and-digits token or a spelling, the clause is the
    value ("harbor with a capital h then two two"); otherwise, when
    ``words_ok``, its first one to three content words ("that'd be Waffles").
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    norms = [ctx.norms[i] for i in clause]
    if any(n in REFUSAL for n in norms):
        return None
    clause = [i for k, i in enumerate(clause) if not _lone_oh(ctx, clause, k)]
    body = list(clause)
    while body and (ctx.norms[body[0]] in DISCOURSE or ctx.norms[body[0]] in BACKCHANNEL) and not _numberish(ctx.norms[body[0]]):
        body.pop(0)
    while body and ctx.norms[body[-1]] in DISCOURSE and not _numberish(ctx.norms[body[-1]]):
        body.pop()
    if not body:
        return None
    words = [ctx.norms[i] for i in body]
    if any(w in META for w in words):
        return None
    has_number = any(_numberish(w) or ctx.pieces[i].kind != "word" for w, i in zip(words, body))
    mixed = any(_LETTERS_AND_DIGITS.match(w) for w in words)
    if _spelled(ctx, clause if len(clause) > len(body) and _spelled(ctx, clause) else body):
        return clause[0], clause[-1]
    if (has_number or mixed) and len(body) <= 8 and not any(w in COMMON for w in words):
        return body[0], body[-1]
    if not words_ok or has_number or any(i in names for i in body):
        return None
    content = []
    for i, w in zip(body, words):
        if w in STOP_WORDS or w in COMMON or w in DISCOURSE or not w.isalpha() or len(w) < 3:
            break
        content.append(i)
    if content and len(content) <= 3 and len(content) == len([i for i in body if ctx.norms[i] not in STOP_WORDS][: len(content)]):
        return content[0], content[-1]  # a word answer: a pet's name, a street, a mascot
    return None


class SecretReader:
    """Finds the call's spoken secrets once per Context (shared through ``ctx.memo``)."""

    def __init__(self, ctx: Context, names: set[int] = frozenset()):
        self.ctx = ctx
        self.values: list[SecretValue] = []
        self._names = names
        self._answers()
        self._echoes()

    @classmethod
    def of(cls, ctx: Context) -> "SecretReader":
        reader = ctx.memo.get("secrets")
        if reader is None:
            names = {i for start, end, label in ctx.ner_spans if label == "PERSON" for i in range(*_piece_range(ctx, start, end))}
            reader = ctx.memo["secrets"] = cls(ctx, names)
        return reader  # type: ignore[return-value]

    def _prompt(self, line: int) -> str | None:
        """The secret cue of a line that asks for a secret (not one that names the biographical kind)."""
        ctx = self.ctx
        hits = [h for h in ctx.find(SECRET_CUES) if ctx.pieces[h[0]].line == line]
        recent = any(line - 6 <= ctx.pieces[h[0]].line <= line for h in ctx.find(SECRET_CUES))
        new = [h for h in ctx.find(NEW_VALUE) if ctx.pieces[h[0]].line == line] if recent else []
        if not hits and not new:
            return None
        if any(ctx.pieces[h[0]].line == line for h in ctx.find(NOT_A_SECRET_PROMPT)) and not any(h[2] in ("passcode", "pin") for h in hits):
            return None  # a biographical or account question: the BIOGRAPHICAL / BILL_AMOUNT rules' business
        if any(v.first in ctx.line_pieces(line) for v in self.values):
            return None  # it states a value, it does not ask for one
        asking = "?" in ctx.line_text(line) or any(ctx.pieces[h[0]].line == line for h in ctx.find(REQUEST))
        return (hits or new)[-1][2] if asking else None

    def _answers(self) -> None:
        ctx = self.ctx
        open_cue, asker, opened = None, None, -1
        for line in range(ctx.line_count):
            cue = self._prompt(line)
            self._stated(line)
            if cue is not None:
                open_cue, asker, opened = cue, ctx.role(line), line
                continue
            if open_cue is None or line - opened > OPEN_LINES:
                open_cue = None
                continue
            if ctx.role(line) == asker:
                if not _is_backchannel(ctx, line) and not any(ctx.pieces[h[0]].line == line for h in ctx.find(RETRY)):
                    open_cue = None  # the asker moved on ("you're verified", another question)
                continue
            # The first answer may be words ("Waffles"); retries must look like a code.
            first_answer = all(ctx.role(k) == asker or _is_backchannel(ctx, k) for k in range(opened + 1, line))
            name_asked = any(ctx.pieces[h[0]].line == opened for h in ctx.find(CALLER_NAME))
            names = self._names if name_asked else set()  # "your name and passcode": the name is no secret
            if any(v.first in ctx.line_pieces(line) for v in self.values):
                continue  # the value was stated in so many words ("the passcode is ...")
            refused = any(ctx.norms[i] in REFUSAL or ctx.norms[i] in ACKNOWLEDGED for i in ctx.line_pieces(line))
            for clause in clauses(ctx, line):
                value = value_in_clause(ctx, clause, names, words_ok=first_answer and not refused)
                if value and not self._phone_shaped(value):
                    self.values.append(SecretValue(value[0], value[1], "answer", open_cue))
                    if not self._code_like(value):
                        break  # one word answer per turn; codes may come in several tries

    def _stated(self, line: int) -> None:
        """"passcode's purple 3", "the PIN is, um, ..., Rx7Falcon", "pin six two six two"."""
        ctx = self.ctx
        cues = [(last, phrase) for first, last, phrase in ctx.find(SECRET_CUES) if ctx.pieces[first].line == line]
        cues += [(i, ctx.norms[i][:-2]) for i in ctx.line_pieces(line) if ctx.norms[i].endswith("'s") and SECRET_CUES.match_at([ctx.norms[i][:-2]], 0)]
        for last, phrase in cues:
            rest = [i for i in ctx.line_pieces(line) if i > last]
            if not rest or phrase == "security question":
                continue
            glued = ctx.norms[last].endswith("'s")
            if not glued and ctx.norms[rest[0]] not in ("is", "was", "it's", "would", "will") and not _numberish(ctx.norms[rest[0]]):
                continue  # "the passcode on the account", "pin number please"
            for clause in [c for c in clauses(ctx, line) if c[0] > last or c[-1] > last][:3]:
                clause = [i for i in clause if i > last]
                value = value_in_clause(ctx, clause, self._names)
                if value and not self._phone_shaped(value) and not self._covered(list(range(value[0], value[1] + 1))):
                    self.values.append(SecretValue(value[0], value[1], "stated", phrase))
                    break

    def _code_like(self, value: tuple[int, int]) -> bool:
        pieces = range(value[0], value[1] + 1)
        return any(_numberish(self.ctx.norms[i]) or self.ctx.pieces[i].kind != "word" or _LETTERS_AND_DIGITS.match(self.ctx.norms[i]) for i in pieces)

    def _phone_shaped(self, value: tuple[int, int]) -> bool:
        digits = "".join(str(DIGIT_WORDS.get(self.ctx.norms[i], self.ctx.norms[i] if self.ctx.norms[i].isdigit() else "")) for i in range(value[0], value[1] + 1))
        return len(digits) >= 10

    def _covered(self, pieces: list[int]) -> bool:
        return any(v.first <= p <= v.last for v in self.values for p in pieces)

    def _echoes(self) -> None:
        """Later repeats of a found value (a read-back) are the secret too."""
        ctx = self.ctx
        for value in list(self.values):
            words = ctx.norms[value.first : value.last + 1]
            if len(words) == 1 and not _LETTERS_AND_DIGITS.match(words[0]) and not (len(words[0]) >= 5 and value.how != "echo"):
                continue
            if all(_numberish(w) for w in words) and len(words) < 3:
                continue
            for start in range(value.last + 1, len(ctx.norms) - len(words) + 1):
                if ctx.norms[start : start + len(words)] == words and not self._covered([start]):
                    self.values.append(SecretValue(start, start + len(words) - 1, "echo", value.cue))


def _piece_range(ctx: Context, start: int, end: int) -> tuple[int, int]:
    first, last = ctx.span_pieces(start, end)
    return first, last + 1
