"""One recording through every stage, and a batch of them.

Stages are pure functions over records; this module is the edge that reads
files, writes outputs atomically and turns per-file failures into results so
a batch goes on with the next recording.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from callvault import PIPELINE_VERSION, __version__
from callvault.formats import transcript_to_dict, transcript_to_text, transcript_to_vtt
from callvault.fsutil import atomic_write_json, atomic_write_text
from callvault.layout import call_dir
from callvault.models.errors import CallvaultError, ConfigError, InputError, ModelMissingError
from callvault.models.recording import Recording
from callvault.models.transcript import Transcript
from callvault.recorder.decode import DecodedAudio, decode
from callvault.recorder.intake import iter_recording_paths, take_in
from callvault.transcribe.diarize import MonoDiarizer, SingleSpeakerDiarizer
from callvault.transcribe.stage import TurnOptions, WordSource, transcribe_audio

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RecordingResult:
    source: str
    status: str  # done | failed
    recording_id: str | None = None
    call_id: str | None = None
    output_dir: str | None = None
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    error: str | None = None
    counts: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class Pipeline:
    """Everything one process needs, built once: models load on first use."""

    data_dir: Path
    asr_factory: Callable[[], WordSource]
    diarizer: MonoDiarizer = field(default_factory=SingleSpeakerDiarizer)
    turn_options: TurnOptions = TurnOptions()
    clock: Clock = utc_now
    _asr: WordSource | None = None

    @property
    def asr(self) -> WordSource:
        if self._asr is None:
            self._asr = self.asr_factory()
        return self._asr

    def process_path(self, path: Path) -> RecordingResult:
        started = time.perf_counter()
        recording: Recording | None = None
        try:
            recording = take_in(path)
            audio = decode(path)
            result = self.process_recording(recording, audio)
        except InputError as exc:
            return RecordingResult(str(path), "failed", recording.id if recording else None, error=exc.reason if str(exc.path) == str(path) else str(exc), wall_seconds=time.perf_counter() - started)
        except (ConfigError, ModelMissingError):
            raise  # not this recording's fault: every other one would fail the same way
        except CallvaultError as exc:
            return RecordingResult(str(path), "failed", recording.id if recording else None, error=str(exc), wall_seconds=time.perf_counter() - started)
        return RecordingResult(**{**result.to_dict(), "wall_seconds": time.perf_counter() - started})

    def process_recording(self, recording: Recording, audio: DecodedAudio) -> RecordingResult:
        transcript = transcribe_audio(recording, audio, self.asr, self.diarizer, self.turn_options)
        folder = call_dir(self.data_dir, recording.id, recording.metadata.call_id, Path(recording.source).stem)
        documents = self.call_documents(recording, audio, transcript)
        write_call_folder(folder, documents)
        return RecordingResult(
            source=recording.source,
            status="done",
            recording_id=recording.id,
            call_id=recording.metadata.call_id,
            output_dir=str(folder),
            audio_seconds=round(audio.duration, 3),
            counts={"words": len(transcript.words), "turns": len(transcript.turns)},
        )

    def call_documents(self, recording: Recording, audio: DecodedAudio, transcript: Transcript) -> dict[str, str | dict]:
        extra = {
            "source": recording.source,
            "metadata": recording.metadata.to_dict(),
            "channels": audio.info.channels,
            "sample_rate": audio.info.sample_rate,
            "codec": audio.info.codec,
            "callvault_version": __version__,
            "pipeline_version": PIPELINE_VERSION,
            "processed_at": self.clock().isoformat(timespec="seconds"),
        }
        return {
            "transcript.json": transcript_to_dict(transcript, extra),
            "transcript.txt": transcript_to_text(transcript),
            "transcript.vtt": transcript_to_vtt(transcript),
        }

    def run(self, paths: Iterable[str | Path]) -> Iterator[RecordingResult]:
        for path in iter_recording_paths(paths):
            yield self.process_path(path)


def write_call_folder(folder: Path, documents: dict[str, str | dict | bytes]) -> None:
    """Write every output into a temp folder beside ``folder``, then swap it in whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        for name, content in documents.items():
            target = staging / name
            if isinstance(content, dict) or isinstance(content, list):
                atomic_write_json(target, content)
            elif isinstance(content, bytes):
                target.write_bytes(content)
            else:
                atomic_write_text(target, content)
        os.chmod(staging, 0o755)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(staging, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise
