"""Words -> speaker turns -> agent/customer roles.

A turn is a run of one speaker's words; it ends when another speaker talks
or after a pause longer than ``max_pause``. Roles come from metadata when it
has them, else from what the speakers say (see ``infer_roles``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from callvault.models.transcript import Speaker, Turn, Word

DEFAULT_MAX_PAUSE = 1.5  # seconds of silence that end a turn

# Phrases agents say and customers rarely do, with a weight each. Greeting
# cues count most: an agent opens the call with them.
AGENT_CUES: tuple[tuple[str, str, float], ...] = (
    ("greeting 'thank you for calling'", r"thank(s| you) for calling", 3.0),
    ("recording notice", r"(this|the) call (may|will|is) (be )?(being )?(monitored|recorded)", 3.0),
    ("offer 'how can I help'", r"how (can|may|could) i (help|assist)", 2.5),
    ("introduction 'this is NAME with'", r"(my name is|this is) \w+[,.]? (with|from|at|speaking)", 2.0),
    ("'calling from'", r"calling from", 1.5),
    ("closing 'anything else I can help'", r"is there anything else i can (help|do)", 2.0),
    ("'quality and training'", r"(for|to) (quality|training) (and|or) (training|quality)", 2.0),
    ("asks for name or account", r"(can|may) i (have|get) your (name|account|phone)", 1.5),
    ("'let me pull up your account'", r"(let me|i('ll| will)) (pull up|look up|check) (your|the) account", 1.5),
)
CUSTOMER_CUES: tuple[tuple[str, str, float], ...] = (
    ("'I'm calling about'", r"i('m| am) calling (about|because|to)", 2.0),
    ("'I have a question'", r"i (have|had) a (question|problem)", 1.5),
    ("'my bill is'", r"my (bill|account|phone|service) (is|was|has)", 1.0),
    ("'I want to cancel'", r"i (want|need|would like) to (cancel|change|know|ask)", 1.0),
)


def words_to_turns(words: Iterable[Word], roles: Mapping[str, str] | None = None, max_pause: float = DEFAULT_MAX_PAUSE) -> list[Turn]:
    """Merge words (any order, any speakers) by time into turns.

    Each speaker's words are split where they pause longer than
    ``max_pause`` or where another speaker starts talking in the gap between
    two of their words; the pieces are then ordered by start time. Splitting
    only at gaps keeps simultaneous speech on two channels as two readable
    turns instead of interleaving it word by word.
    """
    roles = roles or {}
    by_speaker: dict[str, list[Word]] = {}
    for word in sorted(words, key=lambda w: (w.start, w.end)):
        by_speaker.setdefault(word.speaker, []).append(word)
    starts = {s: [w.start for w in ws] for s, ws in by_speaker.items()}

    def other_starts_between(speaker: str, begin: float, end: float) -> bool:
        for other, times in starts.items():
            if other != speaker:
                index = bisect.bisect_left(times, begin)
                if index < len(times) and times[index] < end:
                    return True
        return False

    pieces: list[list[Word]] = []
    for speaker, speaker_words in by_speaker.items():
        current = [speaker_words[0]]
        for previous, word in zip(speaker_words, speaker_words[1:]):
            if word.start - previous.end > max_pause or other_starts_between(speaker, previous.end, word.start):
                pieces.append(current)
                current = []
            current.append(word)
        pieces.append(current)
    pieces.sort(key=lambda ws: (ws[0].start, ws[0].speaker))
    return [Turn(ws[0].speaker, roles.get(ws[0].speaker, "unknown"), tuple(ws)) for ws in pieces]


@dataclass(frozen=True)
class RoleGuess:
    agent: str | None
    confidence: float
    reason: str


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z' ]+", " ", text.lower())


def infer_agent(turns: Sequence[Turn], speakers: Sequence[str]) -> RoleGuess:
    """Which speaker is the agent, judged by what each one says.

    Each speaker scores the weights of agent cues they say minus customer
    cues; cues in the first minute count double, since agents open calls.
    The confidence grows with the margin between the two best scores.
    """
    scores = {s: 0.0 for s in speakers}
    hits: dict[str, list[str]] = {s: [] for s in speakers}
    for turn in turns:
        if turn.speaker not in scores:
            continue
        text = _normalise(turn.text)
        early = 2.0 if turn.start < 60.0 else 1.0
        for label, pattern, weight in AGENT_CUES:
            if re.search(pattern, text):
                scores[turn.speaker] += weight * early
                hits[turn.speaker].append(f"{label} at {turn.start:.1f}s")
        for _label, pattern, weight in CUSTOMER_CUES:
            if re.search(pattern, text):
                scores[turn.speaker] -= weight * early
    if not speakers:
        return RoleGuess(None, 0.0, "no speakers")
    ranked = sorted(speakers, key=lambda s: scores[s], reverse=True)
    best = ranked[0]
    margin = scores[best] - (scores[ranked[1]] if len(ranked) > 1 else 0.0)
    if scores[best] <= 0 or margin <= 0:
        return RoleGuess(None, 0.0, "no agent phrases (greeting, recording notice, offer of help) told the speakers apart")
    confidence = round(min(0.95, 0.5 + margin / 10.0), 2)
    return RoleGuess(best, confidence, "agent phrases: " + "; ".join(hits[best][:3]))


def assign_roles(
    turns: Sequence[Turn],
    speaker_channels: Mapping[str, int | None],
    channel_roles: Mapping[int, str],
    agent_channel: int | None = None,
) -> list[Speaker]:
    """Speakers with roles: flag, then metadata, then what they say, then channel 0 = agent."""
    ids = sorted(speaker_channels)
    channels = {s: c for s, c in speaker_channels.items()}
    stereo = len({c for c in channels.values() if c is not None}) > 1

    def by_channel(agent_ch: int, confidence: float, reason: str) -> list[Speaker]:
        return [
            Speaker(s, "agent" if channels[s] == agent_ch else "customer", channels[s], confidence, reason)
            for s in ids
        ]

    if stereo and agent_channel is not None:
        return by_channel(agent_channel, 1.0, f"--agent-channel {agent_channel}")
    if stereo and channel_roles:
        return [
            Speaker(s, channel_roles.get(channels[s], "unknown"), channels[s], 1.0, "metadata channel_roles")
            for s in ids
        ]
    if len(ids) < 2:
        return [Speaker(s, "unknown", channels[s], 0.0, "one speaker: roles need two voices") for s in ids]
    guess = infer_agent(turns, ids)
    if guess.agent is not None:
        return [
            Speaker(s, "agent" if s == guess.agent else "customer", channels[s], guess.confidence, guess.reason if s == guess.agent else f"the other speaker is the agent ({guess.reason})")
            for s in ids
        ]
    if stereo:
        return by_channel(0, 0.5, "default: channel 0 is the agent (no metadata, no agent phrases found)")
    return [Speaker(s, "unknown", channels[s], 0.0, guess.reason) for s in ids]


def with_roles(turns: Sequence[Turn], speakers: Sequence[Speaker]) -> list[Turn]:
    roles = {s.id: s.role for s in speakers}
    return [Turn(t.speaker, roles.get(t.speaker, "unknown"), t.words) for t in turns]
