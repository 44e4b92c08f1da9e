"""Synthetic call recordings from a script, with espeak-ng: two voices, two channels.

Used by the demo when no sample calls are present, by tests (known script,
known turn times) and by benchmarks. Real speech synthesis, not a fake.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from callvault.models.errors import ConfigError
from callvault.recorder.decode import TARGET_RATE, decode

VOICES = {"agent": "en-us", "customer": "en-us+f3"}


@dataclass(frozen=True)
class Line:
    role: str  # agent | customer
    start: float  # seconds from the call's start
    text: str


@dataclass(frozen=True)
class PlacedLine:
    role: str
    channel: int
    start: float
    end: float
    text: str


def speak(text: str, voice: str, speed: int = 165, gap: int = 0) -> np.ndarray:
    """``text`` spoken by espeak-ng, float32 at 16 kHz."""
    exe = shutil.which("espeak-ng")
    if not exe:
        raise ConfigError("espeak-ng is not installed; install it (Debian: apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "line.wav"
        subprocess.run([exe, "-v", voice, "-s", str(speed), "-g", str(gap), "-w", str(out), text], check=True, capture_output=True)
        return decode(out).channels[0]


def synthesise_call(
    lines: Sequence[Line],
    out: Path,
    roles_by_channel: Sequence[str] = ("agent", "customer"),
    tail: float = 1.0,
    speed: int = 165,
    gap: int = 0,
) -> list[PlacedLine]:
    """Write a stereo 16-bit 16 kHz WAV with each line on its role's channel at its start.

    Returns where every line really ended, for tests that check times.
    ``speed`` (words a minute) and ``gap`` (pause between words, in 10 ms)
    go to espeak-ng; slow, spaced digits are what a caller reading a card does.
    """
    placed: list[tuple[PlacedLine, np.ndarray]] = []
    for line in lines:
        audio = speak(line.text, VOICES[line.role], speed, gap)
        # Trim espeak's leading/trailing silence so start times mean speech onsets.
        voiced = np.flatnonzero(np.abs(audio) > 0.01)
        if len(voiced):
            audio = audio[voiced[0] : voiced[-1] + 1]
        channel = list(roles_by_channel).index(line.role)
        placed.append((PlacedLine(line.role, channel, line.start, line.start + len(audio) / TARGET_RATE, line.text), audio))
    total = int((max(p.end for p, _ in placed) + tail) * TARGET_RATE)
    stereo = np.zeros((total, len(roles_by_channel)), dtype=np.float32)
    for p, audio in placed:
        begin = int(p.start * TARGET_RATE)
        stereo[begin : begin + len(audio), p.channel] += audio
    pcm = (np.clip(stereo, -1.0, 1.0) * 32767).astype("<i2")
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(len(roles_by_channel))
        handle.setsampwidth(2)
        handle.setframerate(TARGET_RATE)
        handle.writeframes(pcm.tobytes())
    return [p for p, _ in placed]


DEMO_SCRIPT = (
    Line("agent", 0.5, "Thank you for calling Acme Wireless. This call may be recorded for quality and training. How can I help you today?"),
    Line("customer", 7.5, "Hi, I have a question about my bill. It looks higher than usual."),
    Line("agent", 12.5, "I can help with that. Before we discuss your account, what is your account passcode?"),
    Line("customer", 18.0, "It is tiger forty two."),
    Line("agent", 21.0, "Thank you, you are verified. Your bill this month is eighty four dollars and twenty cents."),
    Line("customer", 27.5, "Okay, that makes sense. Thanks for your help."),
)


if __name__ == "__main__":  # python -m callvault.synth OUT.wav: the demo call
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "demo-call.wav")
    synthesise_call(DEMO_SCRIPT, target)
    print(target)
