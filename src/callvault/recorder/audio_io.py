"""Audio at the recording's own sample rate and channels, for redaction and the PCI scrub.

Decoding for speech recognition (decode.py) resamples to 16 kHz; redacted
audio and the scrubbed original keep the input's rate and channels, so they
are read and written here with pydub (ffmpeg underneath).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from callvault.models.errors import InputError


@dataclass(frozen=True)
class NativeAudio:
    channels: tuple[np.ndarray, ...]  # float32 in [-1, 1]
    sample_rate: int


def load_native(path: Path) -> NativeAudio:
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        segment = AudioSegment.from_file(str(path))
    except (CouldntDecodeError, IndexError, OSError) as exc:
        raise InputError(path, f"audio could not be decoded at its own rate ({type(exc).__name__})") from None
    samples = np.array(segment.get_array_of_samples(), dtype=np.float32)
    scale = float(1 << (8 * segment.sample_width - 1))
    interleaved = samples.reshape(-1, segment.channels) / scale
    return NativeAudio(tuple(np.ascontiguousarray(interleaved[:, c]) for c in range(segment.channels)), segment.frame_rate)


def wav_bytes(channels: Sequence[np.ndarray], sample_rate: int) -> bytes:
    """16-bit PCM WAV holding ``channels`` at ``sample_rate``."""
    import wave

    frames = np.stack([np.clip(c, -1.0, 1.0) for c in channels], axis=1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(len(channels))
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes((frames * 32767).astype("<i2").tobytes())
    return buffer.getvalue()
