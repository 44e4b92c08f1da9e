"""Audio at the recording's own sample rate and channels, for redaction and the PCI scrub.

Decoding for speech recognition (decode.py) resamples to 16 kHz; redacted
audio and the scrubbed original keep the input's rate and channels, so they
are read here with ffmpeg's libraries through PyAV (the same audio-only
opener as decode.py: no ffmpeg subprocess, no demuxer that reads other
files, no temp file) and written as WAV in memory.
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
    import av

    from callvault.recorder.containers import open_container

    blocks: list[np.ndarray] = []
    with open_container(path) as container:
        if not container.streams.audio:
            raise InputError(path, "contains no audio stream")
        context = container.streams.audio[0].codec_context
        channels, rate = int(context.channels or 0), int(context.sample_rate or 0)
        if channels < 1 or rate < 1:
            raise InputError(path, "audio stream has no channels or no sample rate")
        resampler = av.AudioResampler(format="flt", layout="mono" if channels == 1 else context.layout.name, rate=rate)
        try:
            for frame in container.decode(audio=0):
                frame.pts = None
                blocks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
            blocks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
        except av.error.FFmpegError as exc:
            raise InputError(path, f"audio could not be decoded at its own rate ({exc.strerror or type(exc).__name__})") from None
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    frames = len(samples) // channels
    interleaved = samples[: frames * channels].reshape(frames, channels)
    return NativeAudio(tuple(np.ascontiguousarray(interleaved[:, c]) for c in range(channels)), rate)


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
