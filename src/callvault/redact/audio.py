"""Audio redaction: pure functions over float32 channel arrays (the pipeline decodes and encodes)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Iterable, Sequence

from callvault.models import ConfigError, Finding, TimeSpan, merge_spans
from callvault.redact.policy import DEFAULT_POLICY, RedactionPolicy

if TYPE_CHECKING:  # numpy is imported where it is used
    import numpy as np

    from callvault.models import Word

TONE_HZ = 1000.0
TONE_LEVEL = 0.1  # -20 dBFS: clearly a bleep, never louder than speech


def redact_audio(
    channels: Sequence["np.ndarray"],
    sample_rate: int,
    spans: Iterable[TimeSpan],
    mode: str = "tone",
    margin: float = 0.25,
) -> list["np.ndarray"]:
    """Copies of ``channels`` with every span (padded by ``margin`` s) replaced, on every channel.

    ``mode`` is "tone" (a 1 kHz bleep) or "silence". Channel count, length,
    dtype and sample rate are unchanged.
    """
    import numpy as np

    if mode not in ("tone", "silence"):
        raise ConfigError(f"audio redaction mode must be 'tone' or 'silence', not {mode!r}")
    if sample_rate <= 0:
        raise ConfigError(f"sample rate must be positive, not {sample_rate}")
    out = [np.array(c, dtype=np.float32, copy=True) for c in channels]
    if not out:
        return out
    length = max(len(c) for c in out)
    duration = length / sample_rate
    for span in merge_spans(TimeSpan(float(s.start), float(s.end)).padded(margin, limit=duration) for s in spans):
        first = max(0, int(math.floor(span.start * sample_rate)))
        last = min(length, int(math.ceil(span.end * sample_rate)))
        if last <= first:
            continue
        if mode == "tone":
            t = np.arange(first, last, dtype=np.float64) / sample_rate
            fill = (TONE_LEVEL * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
        else:
            fill = np.zeros(last - first, dtype=np.float32)
        for channel in out:
            end = min(last, len(channel))
            if end > first:
                channel[first:end] = fill[: end - first]
    return out


def pci_scrub_spans(findings: Iterable[Finding], policy: RedactionPolicy = DEFAULT_POLICY) -> list[TimeSpan]:
    """Spans (unpadded, merged) to silence in the audio stored as the original: CVV and PIN/secrets.

    Empty when the policy turns the scrub off (``policy.warnings`` says so).
    Pass them to ``redact_audio(..., mode="silence", margin=policy.margin)``.
    """
    if not policy.pci_scrub:
        return []
    wanted = set(policy.scrub_entities)
    return merge_spans(f.audio_span for f in findings if f.entity in wanted)


# A number read digit by digit takes a third of a second or more a digit. Whisper may
# write such a reading as one word ("4532015112830366"), and faster-whisper then clips a
# long word after a pause to twice the median word length (its word-timing heuristic), so
# the word's time covers only the last moment of the reading: a card read at 13.5-21.7 s
# came back timed 29.5-30.3 s. A word faster than this per digit was not timed as spoken.
SECONDS_PER_DIGIT_AT_LEAST = 0.15
DIGITS_TO_CHECK = 3
# How far back (per digit) from the word's end the audio may reach at most, when the
# speaker's previous word is further back or there is none: the clipped card above ended
# 8.6 s late, so its 16 digits needed 16.8 s.
SECONDS_PER_DIGIT_AT_MOST = 1.5


def audible_start(words: Sequence["Word"], previous_end: float | None) -> tuple[float, int] | None:
    """Where the audio of ``words`` may begin, when one of them is timed too short for its digits.

    ``previous_end``: the end of the same speaker's word before them (None: none).
    Returns (seconds, digits of the word that forced it), or None when the times hold.
    The reading can only lie after the speaker's previous word, so the span reaches
    back to it, but no further than SECONDS_PER_DIGIT_AT_MOST a digit before the
    word's end; it may take in the other side's words there, which redaction can
    afford and a missed card digit cannot.
    """
    reach: tuple[float, int] | None = None
    for word in words:
        digits = sum(ch.isdigit() for ch in word.text)
        if digits < DIGITS_TO_CHECK or word.end - word.start >= digits * SECONDS_PER_DIGIT_AT_LEAST:
            continue
        furthest = word.end - digits * SECONDS_PER_DIGIT_AT_MOST
        floor = furthest if previous_end is None else max(previous_end, furthest)
        start = max(0.0, min(floor, word.start))
        if reach is None or start < reach[0]:
            reach = (start, digits)
    return reach if reach is not None and reach[0] < min(w.start for w in words) else None


def snap_to_speech(audio: "np.ndarray", sample_rate: int, span: TimeSpan, max_shift: float = 0.8, frame: float = 0.02, max_gap: float = 0.25) -> TimeSpan:
    """``span`` with its edges moved onto the speech in ``audio`` (the speaker's channel).

    ASR word times are often a few tenths of a second off at a segment's
    edges. An edge inside speech, or in a pause shorter than ``max_gap`` next
    to speech, moves outwards to where that stretch of speech starts or ends
    (such short pauses do not stop it); an edge in a longer silence moves
    inwards to the nearest speech. Edges move out at
    most ``max_shift`` seconds, so a span never swallows a neighbouring phrase.
    """
    import numpy as np

    hop = max(1, int(frame * sample_rate))
    count = len(audio) // hop
    if count == 0:
        return span
    rms = np.sqrt(np.mean(np.square(audio[: count * hop].reshape(count, hop), dtype=np.float64), axis=1))
    threshold = max(1e-4, 0.1 * float(np.percentile(rms, 99)))
    voiced = rms > threshold
    limit, gap = int(max_shift / frame), max(1, int(max_gap / frame))

    def outward(index: int, step: int) -> int:
        last, quiet = index, 0
        for moved in range(1, limit + 1):
            probe = index + step * moved
            if not 0 <= probe < count:
                break
            if voiced[probe]:
                last, quiet = probe, 0
            else:
                quiet += 1
                if quiet > gap:
                    break
        return last

    def inward(index: int, step: int, stop: int) -> int:
        # through silence only, so as far as the other edge: nothing spoken is uncovered
        probe = index
        while probe != stop:
            probe += step
            if voiced[probe]:
                return probe
        return index

    first = min(count - 1, int(span.start / frame))
    last = min(count - 1, max(first, int(span.end / frame)))
    def edge(index: int, step: int, other: int) -> int:
        if voiced[index]:
            return outward(index, step)
        # in a pause: speech just outside (a word the ASR cut short) is taken in,
        # otherwise the edge moves in through silence to the first speech
        for moved in range(1, gap + 1):
            probe = index + step * moved
            if 0 <= probe < count and voiced[probe]:
                return outward(probe, step)
        return inward(index, -step, other)

    first, last = edge(first, -1, last), edge(last, +1, first)
    start, end = first * frame, (last + 1) * frame
    return TimeSpan(start, max(start, end)) if end > start else span
