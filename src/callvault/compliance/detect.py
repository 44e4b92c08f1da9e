"""Consent and disclosure events, read from the dialogue rather than single sentences.

An agent's question is read together with the customer's next answer; an IVR
prompt counts as the carrier's side; the customer may raise things unasked
(an objection, an opt-out). Each event links the turns it rests on and says
which cue matched, so an officer can check the reading.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Sequence

from callvault.compliance import cues as c
from callvault.compliance.answers import AFFIRM, AMBIGUOUS, NEGATIVE, Answer, classify_answer
from callvault.compliance.model import CARRIER as MODEL_CARRIER
from callvault.compliance.model import CUSTOMER as MODEL_CUSTOMER
from callvault.compliance.model import GATES, gated
from callvault.compliance.options import ComplianceOptions
from callvault.compliance.quotes import redact_span
from callvault.models.compliance import ConsentEvent
from callvault.models.events import EVENT_TYPES, EventType as E
from callvault.models.findings import Finding
from callvault.models.recording import CallMetadata
from callvault.models.transcript import Transcript


CARRIER_ROLES = ("agent", "ivr", "unknown")  # unknown: roles not assigned; read both ways
CUSTOMER_ROLES = ("customer", "unknown")
_SENTENCE_END = re.compile(r"[.?!]")


@dataclass(frozen=True)
class _Turn:
    index: int
    role: str
    speaker: str
    raw: str
    norm: str
    offset: int  # of the turn's text in transcript.text

    @property
    def carrier(self) -> bool:
        return self.role in CARRIER_ROLES

    @property
    def customer(self) -> bool:
        return self.role in CUSTOMER_ROLES


@dataclass(frozen=True)
class _Learned:
    """The model's opinion where code expects a cue: ``name`` goes into the event's ``why``."""

    why: str
    prefix: str = ""

    @property
    def name(self) -> str:
        return self.prefix + self.why


@dataclass(frozen=True)
class _Span:
    """A sentence of a turn the model judged; stands in for a cue's match (start/end/group)."""

    begin: int
    finish: int
    text: str

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.finish

    def group(self) -> str:
        return self.text


_SENTENCE = re.compile(r"[^.?!]+[.?!]*")
_WINDOW, _STRIDE = 14, 7  # words: unpunctuated speech is read in overlapping windows
# Questions the model must not read as statements: "are you recording this?" is no
# objection, "what's the new email?" no change (spoken text has no question marks).
_ASKS_WHETHER = re.compile(r"^\s*(?:\w+ ){0,2}(?:are|is|was|were|do|does|did|will) (?:you|we|this|it|they)\b")
_ASKS = re.compile(r"\b(?:what'?s|what|which|can you|could you|would you|do you|did you|may i|can i)\b")


def _pieces(raw: str) -> list[tuple[int, int]]:
    """Sentences of a turn (char spans); a long unpunctuated one as overlapping word windows."""
    out = []
    for m in _SENTENCE.finditer(raw):
        words = list(re.finditer(r"\S+", m.group()))
        if not words:
            continue
        if len(words) <= _WINDOW + _STRIDE:
            out.append((m.start() + words[0].start(), m.start() + words[-1].end()))
            continue
        for i in range(0, len(words) - _STRIDE, _STRIDE):
            chunk = words[i : i + _WINDOW]
            out.append((m.start() + chunk[0].start(), m.start() + chunk[-1].end()))
    return out


class _Dialogue:
    """The transcript as detection reads it, with offsets and times computed once."""

    def __init__(self, transcript: Transcript, findings: Sequence[Finding], model=None):
        self.text = transcript.text
        self.findings = tuple(findings)
        offsets = transcript.turn_offsets()
        self.turns = [
            _Turn(i, t.role, t.speaker, t.text, c.normalise(t.text), offsets[i][0]) for i, t in enumerate(transcript.turns)
        ]
        words = transcript.word_offsets()
        self._word_starts = [w.char_start for w in words]
        self._words = words
        self._turn_spans = [(t.start, t.end) for t in transcript.turns]
        self._model = model
        self._judged: dict[tuple[int, str, int], object] = {}  # (turn, side, piece start) -> Opinion

    def opinion(self, turn: _Turn, *labels: str):
        """(Opinion, _Span) of the first sentence of ``turn`` the model gives one of ``labels``, or None.

        Asked only where the grammar found nothing, and only about sentences that pass
        the labels' gates, so most of a call is never embedded; each sentence once.
        """
        if self._model is None:
            return None
        side = MODEL_CARRIER if labels[0] in GATES[MODEL_CARRIER] else MODEL_CUSTOMER
        spans = [_Span(a, b, turn.raw[a:b]) for a, b in _pieces(turn.raw)]
        wanted = [sp for sp in spans if any(gated(side, label, sp.text) for label in labels)]
        todo = [sp for sp in wanted if (turn.index, side, sp.begin) not in self._judged]
        if todo:
            for sp, opinion in zip(todo, self._model.judge(side, self._model.encode([sp.text for sp in todo]))):
                self._judged[(turn.index, side, sp.begin)] = opinion
        for sp in wanted:
            opinion = self._judged[(turn.index, side, sp.begin)]
            if opinion.label in labels and gated(side, opinion.label, sp.text):
                return opinion, sp
        return None

    def times(self, start: int, end: int) -> tuple[float, float]:
        """Audio times of the words a canonical-text span touches."""
        i = max(0, bisect.bisect_right(self._word_starts, start) - 1)
        hit = []
        while i < len(self._words) and self._words[i].char_start < end:
            if self._words[i].char_end > start:
                hit.append(self._words[i].word)
            i += 1
        if not hit:
            return (0.0, 0.0)
        return (min(w.start for w in hit), max(w.end for w in hit))

    def sentence(self, turn: _Turn, match: re.Match | None) -> tuple[int, int]:
        """The sentence of ``turn`` holding ``match`` (the whole turn when unpunctuated), in text offsets."""
        if match is None:
            return turn.offset, turn.offset + len(turn.raw)
        left = max((m.end() for m in _SENTENCE_END.finditer(turn.raw, 0, match.start())), default=0)
        right_m = _SENTENCE_END.search(turn.raw, match.end())
        right = right_m.end() if right_m else len(turn.raw)
        return turn.offset + left, turn.offset + right

    def quote(self, start: int, end: int) -> str:
        return redact_span(self.text, start, end, self.findings)

    def event(
        self,
        type_: str,
        anchor: _Turn,
        linked: Sequence[_Turn] = (),
        match: re.Match | None = None,
        confidence: float = 0.9,
        why: str = "",
        details: Sequence[str] = (),
    ) -> ConsentEvent:
        start, end = self.sentence(anchor, match)
        t0, t1 = self.times(start, end)
        turns = sorted({t.index for t in linked} | {anchor.index})
        if len(turns) > 1:
            parts = [t for t in linked if t.index != anchor.index] + [anchor]
            quote = " | ".join(
                f"{t.role}: {self.quote(*self.sentence(t, match) if t is anchor else (t.offset, t.offset + len(t.raw)))}"
                for t in sorted(parts, key=lambda t: t.index)
            )
        else:
            quote = self.quote(start, end)
        return ConsentEvent(
            type=type_,
            speaker=anchor.speaker,
            role=anchor.role,
            start=round(t0, 3),
            end=round(t1, 3),
            quote=quote,
            turn_indexes=tuple(turns),
            confidence=confidence,
            why=why,
            details=tuple(details),
        )

    def answer_after(self, turn: _Turn, window: int) -> _Turn | None:
        """The customer's first turn within ``window`` turns after ``turn``."""
        for other in self.turns[turn.index + 1 : turn.index + 1 + window]:
            if other.customer and other.speaker != turn.speaker:
                return other
        return None


def _asks(d: _Dialogue, turn: _Turn, match) -> bool:
    """The sentence holding ``match`` is a question (not the turn's closing "anything else?")."""
    start, end = d.sentence(turn, match)
    return _is_question(d.text[start:end], c.normalise(d.text[start:end]))


def _is_question(raw: str, norm: str) -> bool:
    return "?" in raw or bool(
        re.search(r"\b(?:would you like|do you want|want me to|want to|are you interested|interested in|may we|can we|may i|can i|could i|shall i|should i|is that ok|is that okay|keep getting|keep receiving|sound good)\b", norm)
    )


def _recording(d: _Dialogue, options: ComplianceOptions) -> list[ConsentEvent]:
    events, objected = [], set()
    disclosed_at = -10
    for turn in d.turns:
        if turn.carrier:
            hit = c.first(c.REC_DISCLOSURE, turn.norm)
            said = hit and not c.any_of(c.REC_NEGATED, hit[1].group())
            if said:
                disclosed_at = turn.index
                events.append(d.event(E.REC_DISCLOSURE, turn, match=hit[1], why=f"cue:{hit[0].name}"))
            else:
                learned = d.opinion(turn, "REC_DISCLOSURE")
                if learned and not c.any_of(c.REC_NEGATED, c.normalise(learned[1].text)):
                    hit = (None, learned[1])
                    disclosed_at = turn.index
                    events.append(d.event(E.REC_DISCLOSURE, turn, match=learned[1], confidence=0.7, why=learned[0].why))
            if hit and (said or hit[0] is None):
                if c.any_of(c.REC_CONSENT_QUESTION, turn.norm[hit[1].end() :]):
                    answer = d.answer_after(turn, options.answer_window_turns)
                    if answer and classify_answer(answer.raw).kind == NEGATIVE:
                        objected.add(answer.index)
                        events.append(d.event(E.RECORDING_OBJECTION, answer, [turn], confidence=0.85, why="answered no to the recording disclosure"))
        if turn.customer and turn.index not in objected:
            hit = c.first(c.RECORDING_OBJECTION, turn.norm)
            if not hit and turn.index - disclosed_at <= 3:  # "can you turn that off?" right after the disclosure
                hit = c.first(c.OBJECTION_AFTER_DISCLOSURE, turn.norm)
            if hit:
                events.append(d.event(E.RECORDING_OBJECTION, turn, match=hit[1], why=f"cue:{hit[0].name}"))
            else:
                learned = d.opinion(turn, "OBJECTION")
                if learned and not _ASKS_WHETHER.search(c.normalise(learned[1].text)):
                    events.append(d.event(E.RECORDING_OBJECTION, turn, match=learned[1], confidence=0.7, why=learned[0].why))
    return events


# Notice elements the model can recognise when no cue does.
_LEARNED_ELEMENTS = {"N1": "NOTICE_RIGHTS", "N4": "NOTICE_REFUSE", "N5": "CPNI_REQUEST"}


def _elements(d: _Dialogue, turn: _Turn) -> dict[str, str]:
    found = {}
    for element, element_cues in c.NOTICE_ELEMENTS.items():
        hit = c.first(element_cues, turn.norm)
        if hit:
            found[element] = hit[0].name
        elif element in _LEARNED_ELEMENTS:
            learned = d.opinion(turn, _LEARNED_ELEMENTS[element])
            if learned:
                found[element] = learned[0].why
    return found


def _answer(d: _Dialogue, answer: _Turn) -> Answer:
    """The cue grammar's reading; where it found no clear answer the model may read a refusal.

    The model never turns an unclear answer into a yes: ambiguous is not approval.
    """
    reading = classify_answer(answer.raw)
    if reading.kind == AMBIGUOUS and reading.cue == "no clear answer":
        learned = d.opinion(answer, "DENY")
        if learned:
            return Answer(NEGATIVE, learned[0].why)
    return reading


_ANSWER_EVENT = {AFFIRM: E.APPROVAL_GRANTED, NEGATIVE: E.APPROVAL_DENIED, AMBIGUOUS: E.APPROVAL_AMBIGUOUS}
_MARKETING_EVENT = {AFFIRM: E.MARKETING_OPT_IN, NEGATIVE: E.MARKETING_OPT_OUT, AMBIGUOUS: E.APPROVAL_AMBIGUOUS}


def _approvals(d: _Dialogue, options: ComplianceOptions) -> list[ConsentEvent]:
    """CPNI notices and the answers to CPNI-use and marketing questions."""
    events: list[ConsentEvent] = []
    answered: set[int] = set()
    marketing_answered: set[int] = set()
    last_notice = -10
    for turn in d.turns:
        if turn.carrier:
            elements = _elements(d, turn)
            about_cpni = c.any_of(c.CPNI_OBJECT, turn.norm) or (elements.get("N5", "").startswith("model:"))
            notice = about_cpni and bool({"N1", "N2", "N4"} & set(elements))
            if notice:
                events.append(d.event(E.CPNI_NOTICE, turn, why="elements:" + ",".join(f"{k}={v}" for k, v in sorted(elements.items())), details=sorted(elements)))
                last_notice = turn.index
            marketing = c.first(c.MARKETING_QUESTION, turn.norm)
            if not marketing:
                learned = d.opinion(turn, "MARKETING_QUESTION")
                marketing = (_Learned(learned[0].why), learned[1]) if learned else None
            asks_cpni = "N5" in elements and (about_cpni or turn.index - last_notice <= 2) and (
                notice or "N2" in elements or "N3" in elements or turn.index - last_notice <= 2
            )
            if asks_cpni and not notice and turn.index - last_notice > 2:
                # The request is where the notice had to be given: a deficient one is still a notice (R7 reads its elements).
                events.append(d.event(E.CPNI_NOTICE, turn, why="request without a prior notice; elements:" + ",".join(sorted(elements)), details=sorted(elements)))
                last_notice = turn.index
            if asks_cpni and not (marketing and "N2" not in elements):
                answer = d.answer_after(turn, options.answer_window_turns)
                if answer and answer.index not in answered:
                    reading = _answer(d, answer)
                    answered.add(answer.index)
                    events.append(
                        d.event(_ANSWER_EVENT[reading.kind], answer, [turn], confidence=0.85 if reading.kind != AMBIGUOUS else 0.7, why=f"answer to CPNI-use question ({elements['N5']}): {reading.cue}", details=("scope:cpni",))
                    )
            elif marketing and _asks(d, turn, marketing[1]) and not c.any_of(c.MARKETING_CONFIRMED, turn.norm):
                answer = d.answer_after(turn, options.answer_window_turns)
                if answer and answer.index not in answered:
                    inverted = c.any_of(c.MARKETING_INVERTED, turn.norm)
                    # "Shall we stop the offers?" "Yes, stop them": a yes to stopping is an opt-out.
                    reading = classify_answer(re.sub(r"\bstop\w*", " ", answer.raw, flags=re.I) if inverted else answer.raw)
                    kind = reading.kind
                    if inverted and kind != AMBIGUOUS:
                        kind = AFFIRM if kind == NEGATIVE else NEGATIVE
                    answered.add(answer.index)
                    marketing_answered.add(answer.index)
                    events.append(
                        d.event(_MARKETING_EVENT[kind], answer, [turn], confidence=0.85 if kind != AMBIGUOUS else 0.7, why=f"answer to marketing question ({marketing[0].name}): {reading.cue}", details=("scope:marketing",))
                    )
        if turn.customer and turn.index not in answered and last_notice >= 0:
            revoked = c.first(c.CPNI_REVOKED, turn.norm)
            if revoked:
                events.append(d.event(E.APPROVAL_DENIED, turn, match=revoked[1], why=f"withdrawn:{revoked[0].name}", details=("scope:cpni",)))
                answered.add(turn.index)
        if turn.customer and turn.index not in marketing_answered:
            out = c.first(c.MARKETING_VOLUNTEER_OUT, turn.norm)
            if not out:
                learned = d.opinion(turn, "OPT_OUT")
                out = (_Learned(learned[0].why, prefix=""), learned[1]) if learned else None
            if out:
                events.append(d.event(E.MARKETING_OPT_OUT, turn, match=out[1], why=f"volunteered:{out[0].name}", details=("scope:marketing",)))
                continue
            into = c.first(c.MARKETING_VOLUNTEER_IN, turn.norm)
            if into:
                events.append(d.event(E.MARKETING_OPT_IN, turn, match=into[1], why=f"volunteered:{into[0].name}", details=("scope:marketing",)))
    return events


def _challenge(d: _Dialogue, turn: _Turn) -> tuple[str, str, re.Match] | None:
    """(event type, cue, match) when an agent turn asks the caller to authenticate."""
    bad = c.first(c.NONCOMPLIANT_PROMPT, turn.norm)
    if bad and c.any_of(c.NONCOMPLIANT_NOT_A_PROMPT, turn.norm[max(0, bad[1].start() - 40) : bad[1].end()]):
        bad = None
    # An IVR asking for the account number or address routes the call; an agent asking
    # for them, or anyone asking in a verification context, substitutes them for a password.
    identifying = bad and bad[0].name in ("address", "account_number", "bill_amount") and (turn.role == "ivr" or bad[0].name == "address")
    if bad and (not identifying or c.any_of(c.VERIFY_CONTEXT, turn.norm) or re.search(c.SECRET_WORDS, turn.norm)):
        return E.AUTH_CHALLENGE_NONCOMPLIANT, bad[0].name, bad[1]
    good = c.first(c.AUTH_PROMPT, turn.norm)
    if good and not c.any_of(c.AUTH_NOT_A_PROMPT, turn.norm):
        return E.AUTH_CHALLENGE, good[0].name, good[1]
    learned = d.opinion(turn, "AUTH_PROMPT", "AUTH_PROMPT_BIO")
    said = c.normalise(learned[1].text) if learned else ""
    # The turn, not only the sentence the model matched, tells "for a credit check, your social?" from a challenge.
    if learned and not c.any_of(c.AUTH_NOT_A_PROMPT, said) and not c.any_of(c.NONCOMPLIANT_NOT_A_PROMPT, turn.norm) and "without" not in said:
        kind = E.AUTH_CHALLENGE_NONCOMPLIANT if learned[0].label == "AUTH_PROMPT_BIO" else E.AUTH_CHALLENGE
        return kind, learned[0].why, learned[1]
    return None


def _authentication(d: _Dialogue, options: ComplianceOptions) -> list[ConsentEvent]:
    events: list[ConsentEvent] = []
    window = options.answer_window_turns + 2
    for turn in d.turns:
        if not turn.carrier:
            continue
        challenge = _challenge(d, turn)
        if not challenge:
            continue
        kind, cue, match = challenge
        why = cue if cue.startswith("model:") else f"cue:{cue}"
        events.append(d.event(kind, turn, match=match, why=why, details=(f"asked:{cue.split()[0]}",)))
        via = "via:password" if kind == E.AUTH_CHALLENGE else "via:noncompliant"
        failed = 0  # turn of the last failure; 0 while none
        answer = None
        # A wrong answer may be followed by another try: look a little further after each failure.
        for later in d.turns[turn.index + 1 : turn.index + 1 + window + 4]:
            if (later.index > turn.index + window and not failed) or (failed and later.index > failed + 3):
                break
            if later.carrier and _challenge(d, later):
                break  # asked again: that challenge has its own outcome
            if later.customer and later.speaker != turn.speaker and answer is None:
                answer = later
                no_secret = c.first(c.CUSTOMER_NO_SECRET, later.norm)
                learned = None if no_secret else d.opinion(later, "NO_SECRET")
                if (no_secret or learned) and failed:
                    break  # gave up after a wrong answer: that failure stands
                if no_secret or learned:
                    why = f"customer:{no_secret[0].name}" if no_secret else f"customer {learned[0].why}"
                    # Timed at the customer's answer; linked to the agent's reply, where the call goes on unauthenticated.
                    reply = next((t for t in d.turns[later.index + 1 : later.index + 2] if t.carrier), None)
                    linked = [turn, reply] if reply else [turn]
                    events.append(d.event(E.AUTH_FAIL, later, linked, confidence=0.85 if no_secret else 0.7, why=why, details=(via,)))
                    break
                continue
            if later.carrier and answer is not None:
                bad = c.first(c.AUTH_BAD, later.norm)
                ok = c.first(c.AUTH_OK, later.norm)
                if not bad and not ok:
                    learned = d.opinion(later, "AUTH_BAD", "AUTH_OK")
                    if learned:
                        pair = (_Learned(learned[0].why), learned[1])
                        bad, ok = (pair, None) if learned[0].label == "AUTH_BAD" else (None, pair)
                if bad:
                    events.append(d.event(E.AUTH_FAIL, later, [turn, answer], confidence=0.9, why=f"agent:{bad[0].name}", details=(via,)))
                    answer, failed = None, later.index  # the caller may try again
                    continue
                if ok:
                    events.append(d.event(E.AUTH_SUCCESS, later, [turn, answer], confidence=0.9, why=f"agent:{ok[0].name}", details=(via,)))
                    break
                ack = None if failed else c.first(c.POLITE_ACK, later.norm)
                if ack and "?" not in answer.raw:  # thanked for a plain answer: taken as accepted
                    events.append(d.event(E.AUTH_SUCCESS, later, [turn, answer], confidence=0.6, why=f"agent acknowledged the answer ({ack[0].name})", details=(via,)))
                    break
    return events


def _single_turn(d: _Dialogue, type_: str, found: tuple[c.Cue, ...], exclude: tuple[c.Cue, ...] = (), before: int = 30, after: int = 0, learned_label: str = "") -> list[ConsentEvent]:
    events = []
    for turn in d.turns:
        if not turn.carrier:
            continue
        hit = c.first(found, turn.norm)
        # Exclusions look near the match only: "I've updated it. Want offers?" is still a change.
        if hit and not c.any_of(exclude, turn.norm[max(0, hit[1].start() - before) : hit[1].end() + after]):
            events.append(d.event(type_, turn, match=hit[1], why=f"cue:{hit[0].name}"))
        elif not hit and learned_label:
            learned = d.opinion(turn, learned_label)
            # The grammar's exclusions hold for the model too; a question is not a statement of a change.
            said = c.normalise(learned[1].text) if learned else ""
            if learned and not c.any_of(exclude, said) and "?" not in learned[1].text and not _ASKS.search(said):
                events.append(d.event(type_, turn, match=learned[1], confidence=0.7, why=learned[0].why))
    return events


def detect_events(
    transcript: Transcript,
    findings: Sequence[Finding] = (),
    metadata: CallMetadata | None = None,
    options: ComplianceOptions | None = None,
    model=None,
    carrier: bool = True,
) -> list[ConsentEvent]:
    """Every consent and disclosure event of one call, in time order.

    ``findings`` only redact the quotes; ``metadata`` is accepted so callers
    pass one signature to detection and rules (direction does not change
    what was said). ``model`` (compliance.model.EventModel, built once per
    worker) gives a second opinion where the cue grammar finds nothing; its
    events say ``why="model:LABEL score ~ 'nearest example'"``.
    """
    options = options or ComplianceOptions()
    d = _Dialogue(transcript, findings, model if options.event_model else None)
    if not carrier:  # only recording law binds a business that is not a carrier; the rest is 47 CFR 64
        return sorted(_recording(d, options), key=lambda e: (e.start, e.turn_indexes[-1], EVENT_TYPES.index(e.type)))
    events = [
        *_recording(d, options),
        *_approvals(d, options),
        *_authentication(d, options),
        *_single_turn(d, E.ALT_DELIVERY_OFFER, c.ALT_DELIVERY, c.ALT_DELIVERY_EXCLUDE, before=60, after=40, learned_label="ALT_DELIVERY"),
        *_single_turn(d, E.ACCOUNT_CHANGE, c.ACCOUNT_CHANGE, c.ACCOUNT_CHANGE_EXCLUDE, learned_label="ACCOUNT_CHANGE"),
        *_single_turn(d, E.CHANGE_NOTICE, c.CHANGE_NOTICE, learned_label="CHANGE_NOTICE"),
    ]
    return sorted(events, key=lambda e: (e.start, e.turn_indexes[-1], EVENT_TYPES.index(e.type)))
