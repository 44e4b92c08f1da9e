"""Cut the redacted audio of each event's time span, so an officer can listen to the evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from callvault.models.compliance import ConsentEvent
from callvault.models.errors import InputError


def event_span(event: ConsentEvent, turn_spans: Sequence[tuple[float, float]] = ()) -> tuple[float, float]:
    """The event's own span, widened to the turns it links (the question with its answer)."""
    start, end = event.start, event.end
    for index in event.turn_indexes:
        if 0 <= index < len(turn_spans):
            start, end = min(start, turn_spans[index][0]), max(end, turn_spans[index][1])
    return start, end


def clip_name(number: int, event: ConsentEvent) -> str:
    return f"{number:02d}_{event.type.lower()}_{event.start:08.2f}s.wav"


def export_clips(
    audio: str | Path,
    events: Sequence[ConsentEvent],
    out_dir: str | Path,
    turn_spans: Sequence[tuple[float, float]] = (),
    pad: float = 0.25,
) -> list[Path]:
    """One WAV per event under ``out_dir``, cut from the *redacted* audio ``audio``."""
    from pydub import AudioSegment  # heavy and ffmpeg-backed: only when clips are asked for

    audio = Path(audio)
    if not audio.exists():
        raise InputError(audio, "no redacted audio for this call; re-run `callvault process` to write redacted.wav")
    try:
        sound = AudioSegment.from_file(audio)
    except Exception as exc:  # pydub raises bare exceptions from ffmpeg
        raise InputError(audio, f"cannot be decoded ({type(exc).__name__}); re-run `callvault process` for this call") from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number, event in enumerate(events, 1):
        start, end = event_span(event, turn_spans)
        begin_ms = max(0, int((start - pad) * 1000))
        end_ms = min(len(sound), int((end + pad) * 1000))
        target = out / clip_name(number, event)
        part = target.with_name(f".{target.name}.part")
        sound[begin_ms:max(begin_ms + 1, end_ms)].export(part, format="wav")
        part.replace(target)
        written.append(target)
    return written
