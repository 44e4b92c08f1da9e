"""`callvault process` through click's CliRunner, on real audio and real bad input."""

import json
import subprocess
import sys
import time
import wave

import numpy as np
import pytest
from click.testing import CliRunner

from callvault.cli import cli


def _tone_wav(path, seconds=1.0, channels=1, amplitude=0.3):
    rate = 8000
    samples = amplitude * np.sin(np.linspace(0, 2 * np.pi * 300 * seconds, int(rate * seconds)))
    frames = np.repeat(samples[:, None], channels, axis=1)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((frames * 32767).astype("<i2").tobytes())
    return path


def _run(data_dir, *args):
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), "process", *map(str, args)], catch_exceptions=False)


def _leftovers(data_dir):
    """Temp files and folders (tagged with their host and process) left behind; empty temp folders are no leftover."""
    from callvault.tempnames import is_temp_name

    return [p for p in data_dir.rglob("*") if is_temp_name(p.name) or p.name.endswith((".part", ".old"))]


@pytest.mark.slow
def test_batch_with_good_and_bad_files(tmp_path, demo_call):
    good, _ = demo_call
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "call-a.wav").write_bytes(good.read_bytes())
    (inbox / "call-a.json").write_text(json.dumps({"call_id": "../../escape/A-1", "direction": "inbound"}))
    (inbox / "not-audio.wav").write_text("hello, I am a text file")
    (inbox / "empty.wav").write_bytes(b"")
    _tone_wav(inbox / "silent.wav", amplitude=0.0)
    _tone_wav(inbox / "six.wav", channels=6)
    whole = _tone_wav(tmp_path / "whole.wav", seconds=2.0).read_bytes()
    (inbox / "cut.wav").write_bytes(whole[: len(whole) // 2])
    (inbox / "badmeta.wav").write_bytes(good.read_bytes()[:-2] + b"\x00\x01")
    (inbox / "badmeta.json").write_text(json.dumps({"direction": "sideways"}))
    data = tmp_path / "data"

    result = _run(data, "--json", inbox)
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["processed"] == 1 and summary["failed"] == 6
    reasons = {r["source"].rsplit("/", 1)[-1]: r["error"] for r in summary["results"] if r["status"] == "failed"}
    assert "not a readable audio file" in reasons["not-audio.wav"]
    assert "empty" in reasons["empty.wav"]
    assert "silent" in reasons["silent.wav"]
    assert "6 channels" in reasons["six.wav"]
    assert "truncated" in reasons["cut.wav"]
    assert "badmeta.json" in reasons["badmeta.wav"] and "direction" in reasons["badmeta.wav"]

    calls = list((data / "calls").iterdir())
    assert len(calls) == 1
    folder = calls[0]
    assert folder.name.startswith("escape_A-1__") and folder.parent == data / "calls"
    assert sorted(p.name for p in folder.iterdir()) == [
        "events.json", "findings.json", "redacted.wav", "rules.json", "transcript.json", "transcript.txt", "transcript.vtt",
    ]
    doc = json.loads((folder / "transcript.json").read_text())
    assert doc["schema_version"] == 1 and doc["metadata"]["direction"] == "inbound"
    assert doc["recording_id"] == __import__("hashlib").sha256(good.read_bytes()).hexdigest()
    assert {"start", "end", "text", "probability", "speaker"} <= set(doc["words"][0])
    assert {"speaker", "role", "start", "end", "text"} <= set(doc["turns"][0])
    assert (folder / "transcript.txt").read_text().startswith("[00:00:00] AGENT: ")
    vtt = (folder / "transcript.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "<v AGENT S0>" in vtt and "<v CUSTOMER S1>" in vtt
    assert _leftovers(data) == []


@pytest.mark.slow
def test_rerun_replaces_outputs_whole(tmp_path, demo_call):
    good, _ = demo_call
    data = tmp_path / "data"
    assert _run(data, "-q", good).exit_code == 0
    assert _run(data, "-q", "--reprocess", "--agent-channel", "1", good).exit_code == 0
    (folder,) = list((data / "calls").iterdir())
    doc = json.loads((folder / "transcript.json").read_text())
    assert doc["speakers"][1]["role"] == "agent"
    assert _leftovers(data) == []


def test_missing_model_is_a_clear_error(tmp_path):
    _tone_wav(tmp_path / "a.wav")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "process", "--model", "large-v9-nonexistent", str(tmp_path / "a.wav")])
    assert result.exit_code == 1
    assert "not available offline" in result.output and "Traceback" not in result.output


def test_usage_errors(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "process", str(empty)])
    assert result.exit_code == 2 and "no recordings found" in result.output


def test_help_is_fast_and_imports_no_models():
    code = "import sys, callvault.cli as c; c.cli(['--help'], standalone_mode=False); print(sorted(m for m in ('faster_whisper','presidio_analyzer','torch','boto3','spacy') if m in sys.modules))"
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")
    assert time.perf_counter() - started < 5.0


def test_cuda_asked_for_without_a_gpu_is_a_clear_error(tmp_path):
    # This machine has no GPU, so this is the real CTranslate2 answer, not a fake.
    from callvault.transcribe.device import cuda_present

    if cuda_present():
        pytest.skip("a CUDA GPU is present")
    _tone_wav(tmp_path / "a.wav")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "process", "--device", "cuda", str(tmp_path / "a.wav")])
    assert result.exit_code == 1 and "no CUDA GPU" in result.output and "Traceback" not in result.output


def test_pci_scrub_switched_off_warns(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "callvault.toml").write_text("[redact]\npci_scrub = false\n")
    _tone_wav(tmp_path / "a.wav", amplitude=0.0)
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", str(tmp_path / "a.wav")])
    assert "warning:" in result.stderr and "scrub" in result.stderr


@pytest.mark.slow
def test_outputs_are_private_and_an_over_size_file_is_a_per_file_error(tmp_path, demo_call):
    import stat

    good, _ = demo_call
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    data.mkdir(mode=0o755)
    (inbox / "call.wav").write_bytes(good.read_bytes())
    (inbox / "big.wav").write_bytes(good.read_bytes() + b"\0" * 4096)
    (data / "callvault.toml").write_text(f"[intake]\nmax_bytes = {good.stat().st_size}\n")
    result = _run(data, "--json", inbox)
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["processed"] == 1
    (failure,) = summary["failures"]
    assert failure["source"].endswith("big.wav") and "[intake] max_bytes" in failure["error"]
    (folder,) = list((data / "calls").iterdir())
    for path in (data, data / "calls", folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
