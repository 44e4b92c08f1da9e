"""Word times from the batched path are good enough to redact audio: `callvault process --batch-size 8`.

A synthesised stereo call (espeak-ng, real faster-whisper batched over both
channels, real presidio, the whole pipeline) with faint line noise on both
channels, so exact zeros in redacted.wav come only from redaction. The card
number and the CVV must be silent over the time they were spoken, to within
0.3 s at each end. Batched word times lean early at a chunk's first word (the
VAD pads speech by 0.4 s), which silences a little more, never less; the
silence may run past the margin by at most 0.6 s, the raw-ASR tolerance of
the sequential end-to-end test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from helpers import need_tool

pytestmark = pytest.mark.slow

TOLERANCE = 0.3
OVERRUN = 0.6
MARGIN = 0.25  # the default [redact] margin
LINES = [  # (role, start, text); the customer reads a Mastercard test number and a CVV
    ("agent", 0.4, "You are through to billing. How would you like to pay today?"),
    ("customer", 5.0, "By card please."),
    ("agent", 7.5, "Go ahead with the long number on the front."),
    ("customer", 11.0, "five four two five, two three three four, three zero one zero, nine nine zero three."),
    ("agent", 21.0, "And the three digits on the back?"),
    ("customer", 24.5, "nine eight two."),
    ("agent", 28.0, "Thanks, that is all set."),
]


@pytest.fixture(scope="module")
def redacted(tmp_path_factory):
    need_tool("espeak-ng")
    from callvault.cli import cli
    from callvault.recorder.audio_io import load_native, wav_bytes
    from callvault.synth import Line, synthesise_call

    root = tmp_path_factory.mktemp("batched-redaction")
    inbox, data = root / "inbox", root / "data"
    clean = root / "clean.wav"
    placed = synthesise_call([Line(*line) for line in LINES], clean, speed=130, gap=3)
    audio = load_native(clean)
    noise = np.random.default_rng(11)
    noisy = [c + noise.normal(0, 0.002, len(c)).astype(np.float32) for c in audio.channels]
    inbox.mkdir()
    (inbox / "pay.wav").write_bytes(wav_bytes(noisy, audio.sample_rate))
    data.mkdir()
    (data / "callvault.toml").write_text('[redact]\naudio = "silence"\n')
    result = CliRunner().invoke(
        cli, ["--data-dir", str(data), "process", "--json", "--batch-size", "8", "--device", "cpu", "--cpu-threads", "2", str(inbox)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    folder = next((data / "calls").iterdir())
    return load_native(folder / "redacted.wav"), placed, json.loads((folder / "transcript.json").read_text())


def test_the_batched_path_was_taken(redacted):
    _, _, transcript = redacted
    assert transcript["provenance"]["batch_size"] == 8
    text = " ".join(t["text"] for t in transcript["turns"])
    assert "[PAN" in text and "[CVV]" in text


@pytest.mark.parametrize("line", [3, 5], ids=["PAN", "CVV"])
def test_card_and_cvv_silent_over_their_speech_and_not_much_beyond(redacted, line):
    audio, placed, _ = redacted
    rate, said = audio.sample_rate, placed[line]
    silent = np.all(np.stack([c == 0 for c in audio.channels]), axis=0)
    assert silent[int((said.start + TOLERANCE) * rate) : int((said.end - TOLERANCE) * rate)].all(), said.text
    # the silent run around the value (a lone zero sample of noise is no redaction)
    middle = int((said.start + said.end) / 2 * rate)
    sound = np.flatnonzero(~silent)
    first = sound[sound < middle][-1] / rate
    last = sound[sound > middle][0] / rate
    assert said.start - MARGIN - OVERRUN <= first <= said.start + TOLERANCE, (first, said)
    assert said.end - TOLERANCE <= last <= said.end + MARGIN + OVERRUN, (last, said)


def test_the_agent_is_not_silenced(redacted):
    audio, placed, _ = redacted
    rate, prompt = audio.sample_rate, placed[2]
    assert np.abs(audio.channels[0][int(prompt.start * rate) : int(prompt.end * rate)]).max() > 0.1
