"""A learned second opinion on consent events: nearest labelled utterances in embedding space.

The cue grammar (cues.py) names the phrasings it knows; free paraphrase
slips past it. This model embeds a candidate sentence (all-MiniLM-L6-v2,
compliance.embed) and compares it with labelled utterances written for this
project (data/event_examples.txt; their vectors are shipped precomputed in
data/event_examples.npz). It answers with the label of the nearest examples,
their cosine score, and the nearest example's text, so every event it fires
explains itself. Detection asks it only where the grammar found nothing.

Build it once per worker (``load_event_model``); it holds the encoder's weights.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

import numpy as np

from callvault.models.errors import CallvaultError

CARRIER, CUSTOMER = "carrier", "customer"
OTHER = "OTHER"
EXAMPLES_FILE = "event_examples.txt"
VECTORS_FILE = "event_examples.npz"
# A sentence is given a label when its nearest examples of that label score at
# least this (cosine) and beat every other label by MARGIN. Leave-one-out on
# the examples favours 0.5; 0.6 keeps the second opinion's false alarms low
# on the shared dialogues (bench/consent.py), where 0.5 cost 7 points of precision.
MIN_SCORE = 0.6
MARGIN = 0.03
TOP_K = 2


# What a sentence must at least mention for the model to be asked about a label.
# A recording disclosure names recording; a passcode prompt names a secret or a
# check. The gates keep the model to plausible sentences (fewer to embed, and
# no disclosure found in a sentence about something else).
GATES = {
    CARRIER: {
        "REC_DISCLOSURE": r"\brecord(?:ed|ing|ings|er)?\b|monitor|\btap(?:e|ed|ing)\b",
        "CPNI_REQUEST": r"(?=.*(?:look|review|check|pull|access|go (?:through|over)|\bsee\b|\buse\b|brows|open))(?=.*(?:account|usage|plan|records|history|details|info|data|calls|bill|service))",
        "NOTICE_RIGHTS": r"right|duty|law|protect|confiden|privacy|private|obligat|requir",
        "NOTICE_REFUSE": r"say no|declin|refus|affect|impact|choice|don'?t have to|free to|optional",
        "AUTH_PROMPT": r"pass ?code|pass ?word|\bpin\b|code|secret|security|question|verif",
        "AUTH_PROMPT_BIO": r"social|birth|born|maiden|account number|zip|last (?:bill|payment)|amount|address",
        "AUTH_OK": r"verif|match|correct|right|confirm|checks? out|authenticat|that'?s it|good",
        "AUTH_BAD": r"match|correct|right|wrong|verif|confirm|not it|isn'?t it|without",
        "ALT_DELIVERY": r"mail|send|email|e-mail|text|call (?:you )?back|callback|ring you|address",
        "MARKETING_QUESTION": r"offer|promo|deal|market|discount|special|newsletter|sales",
        "ACCOUNT_CHANGE": r"chang|updat|reset|saved|\bnew\b|set up|added|removed",
        "CHANGE_NOTICE": r"notic|notif|alert|letter|text|email|e-mail|confirmation",
    },
    CUSTOMER: {
        "OBJECTION": r"\brecord(?:ed|ing|ings|er)?\b|\btap(?:e|ed|ing)\b|monitor|turn (?:that|it|this) off|shut (?:that|it) off|switch (?:that|it) off",
        "OPT_OUT": r"offer|promo|deal|market|sales|sell|advert|list|call(?:s|ing)? me|text(?:s|ing)? me",
        "DENY": r"\bno\b|\bnot\b|n'?t\b|rather|nah|nope|leave|prefer|pass\b|stop",
        "NO_SECRET": r"remember|forg[eo]t|know|idea|have one|set (?:one|it) up|never|sure",
    },
}
_GATES = {side: {label: re.compile(p, re.I) for label, p in gates.items()} for side, gates in GATES.items()}


def gated(side: str, label: str, sentence: str) -> bool:
    gate = _GATES[side].get(label)
    return gate is not None and gate.search(sentence) is not None


@dataclass(frozen=True)
class Example:
    side: str
    label: str
    text: str


@dataclass(frozen=True)
class Opinion:
    label: str  # OTHER when no label is close enough
    score: float
    example: str  # the nearest labelled utterance

    @property
    def why(self) -> str:
        return f"model:{self.label} {self.score:.2f} ~ {self.example!r}"


def parse_examples(text: str) -> list[Example]:
    examples, side, label = [], None, None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            side, label = line[1:-1].split()
            if side not in (CARRIER, CUSTOMER):
                raise CallvaultError(f"{EXAMPLES_FILE} line {number}: side must be carrier or customer")
            continue
        if label is None:
            raise CallvaultError(f"{EXAMPLES_FILE} line {number}: an utterance before any [side LABEL] header")
        examples.append(Example(side, label, line))
    return examples


def examples_text() -> str:
    return resources.files("callvault.compliance").joinpath("data", EXAMPLES_FILE).read_text(encoding="utf-8")


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EventModel:
    def __init__(self, encoder, examples: Sequence[Example], vectors: np.ndarray):
        self._encoder = encoder
        self._examples = {side: [e for e in examples if e.side == side] for side in (CARRIER, CUSTOMER)}
        index = {side: [i for i, e in enumerate(examples) if e.side == side] for side in (CARRIER, CUSTOMER)}
        self._vectors = {side: vectors[idx].astype(np.float32) for side, idx in index.items()}

    def labels(self, side: str) -> tuple[str, ...]:
        return tuple(sorted({e.label for e in self._examples[side]} - {OTHER}))

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        return self._encoder.encode(sentences)

    def judge(self, side: str, vectors: np.ndarray) -> list[Opinion]:
        """One Opinion per row of ``vectors`` (unit sentence vectors), against ``side``'s examples."""
        examples, bank = self._examples[side], self._vectors[side]
        if len(vectors) == 0:
            return []
        sims = vectors @ bank.T
        labels = np.array([e.label for e in examples])
        names = sorted(set(labels))
        opinions = []
        for row in sims:
            scores = {}
            for name in names:
                own = np.sort(row[labels == name])[::-1][:TOP_K]
                scores[name] = float(own.mean())
            best = max(scores, key=scores.get)
            runner = max((v for k, v in scores.items() if k != best), default=0.0)
            nearest = int(np.argmax(np.where(labels == best, row, -2.0)))
            label = best if scores[best] >= MIN_SCORE and scores[best] - runner >= MARGIN else OTHER
            opinions.append(Opinion(label, round(scores[best], 3), examples[nearest].text))
        return opinions


def load_event_model(encoder=None) -> EventModel:
    """The model from package data; CallvaultError saying how to rebuild when the vectors are stale."""
    from callvault.compliance.embed import SentenceEncoder

    text = examples_text()
    examples = parse_examples(text)
    try:
        with resources.files("callvault.compliance").joinpath("data", VECTORS_FILE).open("rb") as handle:
            stored = np.load(handle)
            vectors, stored_digest = stored["vectors"], str(stored["digest"])
    except (OSError, KeyError, ValueError) as exc:
        raise CallvaultError(f"{VECTORS_FILE} is missing or unreadable ({type(exc).__name__}); run python tools/build_event_examples.py") from None
    if stored_digest != digest(text) or len(vectors) != len(examples):
        raise CallvaultError(f"{VECTORS_FILE} was built from other examples than {EXAMPLES_FILE}; run python tools/build_event_examples.py")
    return EventModel(encoder or SentenceEncoder(), examples, vectors)


def event_model_for(options) -> EventModel | None:
    """The worker's model when ``[compliance] event_model`` is on (the default), else None."""
    return load_event_model() if options.event_model else None
