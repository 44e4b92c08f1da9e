"""Decoding any ffmpeg-readable audio to per-channel 16 kHz float32.

ffmpeg's libraries (through PyAV) say what the file claims to be and decode
it; the two are compared, and a WAV header checked, so a truncated file is
caught instead of silently transcribed short.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from callvault.models.errors import InputError
from callvault.models.recording import AudioInfo

TARGET_RATE = 16_000
MAX_CHANNELS = 2
# Peak below this (about -60 dBFS) counts as all silence: nothing to transcribe.
SILENCE_PEAK = 1e-3
# A file whose decoded length falls short of its header by more than this is truncated.
TRUNCATION_TOLERANCE = 0.25


@dataclass(frozen=True)
class DecodedAudio:
    info: AudioInfo
    channels: tuple[np.ndarray, ...]  # float32, TARGET_RATE, one array per channel
    sample_rate: int = TARGET_RATE

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / self.sample_rate if self.channels else 0.0


def _open(path: Path):
    from callvault.recorder.containers import open_container

    return open_container(path)  # audio demuxers and local files only


def _info(path: Path, container) -> AudioInfo:
    streams = container.streams.audio
    if not streams:
        raise InputError(path, "contains no audio stream")
    context = streams[0].codec_context
    channels = int(context.channels or 0)
    if channels < 1:
        raise InputError(path, "audio stream has no channels")
    if channels > MAX_CHANNELS:
        raise InputError(path, f"has {channels} channels; callvault takes mono or stereo (2-channel) call recordings")
    stream = streams[0]
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    else:
        duration = float(container.duration or 0) / 1_000_000
    return AudioInfo(
        duration=duration,
        channels=channels,
        sample_rate=int(context.sample_rate or 0),
        codec=str(context.name),
        sample_width=int(context.format.bytes) if context.format else 0,
    )


def probe(path: Path) -> AudioInfo:
    with _open(path) as container:
        return _info(path, container)


def wav_shortfall(path: Path) -> int:
    """Bytes the RIFF/WAVE data chunk claims beyond the end of the file (0 if whole or not WAV).

    ffprobe measures a WAV by its real size, so a cut-off file looks whole to
    it; the data chunk's declared size is what tells.
    """
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0
        size = path.stat().st_size
        while True:
            chunk = handle.read(8)
            if len(chunk) < 8:
                return 0
            length = int.from_bytes(chunk[4:], "little")
            if chunk[:4] == b"data":
                # 0 and 0xFFFFFFFF mark a stream written without a final size.
                if length in (0, 0xFFFFFFFF):
                    return 0
                return max(0, handle.tell() + length - size)
            handle.seek(length + (length & 1), 1)


def _over_cap(path: Path, seconds: float, max_seconds: float | None) -> None:
    if max_seconds and seconds > max_seconds:
        raise InputError(path, f"lasts over {max_seconds:g} s, the [intake] max_seconds limit; raise the limit or split the recording")


# Streamed blocks of this many seconds: a 2-hour call never sits in memory whole.
BLOCK_SECONDS = 30.0


@dataclass
class AudioStream:
    """A file being decoded block by block: ``info`` at once, then ``blocks()``.

    The checks that need the whole file (truncation against the header,
    silence throughout) run when the last block has been read, so a consumer
    that streams still gets the same errors as ``decode``.
    """

    path: Path
    info: AudioInfo
    block_seconds: float = BLOCK_SECONDS
    max_seconds: float | None = None  # [intake] max_seconds, checked again while decoding (a header can lie)
    frames: int = 0  # decoded so far, per channel
    _container: object = None

    def blocks(self) -> Iterator[tuple[np.ndarray, ...]]:
        """Per-channel float32 16 kHz arrays of about ``block_seconds`` each, in order."""
        import av

        path, channels = self.path, self.info.channels
        resampler = av.AudioResampler(format="flt", layout="mono" if channels == 1 else "stereo", rate=TARGET_RATE)
        pending: list[np.ndarray] = []
        pending_samples, block_samples = 0, int(self.block_seconds * TARGET_RATE) * channels
        peak = 0.0

        def emit(final: bool):
            nonlocal pending, pending_samples, peak
            samples = np.concatenate(pending, axis=1).reshape(-1) if pending else np.zeros(0, np.float32)
            usable = len(samples) if final else (len(samples) // block_samples) * block_samples
            usable -= usable % channels
            pending = [samples[usable:].reshape(1, -1)] if usable < len(samples) else []
            pending_samples = len(samples) - usable
            frames = usable // channels
            if frames:
                interleaved = samples[:usable].reshape(frames, channels)
                block = tuple(np.ascontiguousarray(interleaved[:, c]) for c in range(channels))
                self.frames += frames
                peak = max(peak, max(float(np.max(np.abs(c))) for c in block))
                yield block

        try:
            for frame in self._container.decode(audio=0):
                frame.pts = None  # resample by samples, not by (possibly broken) timestamps
                for out in resampler.resample(frame):
                    pending.append(out.to_ndarray())
                    pending_samples += pending[-1].size
                _over_cap(path, (self.frames * channels + pending_samples) / channels / TARGET_RATE, self.max_seconds)
                if pending_samples >= block_samples:
                    yield from emit(final=False)
            pending.extend(out.to_ndarray() for out in resampler.resample(None))
            yield from emit(final=True)
        except av.error.FFmpegError as exc:
            raise InputError(path, f"audio could not be decoded ({exc.strerror or type(exc).__name__})") from None
        self._check_whole(peak)

    def _check_whole(self, peak: float) -> None:
        if self.frames == 0:
            raise InputError(self.path, "audio is empty (no samples decoded)")
        decoded = self.frames / TARGET_RATE
        if self.info.duration and decoded + TRUNCATION_TOLERANCE < self.info.duration * 0.98:
            raise InputError(self.path, f"truncated: header says {self.info.duration:.2f} s but only {decoded:.2f} s could be decoded")
        if peak < SILENCE_PEAK:
            raise InputError(self.path, "audio is silent throughout; nothing to transcribe")

    @property
    def decoded_info(self) -> AudioInfo:
        """``info`` with the duration actually decoded (valid once ``blocks()`` is exhausted)."""
        info = self.info
        return AudioInfo(self.frames / TARGET_RATE, info.channels, info.sample_rate, info.codec, info.sample_width)


@contextmanager
def open_stream(path: Path, block_seconds: float = BLOCK_SECONDS, max_seconds: float | None = None) -> Iterator[AudioStream]:
    """``path`` opened for streamed decoding; header checks done before any block is read.

    ffmpeg's libraries through PyAV, in process: no subprocess per file.
    ``max_seconds`` is checked against the header and again while decoding
    (a header can lie), so an over-long file never fills memory.
    """
    missing = wav_shortfall(path)
    if missing:
        raise InputError(path, f"truncated: the WAV header promises {missing} more bytes of audio than the file holds")
    with _open(path) as container:
        info = _info(path, container)
        _over_cap(path, info.duration, max_seconds)
        yield AudioStream(path, info, block_seconds, max_seconds, _container=container)


def decode(path: Path, max_seconds: float | None = None) -> DecodedAudio:
    """Decode ``path`` to float32 16 kHz, one array per channel; clear errors for bad input."""
    with open_stream(path, max_seconds=max_seconds) as stream:
        blocks = list(stream.blocks())
        info = stream.decoded_info
    channels = tuple(np.concatenate([b[c] for b in blocks]) for c in range(info.channels))
    return DecodedAudio(info=info, channels=channels)
