"""Decoding: every telephony encoding, and each kind of bad input, with real ffmpeg."""

import subprocess
import wave

import numpy as np
import pytest

from callvault.models import InputError
from callvault.recorder.decode import decode
from helpers import need_tool

SCRIPT = "Thank you for calling Acme Wireless. Your bill this month is higher because of international calls to Mexico."

# (file name, ffmpeg output options): the usual call-recorder formats.
ENCODINGS = [
    ("pcm16-16k.wav", ["-ar", "16000", "-c:a", "pcm_s16le"]),
    ("pcm16-8k.wav", ["-ar", "8000", "-c:a", "pcm_s16le"]),
    ("pcm24-48k.wav", ["-ar", "48000", "-c:a", "pcm_s24le"]),
    ("u8-8k.wav", ["-ar", "8000", "-c:a", "pcm_u8"]),
    ("mulaw-8k.wav", ["-ar", "8000", "-c:a", "pcm_mulaw"]),
    ("alaw-8k.wav", ["-ar", "8000", "-c:a", "pcm_alaw"]),
    ("call.mp3", ["-ar", "22050", "-c:a", "libmp3lame"]),
    ("call.flac", ["-ar", "16000", "-c:a", "flac"]),
    ("call.ogg", ["-ar", "48000", "-c:a", "libopus"]),
    ("call.m4a", ["-ar", "32000", "-c:a", "aac"]),
]


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    need_tool("espeak-ng")
    need_tool("ffmpeg")
    folder = tmp_path_factory.mktemp("enc")
    source = folder / "source.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(source), SCRIPT], check=True)
    for name, options in ENCODINGS:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), *options, str(folder / name)], check=True)
    return folder


def _normalised(text):
    import jiwer

    return jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(), jiwer.Strip()])(text)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n, _ in ENCODINGS])
def test_every_encoding_gives_the_transcript(encoded, whisper_asr, name):
    import jiwer

    audio = decode(encoded / name)
    assert audio.sample_rate == 16000 and len(audio.channels) == 1
    assert audio.duration == pytest.approx(decode(encoded / "pcm16-16k.wav").duration, abs=0.1)
    text = " ".join(w.text for w in whisper_asr.words(audio.channels[0]))
    # tiny.en on espeak's voice through 8 kHz narrowband mishears a few words
    # ("bill" -> "will"); wideband encodings must come through nearly whole.
    narrowband = "8k" in name
    assert jiwer.wer(_normalised(SCRIPT), _normalised(text)) <= (0.4 if narrowband else 0.15), text
    assert "mexico" in _normalised(text)


@pytest.mark.slow
def test_lossless_encodings_decode_to_identical_transcripts(encoded, whisper_asr):
    pcm, flac = decode(encoded / "pcm16-16k.wav"), decode(encoded / "call.flac")
    assert np.array_equal(pcm.channels[0], flac.channels[0])
    assert [w.text for w in whisper_asr.words(pcm.channels[0])] == [w.text for w in whisper_asr.words(flac.channels[0])]


def _wav(path, channels=1, seconds=1.0, rate=8000, amplitude=0.3):
    samples = np.zeros((int(seconds * rate), channels), dtype=np.float32)
    samples[:, :] = amplitude * np.sin(np.linspace(0, 2 * np.pi * 440 * seconds, len(samples)))[:, None]
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def test_bad_inputs_name_the_problem(tmp_path):
    need_tool("ffmpeg")
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio at all")
    full = _wav(tmp_path / "full.wav", seconds=2.0)
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(full.read_bytes()[: len(full.read_bytes()) // 2])
    header_only = tmp_path / "header-only.wav"
    header_only.write_bytes(full.read_bytes()[:44])
    cases = {
        not_audio: "not a readable audio file",
        truncated: "truncated",
        _wav(tmp_path / "silent.wav", amplitude=0.0): "silent",
        _wav(tmp_path / "surround.wav", channels=6): "6 channels",
        header_only: "truncated",
    }
    for path, reason in cases.items():
        with pytest.raises(InputError) as info:
            decode(path)
        assert reason in str(info.value), (path.name, str(info.value))
        assert str(path) in str(info.value)
    assert decode(full).duration == pytest.approx(2.0, abs=0.01)


def test_streamed_blocks_are_the_whole_decode_in_pieces(tmp_path):
    need_tool("ffmpeg")
    from callvault.recorder.decode import open_stream

    path = _wav(tmp_path / "stereo.wav", channels=2, seconds=7.3, rate=8000)
    whole = decode(path)
    with open_stream(path, block_seconds=2.0) as stream:
        assert stream.info.channels == 2  # known before any block is read
        blocks = list(stream.blocks())
        assert stream.decoded_info.duration == pytest.approx(whole.duration)
    assert all(len(b[0]) == 32000 for b in blocks[:-1]) and 0 < len(blocks[-1][0]) <= 32000
    for channel in range(2):
        assert np.array_equal(np.concatenate([b[channel] for b in blocks]), whole.channels[channel])


def test_streaming_reports_a_cut_file_after_its_last_block(tmp_path):
    """A stream that ends short of its container's promise fails at the end, as decode() does."""
    need_tool("ffmpeg")
    from callvault.recorder.decode import open_stream

    source = _wav(tmp_path / "full.wav", seconds=6.0)
    cut = tmp_path / "cut.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c:a", "libmp3lame", str(tmp_path / "full.mp3")], check=True)
    data = (tmp_path / "full.mp3").read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with open_stream(cut, block_seconds=1.0) as stream:
        with pytest.raises(InputError, match="truncated|decoded") as info:
            for _ in stream.blocks():
                pass
    assert str(cut) in str(info.value)
