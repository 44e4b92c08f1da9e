"""Secrets, biographical data and configuration: values said after a cue or as an answer.

A value is taken two ways: in a statement ("the password is blue monkey 7",
"my dog's name, Rex") and as the answer to the previous turn's question
("What's your account passcode?" / "It's tiger42."). Refusals ("I don't have
one") are no value.
"""

from __future__ import annotations

import re
from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.expressions import birthdate_digits_ok, spans_of
from callvault.redact.recognizers.answers import SecretReader
from callvault.redact.recognizers.base import Match, SpokenRecognizer, candidates, run_matches
from callvault.redact.spoken import DIGIT_WORDS, TEENS, TENS

COPULA = frozenset({"is", "was", "it's", "its", "would", "be", "are", "were"})
FILLERS = frozenset({"um", "uh", "like", "just", "er", "erm", "ah"})
ANSWER_LEAD = frozenset({
    "it's", "its", "it", "is", "yeah", "yes", "sure", "um", "uh", "okay", "ok", "so", "oh", "the", "my",
    "that's", "that", "i", "think", "well", "uhhuh", "was", "be", "would", "should", "believe",
})
NEGATIONS = frozenset({"no", "not", "don't", "dont", "nope", "never", "can't", "cant", "forgot", "none", "haven't", "didn't", "dunno"})
NOT_A_VALUE = frozenset({
    "wrong", "incorrect", "locked", "expired", "reset", "changed", "not", "correct", "right", "required",
    "needed", "the", "a", "same", "different", "updated", "on", "off", "set", "and", "for", "to", "please",
    "still", "what", "why", "how",
})
REQUEST = Phrases(("please say", "key in", "tell me", "give me", "provide", "verify", "confirm", "i need", "need your", "what's", "what is", "what was", "can you"))


def _is_number_word(norm: str) -> bool:
    return norm in DIGIT_WORDS or norm in TEENS or norm in TENS or norm.isdigit()


def _stops_between(ctx: Context, a: int, b: int) -> bool:
    """Punctuation that ends a value between pieces a and b."""
    return bool(re.search(r"[,.?!;:]", ctx.text[ctx.pieces[a].end : ctx.pieces[b].start])) or ctx.pieces[a].line != ctx.pieces[b].line


def value_after(ctx: Context, cue_last: int, max_words: int = 4) -> tuple[int, int] | None:
    """Pieces of a value stated right after a cue: "<cue> is VALUE", "<cue>, VALUE"."""
    j = cue_last + 1
    if j >= len(ctx.pieces) or ctx.pieces[j].line != ctx.pieces[cue_last].line:
        return None
    gap = ctx.text[ctx.pieces[cue_last].end : ctx.pieces[j].start]
    if "?" in gap or "." in gap:
        return None
    if ctx.norms[j] in COPULA:
        while j < len(ctx.pieces) and ctx.norms[j] in COPULA and not _stops_between(ctx, j - 1, j):
            j += 1
    elif "," not in gap and ":" not in gap:
        return None
    while j < len(ctx.pieces) and ctx.norms[j] in FILLERS:
        j += 1
    if j >= len(ctx.pieces) or ctx.pieces[j].line != ctx.pieces[cue_last].line:
        return None
    if re.search(r"[.?!]", ctx.text[ctx.pieces[cue_last].end : ctx.pieces[j].start]):
        return None
    return _value_from(ctx, j, max_words)


def _value_from(ctx: Context, j: int, max_words: int) -> tuple[int, int] | None:
    """Up to ``max_words`` pieces from j, to the next punctuation or connective."""
    if j >= len(ctx.pieces) or ctx.norms[j] in NOT_A_VALUE:
        return None
    last = j
    while last + 1 < len(ctx.pieces) and last + 1 - j < max_words and not _stops_between(ctx, last, last + 1):
        if ctx.norms[last + 1] in ("and", "but", "so", "please", "right", "correct", "okay"):
            break
        last += 1
    return j, last


def answer_value(ctx: Context, line: int, max_words: int = 3) -> tuple[int, int] | None:
    """The value a turn gives in answer: its words after "it's", "yeah", "um"; none for a refusal."""
    pieces = ctx.line_pieces(line)
    if not pieces or any(ctx.norms[i] in NEGATIONS for i in pieces[:3]):
        return None
    k = 0
    while k < len(pieces) and ctx.norms[pieces[k]] in ANSWER_LEAD:
        k += 1
    if k >= len(pieces):
        return None
    first = pieces[k]
    if _is_number_word(ctx.norms[first]) or ctx.pieces[first].kind != "word":
        return None  # numbers are the number rules' business
    return _value_from(ctx, first, max_words)


def prompted(ctx: Context, line: int, cues: Phrases) -> str | None:
    """The cue of the previous turn when it asks for the value (a question or request)."""
    if line == 0:
        return None
    pieces = ctx.line_pieces(line - 1)
    if not pieces:
        return None
    found = [hit for hit in ctx.find(cues) if ctx.pieces[hit[0]].line == line - 1]
    if not found:
        return None
    question = ctx.ends_with_question(found[-1][1]) or "?" in ctx.line_text(line - 1)
    request = any(ctx.pieces[h[0]].line == line - 1 for h in ctx.find(REQUEST))
    return found[-1][2] if (question or request) else None


class _ValueRecognizer(SpokenRecognizer):
    """Values stated after a cue or given in answer to a prompt for one."""

    VALUE_CUES: Phrases
    PATTERN = "value"

    def values(self, ctx: Context) -> Iterator[Match]:
        stated_lines = set()
        for first, last, phrase in ctx.find(self.VALUE_CUES):
            value = value_after(ctx, last)
            if value:
                stated_lines.add(ctx.pieces[value[0]].line)
                start, end = ctx.pieces[value[0]].start, ctx.pieces[value[1]].end
                yield Match(start, end, 0.85, "value", f"{self.PATTERN}-stated", (phrase,))
        lines = sorted({p.line for p in ctx.pieces})
        for line in lines:
            if line in stated_lines:
                continue
            cue = prompted(ctx, line, self.VALUE_CUES)
            if not cue:
                continue
            value = answer_value(ctx, line)
            if value and not self.VALUE_CUES.match_at(ctx.norms, value[0]):
                start, end = ctx.pieces[value[0]].start, ctx.pieces[value[1]].end
                yield Match(start, end, 0.75, "answer", f"{self.PATTERN}-answer", (cue,), "answer to the previous turn's prompt")


class AuthSecretRecognizer(_ValueRecognizer):
    """Passcodes, PINs, passwords and security answers: always redacted."""

    ENTITY = "AUTH_SECRET"
    PATTERN = "secret"
    NUMBER_CUES = Phrases((
        "pin", "pin number", "passcode", "pass code", "password", "pin code", "security pin", "temporary pin",
        "account pin", "secret code", "voicemail pin",
    ))
    VALUE_CUES = Phrases((
        "passcode", "pass code", "password", "pin", "pin number", "security answer", "secret word", "security word",
        "dog's name", "pet's name", "cat's name", "first pet", "security question", "answer to the security question",
        "first dog's name",
    ))

    OTHER_NUMBERS = Phrases(("account", "account number", "phone", "phone number", "number", "zip", "card", "social", "ssn", "callback", "bill", "amount", "balance"))

    def find(self, ctx: Context) -> Iterator[Match]:
        reader = SecretReader.of(ctx)
        for value in reader.values:
            score = {"stated": 0.85, "answer": 0.8, "echo": 0.8}[value.how]
            note = {"answer": "answer to the other party's prompt", "echo": "the secret said again (read-back)", "stated": ""}[value.how]
            yield Match(ctx.pieces[value.first].start, ctx.pieces[value.last].end, score, "answer", f"secret-{value.how}", (value.cue,), note)
        for run in candidates(ctx):
            if not 3 <= len(run.digits) <= 8 or len(run.line_parts()) > 1:
                continue  # ten digits are a phone number, not a PIN
            cue = ctx.cue_before(run.first, self.NUMBER_CUES, 8)
            other = ctx.cue_before(run.first, self.OTHER_NUMBERS, 8)
            if cue and (other is None or other.distance > cue.distance):
                yield from run_matches(run, 0.7 + 0.3 * proximity(cue, 8), "spoken-number", "secret-digits", cue.phrase)
            elif cue is None and ctx.cue_before(run.first, self.NAMED_NUMBERS, 8) is None and self._verified_answer(ctx, run):
                yield from run_matches(run, 0.6, "answer", "secret-verified", "verified", "a short answer the other side then verified")

    # Numbers a question names ("the phone number on the account?"); a bare "on the account" names none.
    NAMED_NUMBERS = Phrases(("account number", "phone number", "phone", "number", "zip", "card", "social", "ssn", "callback"))
    VERIFIED = Phrases(("verified", "that matches", "it matches", "matches our records", "thanks for verifying", "authenticated"))

    def _verified_answer(self, ctx: Context, run) -> bool:
        """A few digits that make up a short reply to a question, confirmed by "you're verified" next.

        On the audio path the ASR garbles the prompt ("a secure video in the account?" for "the
        security PIN on the account"): the verification that follows still says the digits were
        the secret.
        """
        line = ctx.pieces[run.first].line
        asked, said, after = ctx.line_pieces(line - 1), ctx.line_pieces(line), ctx.line_pieces(line + 1)
        if not asked or not after or len(said) > len(range(run.first, run.last + 1)) + 4:
            return False
        if len(run.digits) in (7, 10, 11) or ctx.role(line - 1) == ctx.role(line) or ctx.role(line + 1) == ctx.role(line):
            return False
        if not ctx.ends_with_question(asked[-1]) and re.search(r"[.?!]", ctx.line_text(line - 1)):
            return False
        head = after[: 8]
        return any(ctx.pieces[a].line == line + 1 and a in head for a, _, _ in ctx.find(self.VERIFIED))


class BiographicalRecognizer(_ValueRecognizer):
    """SSN last four, date of birth, mother's maiden name (47 CFR 64.2010 bans them as passwords)."""

    ENTITY = "BIOGRAPHICAL"
    PATTERN = "maiden-name"
    SOCIAL = Phrases(("social", "ssn", "social security", "social security number"))
    BIRTH = Phrases(("date of birth", "birth date", "birthdate", "birthday", "born", "born on", "dob", "d o b"))
    VALUE_CUES = Phrases(("maiden name", "mother's maiden name"))

    def find(self, ctx: Context) -> Iterator[Match]:
        for run in candidates(ctx):
            cue = ctx.cue_before(run.first, self.SOCIAL, 12)
            if len(run.digits) == 4 and cue:
                yield from run_matches(run, 0.7 + 0.3 * proximity(cue, 12), "spoken-number", "ssn-last-four", cue.phrase)
            birth = ctx.cue_before(run.first, self.BIRTH, 8)
            if birth and birthdate_digits_ok(run.digits):
                yield from run_matches(run, 0.75 + 0.25 * proximity(birth, 8), "spoken-number", "birth-date-digits", birth.phrase)
        for first, last in spans_of(ctx, "datetime"):
            birth = ctx.cue_before(first, self.BIRTH, 8)
            if birth:
                yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.75 + 0.25 * proximity(birth, 8), "expression", "birth-date", (birth.phrase,))
        yield from self.values(ctx)
