"""Decoding any ffmpeg-readable audio to per-channel 16 kHz float32.

ffprobe says what the file claims to be; ffmpeg decodes it. The two are
compared so a truncated file is caught instead of silently transcribed short.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from callvault.models.errors import ConfigError, InputError
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


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigError(f"{name} is not installed; install ffmpeg (Debian: apt-get install ffmpeg) and try again")
    return found


def probe(path: Path) -> AudioInfo:
    cmd = [_tool("ffprobe"), "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["unknown format"])[-1]
        raise InputError(path, f"not a readable audio file ({reason})")
    doc = json.loads(result.stdout or "{}")
    streams = [s for s in doc.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise InputError(path, "contains no audio stream")
    stream = streams[0]
    channels = int(stream.get("channels") or 0)
    if channels < 1:
        raise InputError(path, "audio stream has no channels")
    if channels > MAX_CHANNELS:
        raise InputError(path, f"has {channels} channels; callvault takes mono or stereo (2-channel) call recordings")
    duration = float(stream.get("duration") or doc.get("format", {}).get("duration") or 0.0)
    bits = int(stream.get("bits_per_sample") or 0)
    return AudioInfo(
        duration=duration,
        channels=channels,
        sample_rate=int(stream.get("sample_rate") or 0),
        codec=str(stream.get("codec_name", "")),
        sample_width=bits // 8,
    )


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


def decode(path: Path) -> DecodedAudio:
    """Decode ``path`` to float32 16 kHz, one array per channel; clear errors for bad input."""
    info = probe(path)
    missing = wav_shortfall(path)
    if missing:
        raise InputError(path, f"truncated: the WAV header promises {missing} more bytes of audio than the file holds")
    cmd = [
        _tool("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path),
        "-map", "0:a:0", "-f", "f32le", "-acodec", "pcm_f32le", "-ar", str(TARGET_RATE), "-",
    ]
    result = subprocess.run(cmd, capture_output=True)
    if result.returncode != 0:
        reason = (result.stderr.decode(errors="replace").strip().splitlines() or ["decoder failed"])[-1]
        raise InputError(path, f"audio could not be decoded ({reason})")
    samples = np.frombuffer(result.stdout, dtype="<f4")
    frames = len(samples) // info.channels
    if frames == 0:
        raise InputError(path, "audio is empty (no samples decoded)")
    interleaved = samples[: frames * info.channels].reshape(frames, info.channels)
    channels = tuple(np.ascontiguousarray(interleaved[:, c]) for c in range(info.channels))
    decoded = frames / TARGET_RATE
    stderr = result.stderr.decode(errors="replace").lower()
    if info.duration and decoded + TRUNCATION_TOLERANCE < info.duration * 0.98 or "truncat" in stderr or "invalid data" in stderr:
        raise InputError(path, f"truncated: header says {info.duration:.2f} s but only {decoded:.2f} s could be decoded")
    if max(float(np.max(np.abs(c))) for c in channels) < SILENCE_PEAK:
        raise InputError(path, "audio is silent throughout; nothing to transcribe")
    info = AudioInfo(decoded, info.channels, info.sample_rate, info.codec, info.sample_width)
    return DecodedAudio(info=info, channels=channels)
