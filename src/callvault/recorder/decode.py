"""Decoding any ffmpeg-readable audio to per-channel 16 kHz float32.

ffmpeg's libraries (through PyAV) say what the file claims to be and decode
it; the two are compared, and a WAV header checked, so a truncated file is
caught instead of silently transcribed short.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def decode(path: Path, max_seconds: float | None = None) -> DecodedAudio:
    """Decode ``path`` to float32 16 kHz, one array per channel; clear errors for bad input.

    ffmpeg's libraries through PyAV, in process: no subprocess per file.
    ``max_seconds`` is checked against the header and again while decoding
    (a header can lie), so an over-long file never fills memory.
    """
    import av

    missing = wav_shortfall(path)
    if missing:
        raise InputError(path, f"truncated: the WAV header promises {missing} more bytes of audio than the file holds")
    blocks: list[np.ndarray] = []
    decoded_frames = 0
    with _open(path) as container:
        info = _info(path, container)
        _over_cap(path, info.duration, max_seconds)
        layout = "mono" if info.channels == 1 else "stereo"
        resampler = av.AudioResampler(format="flt", layout=layout, rate=TARGET_RATE)
        try:
            for frame in container.decode(audio=0):
                frame.pts = None  # resample by samples, not by (possibly broken) timestamps
                blocks.extend(out.to_ndarray() for out in resampler.resample(frame))
                decoded_frames += frame.samples  # per channel, at the source rate
                _over_cap(path, decoded_frames / (info.sample_rate or TARGET_RATE), max_seconds)
            blocks.extend(out.to_ndarray() for out in resampler.resample(None))
        except av.error.FFmpegError as exc:
            raise InputError(path, f"audio could not be decoded ({exc.strerror or type(exc).__name__})") from None
    if not blocks:
        raise InputError(path, "audio is empty (no samples decoded)")
    samples = np.concatenate(blocks, axis=1).reshape(-1)
    frames = len(samples) // info.channels
    if frames == 0:
        raise InputError(path, "audio is empty (no samples decoded)")
    interleaved = samples[: frames * info.channels].reshape(frames, info.channels)
    channels = tuple(np.ascontiguousarray(interleaved[:, c]) for c in range(info.channels))
    decoded = frames / TARGET_RATE
    if info.duration and decoded + TRUNCATION_TOLERANCE < info.duration * 0.98:
        raise InputError(path, f"truncated: header says {info.duration:.2f} s but only {decoded:.2f} s could be decoded")
    if max(float(np.max(np.abs(c))) for c in channels) < SILENCE_PEAK:
        raise InputError(path, "audio is silent throughout; nothing to transcribe")
    info = AudioInfo(decoded, info.channels, info.sample_rate, info.codec, info.sample_width)
    return DecodedAudio(info=info, channels=channels)
