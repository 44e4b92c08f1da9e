"""Intake refuses what it must: files pulled in from elsewhere, non-audio containers, over-size input."""

import os
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from callvault.models import InputError
from callvault.recorder.audio_io import load_native
from callvault.recorder.decode import decode
from callvault.recorder.intake import IntakeLimits, take_in
from callvault.worker.sources import Selection, folder_items
from helpers import need_tool


def _tone(path: Path, seconds: float = 1.0, rate: int = 8000, channels: int = 1) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(np.repeat(samples, channels).tobytes())
    return path


def test_a_wav_holding_an_ffconcat_script_does_not_pull_in_another_file(tmp_path):
    _tone(tmp_path / "someone-else.wav", seconds=2.0)
    trap = tmp_path / "innocent.wav"
    trap.write_text("ffconcat version 1.0\nfile someone-else.wav\n")
    for reader in (decode, load_native):
        with pytest.raises(InputError) as caught:
            reader(trap)
        assert "audio" in caught.value.reason


def test_native_audio_keeps_rate_and_channels(tmp_path):
    native = load_native(_tone(tmp_path / "stereo.wav", seconds=1.5, rate=8000, channels=2))
    assert native.sample_rate == 8000 and len(native.channels) == 2
    assert abs(len(native.channels[0]) - 12000) <= 1 and 0.25 < float(np.max(np.abs(native.channels[0]))) < 0.35


def test_native_audio_of_a_compressed_file(tmp_path):
    need_tool("ffmpeg")
    source = _tone(tmp_path / "tone.wav", seconds=2.0, rate=16000)
    mp3 = tmp_path / "tone.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-ar", "22050", str(mp3)], check=True)
    native = load_native(mp3)
    assert native.sample_rate == 22050 and len(native.channels) == 1
    assert abs(len(native.channels[0]) / 22050 - 2.0) < 0.1


def test_size_and_duration_caps_are_clear_per_file_errors(tmp_path):
    path = _tone(tmp_path / "long.wav", seconds=3.0)
    with pytest.raises(InputError) as caught:
        take_in(path, IntakeLimits(max_bytes=1000))
    assert "max_bytes" in caught.value.reason and "[intake]" in caught.value.reason
    with pytest.raises(InputError) as caught:
        decode(path, max_seconds=2.0)
    assert "max_seconds" in caught.value.reason
    assert take_in(path, IntakeLimits(max_bytes=10**6)).size == path.stat().st_size
    assert decode(path, max_seconds=5.0).duration == pytest.approx(3.0, abs=0.01)


def test_intake_limits_from_the_config_table():
    from callvault.models.errors import ConfigError

    assert IntakeLimits.from_table({"max_bytes": 2_000_000_000, "max_seconds": 14400}) == IntakeLimits(2_000_000_000, 14400.0)
    assert IntakeLimits.from_table({}) == IntakeLimits()
    for bad in ({"max_bytes": -1}, {"max_seconds": "long"}, {"max_mb": 3}):
        with pytest.raises(ConfigError):
            IntakeLimits.from_table(bad)


def test_symlinks_out_of_the_input_folder_are_refused_with_a_reason(tmp_path):
    outside, inbox = tmp_path / "outside", tmp_path / "inbox"
    outside.mkdir()
    (inbox / "sub").mkdir(parents=True)
    _tone(outside / "secret.wav")
    _tone(inbox / "real.wav")
    os.symlink(outside / "secret.wav", inbox / "link.wav")
    os.symlink(outside, inbox / "sub" / "elsewhere")
    os.symlink(inbox / "real.wav", inbox / "alias.wav")  # inside the source: fine
    _tone(inbox / "meta.wav")
    (outside / "meta.json").write_text("{}")
    os.symlink(outside / "meta.json", inbox / "meta.json")
    items = {Path(i.uri).name: i for i in folder_items(inbox, Selection())}
    assert items["real.wav"].refusal is None and items["alias.wav"].refusal is None
    for name in ("link.wav", "meta.wav"):
        assert "outside" in items[name].refusal and "symlink" in items[name].refusal
    assert "secret.wav" not in items, "a linked folder outside the source is not walked"
