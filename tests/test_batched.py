"""Batched transcription: the device choice, the windows and batches, both channels in one batch.

No GPU here: the CUDA path is the same code with the machine facts injected
(CUDA present, free GPU memory) and the model built on CPU by an injected
factory that records what the CUDA build would have been given. Everything
else (VAD, chunking, batching, decoding, times) is real faster-whisper.
"""

from __future__ import annotations

import numpy as np
import pytest

from callvault.models.errors import ConfigError
from callvault.transcribe.batching import SAMPLE_RATE, ChannelWindows, as_blocks, pool_batches, stream_chunks
from callvault.transcribe.device import CPU_MAX_BATCH, CPU_MAX_LANES, GPU_DEFAULT_BATCH, GPU_MAX_BATCH, plan_device
from helpers import shared_file

GIB = 1 << 30


def _plan(device="auto", batch=None, cuda=False, threads=0, cpus=2, free=None, model=75 << 20, compute="auto", lanes=None):
    return plan_device(device, compute, batch, cuda_present=cuda, cpu_threads=threads, cpu_count=cpus, free_gpu_bytes=free,
                       model_bytes=model, lanes=lanes)


def test_cpu_batch_size_follows_the_threads():
    assert _plan(cpus=2).batch_size == 8 and _plan(cpus=2).compute_type == "int8"
    assert _plan(threads=1, cpus=16).batch_size == 4
    assert _plan(cpus=64).batch_size == CPU_MAX_BATCH  # capped
    assert "CPU threads" in _plan().batch_reason


def test_cpu_threads_run_as_one_thread_lanes():
    two = _plan(cpus=2)
    assert (two.lanes, two.lane_threads) == (2, 1)
    assert (_plan(threads=1, cpus=16).lanes, _plan(threads=1, cpus=16).lane_threads) == (1, 1)  # a pool worker's cap
    many = _plan(cpus=64)
    assert many.lanes == CPU_MAX_LANES and many.lane_threads == 64 // CPU_MAX_LANES
    assert (_plan(cpus=8, lanes=2).lanes, _plan(cpus=8, lanes=2).lane_threads) == (2, 4)  # [transcribe] lanes
    assert _plan(cpus=8, batch=3).lanes == 3  # never more lanes than chunks in a batch
    sequential = _plan(cpus=8, threads=8, batch=0)
    assert (sequential.lanes, sequential.lane_threads) == (1, 8)  # the sequential decoder keeps every thread
    gpu = _plan(cuda=True, free=80 * GIB, cpus=16)
    assert gpu.lanes == 1  # one stream: the GPU batches
    with pytest.raises(ConfigError, match="lanes"):
        _plan(lanes=0)


def test_share_out_keeps_neighbours_together():
    from callvault.transcribe.asr import share_out

    assert share_out(list(range(8)), 2) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert share_out(list(range(5)), 2) == [[0, 1, 2], [3, 4]]
    assert share_out([0], 4) == [[0]]
    assert [len(p) for p in share_out(list(range(10)), 4)] == [3, 3, 2, 2]


def test_cuda_takes_float16_and_a_batch_from_free_memory():
    small = _plan(cuda=True, free=8 * GIB, model=3 * GIB)  # large-v3 float16 on an 8 GiB card
    big = _plan(cuda=True, free=80 * GIB, model=3 * GIB)
    assert (small.device, small.compute_type) == ("cuda", "float16")
    assert 1 <= small.batch_size < big.batch_size <= GPU_MAX_BATCH
    assert small.batch_size == (8 * GIB - GIB - 3 * GIB) // (3 * GIB // 8)
    assert _plan(cuda=True, free=None).batch_size == GPU_DEFAULT_BATCH  # nvidia-smi unreadable
    assert _plan(cuda=True, free=GIB // 2, model=3 * GIB).batch_size == 1  # never 0: that would mean sequential
    assert "free GPU memory" in small.batch_reason


def test_flag_beats_the_device_and_bad_choices_say_what_to_do():
    assert _plan(batch=3, cuda=True, free=80 * GIB).batch_size == 3
    assert _plan(batch=0).batch_size == 0  # the sequential decoder, on request
    with pytest.raises(ConfigError, match="--device cpu or auto"):
        _plan(device="cuda", cuda=False)
    with pytest.raises(ConfigError, match="batch size"):
        _plan(batch=-1)


def test_config_batch_size():
    from callvault.assemble import config_batch_size

    assert config_batch_size(None) is None and config_batch_size("auto") is None and config_batch_size(12) == 12
    with pytest.raises(ConfigError, match="batch_size"):
        config_batch_size("big")
    from callvault.assemble import config_lanes

    assert config_lanes("auto") is None and config_lanes(2) == 2
    with pytest.raises(ConfigError, match="lanes must be"):
        config_lanes(0)


# -- windows and batches (real numpy, an energy VAD so speech is known exactly) --


def _energy_speech(audio):
    """Stretches louder than the floor, as Silero would report them (start/end samples)."""
    loud = np.abs(audio) > 0.05
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(np.int8), [0]])))
    return [{"start": int(a), "end": int(b)} for a, b in zip(edges[::2], edges[1::2])]


def _bursts(seconds, bursts):
    audio = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
    for start, length in bursts:
        audio[int(start * SAMPLE_RATE) : int((start + length) * SAMPLE_RATE)] = 0.5
    return audio


def test_windows_carry_open_speech_and_restore_recording_times():
    bursts = [(5, 3), (62, 4), (70, 2.5), (127.5, 3), (190, 6)]  # 62 s and 127.5 s straddle window ends
    audio = _bursts(200, bursts)
    windows = ChannelWindows(0, _energy_speech, window_seconds=64)
    chunks = [c for block in as_blocks([audio], 10) for c in windows.feed(block[0])] + windows.finish()
    assert windows._length == 0
    found = []
    for chunk in chunks:
        for start, end in chunk.window.segments:
            found.append(round(chunk.window.start + start / SAMPLE_RATE, 3))
        # a word at the very start of the chunk lands on its first segment's start in the recording
        first = chunk.window.to_recording_time(chunk.offset, chunk.offset + 0.1)
        assert first[0] == pytest.approx(chunk.start)
    assert sorted(set(found)) == [b[0] for b in bursts]  # every burst once, none cut in two
    burst = chunks[1]
    assert burst.window.to_recording_time(burst.offset + 1.0, burst.offset + 1.5) == pytest.approx((63.0, 63.5))


def test_window_memory_is_bounded_on_a_long_stream():
    windows = ChannelWindows(0, _energy_speech, window_seconds=64)
    longest = 0
    for minute in range(30):  # 30 minutes, speech every 20 s
        block = _bursts(60, [(1, 8), (21, 8), (41, 8)])
        windows.feed(block)
        longest = max(longest, windows._length)
    assert longest < 64 * SAMPLE_RATE


def test_pooled_batches_mix_channels_in_time_order():
    left, right = _bursts(100, [(1, 20), (45, 20)]), _bursts(100, [(23, 20), (70, 20)])
    batches = list(pool_batches(stream_chunks(as_blocks([left, right], 30), _energy_speech, 64), 3))
    channels = [[c.channel for c in batch] for batch in batches]
    assert channels[0] == [0, 1, 0] and sum(map(len, channels)) == 4
    starts = [c.start for batch in batches for c in batch]
    assert starts == sorted(starts)


# -- real faster-whisper: the CUDA plan with a CPU-built model ------------------------


@pytest.fixture(scope="module")
def cuda_planned_asr():
    from faster_whisper import WhisperModel

    from callvault.transcribe.asr import AsrOptions, MachineFacts, WhisperAsr

    built = {}

    def on_cpu(path, **kwargs):
        built.update(kwargs)  # what CTranslate2 would get on the GPU
        return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True)

    facts = MachineFacts(cuda_present=lambda: True, cpu_count=lambda: 2, free_gpu_bytes=lambda: 2 * GIB)
    return WhisperAsr(AsrOptions(device="auto", cpu_threads=2), facts=facts, model_factory=on_cpu), built


@pytest.mark.slow
def test_cuda_plan_decodes_both_channels_in_one_batch(cuda_planned_asr):
    from callvault.recorder.decode import decode

    asr, built = cuda_planned_asr
    assert (built["device"], built["compute_type"]) == ("cuda", "float16")
    assert built["num_workers"] == 1 and asr.plan.lanes == 1  # the GPU takes the whole batch in one stream
    assert asr.batch_size == (2 * GIB - GIB - (75 << 20)) // (64 << 20) or asr.batch_size >= 8
    audio = decode(shared_file("stereo-two-speakers-16k.wav"))
    left, right = asr.channel_words(audio.channels, ["S0", "S1"])
    assert asr.batches_run == [(0, 1)]  # one pass of the model for both sides
    text = lambda words: " ".join(w.text.lower() for w in words)
    assert "wizard" in text(left) and "horizon" in text(right)
    assert all(w.speaker == "S0" for w in left) and all(w.speaker == "S1" for w in right)
    assert all(0 <= w.start <= w.end <= audio.duration + 0.1 for w in left + right)
    assert asr.provenance()["batch_size"] == asr.batch_size


@pytest.mark.slow
def test_streamed_windows_give_the_words_of_one_window(cuda_planned_asr):
    """A call cut into 64 s windows (as a 2-hour call is) reads like the call decoded whole."""
    import jiwer

    from callvault.recorder.decode import decode
    from callvault.transcribe.asr import AsrOptions, WhisperAsr

    asr, _ = cuda_planned_asr
    audio = decode(shared_file("telephone-two-speakers-16k.wav")).channels[0]
    long_call = np.concatenate([audio, audio, audio, audio])  # 2 min
    whole = asr.channel_words([long_call], ["S0"])[0]
    windowed = WhisperAsr(AsrOptions(device="cpu", cpu_threads=2, batch_size=3, window_seconds=64))
    cut = windowed.stream_words(as_blocks([long_call], 7.0), ["S0"])[0]
    assert len(windowed.batches_run) >= 2
    words = lambda ws: " ".join(w.text.lower().strip(".,?!") for w in ws)
    assert jiwer.wer(words(whole), words(cut)) < 0.1
    assert [w.start for w in cut] == sorted(w.start for w in cut)
    assert cut[-1].end <= len(long_call) / SAMPLE_RATE + 0.1 and cut[-1].start > 90


@pytest.mark.slow
def test_two_lanes_read_a_call_as_one_lane_does():
    """Two one-thread lanes (the 2-core default) give the words and times of one two-thread pass."""
    import jiwer

    from callvault.recorder.decode import decode
    from callvault.transcribe.asr import AsrOptions, WhisperAsr

    audio = decode(shared_file("telephone-two-speakers-16k.wav")).channels[0]
    call = np.concatenate([audio, audio, audio])  # 90 s: three chunks, shared out 2 + 1
    lanes = WhisperAsr(AsrOptions(device="cpu", cpu_threads=2, lanes=2))
    single = WhisperAsr(AsrOptions(device="cpu", cpu_threads=2, lanes=1))
    assert (lanes.plan.lanes, lanes.plan.lane_threads, single.plan.lane_threads) == (2, 1, 2)
    split, whole = lanes.channel_words([call], ["S0"])[0], single.channel_words([call], ["S0"])[0]
    assert lanes.batches_run == single.batches_run == [(0, 0, 0)]
    words = lambda ws: " ".join(w.text.lower().strip(".,?!") for w in ws)
    assert jiwer.wer(words(whole), words(split)) < 0.05
    assert [w.start for w in split] == sorted(w.start for w in split)  # the lanes' words come back in order
    close = sum(1 for a, b in zip(whole, split) if a.text == b.text and abs(a.start - b.start) <= 0.1)
    assert close >= 0.9 * len(whole)
    assert lanes.provenance()["lanes"] == 2


def test_config_table_reaches_the_asr_options(tmp_path):
    from callvault.assemble import RunOptions, asr_options
    from callvault.config import load_config

    (tmp_path / "callvault.toml").write_text('[transcribe]\nbatch_size = 12\ntimestamp_tokens = false\nlanes = 3\n')
    config = load_config(tmp_path)
    options = asr_options(config, RunOptions())
    assert options.batch_size == 12 and options.timestamp_tokens is False and options.lanes == 3
    assert asr_options(config, RunOptions(batch_size=0)).batch_size == 0  # the flag beats the file
    assert asr_options(load_config(tmp_path / "none"), RunOptions()).batch_size is None  # from the device


def test_worker_thread_cap_sets_the_cpu_batch(monkeypatch):
    """A pool worker runs with OMP_NUM_THREADS=1 (runner): its batch follows that, not the machine's cores."""
    from callvault.transcribe.asr import AsrOptions, MachineFacts, plan_for

    facts = MachineFacts(cuda_present=lambda: False, cpu_count=lambda: 16, omp_threads=lambda: 1)
    assert plan_for(AsrOptions(device="cpu"), "/nonexistent", facts).batch_size == 4
    assert plan_for(AsrOptions(device="cpu", cpu_threads=2), "/nonexistent", facts).batch_size == 8
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    from callvault.transcribe.device import omp_threads

    assert omp_threads() == 3


@pytest.mark.slow
def test_speech_after_the_last_segment_is_read_again(cuda_planned_asr):
    """The batched decoder may stop at a timestamp seconds before its chunk ends; what the tail pass leaves is read sequentially."""
    from callvault.recorder.decode import decode
    from callvault.transcribe.asr import UNREAD_TAIL_SECONDS
    from callvault.transcribe.batching import pack_chunks

    asr, _ = cuda_planned_asr
    audio = decode(shared_file("telephone-two-speakers-16k.wav")).channels[0][: 12 * SAMPLE_RATE]
    (chunk,) = pack_chunks(0, 0.0, audio, [{"start": 0, "end": len(audio)}])
    stopped_early = [{"start": 0.0, "end": 4.0, "compression_ratio": 1.0, "words": [{"start": 0.5, "end": 1.0, "word": " hello", "probability": 0.9}]}]
    before = asr.tails_read
    segments = asr._with_rest_read(chunk, stopped_early)
    assert asr.tails_read == before + 1 and segments[0] == stopped_early[0]
    words = asr._checked_words(chunk, segments, asr._decode_options[0])
    assert words[0]["word"] == " hello" and len(words) > 5  # the 8 s after 4.0 s were read
    assert all(4.0 - 0.5 <= w["start"] <= chunk.duration + 0.1 for w in words[1:])
    finished = [{**stopped_early[0], "end": chunk.duration - UNREAD_TAIL_SECONDS / 2}]
    assert asr._with_rest_read(chunk, finished) == finished and asr.tails_read == before + 1


@pytest.mark.slow
def test_the_tails_of_two_chunks_are_read_in_one_window_each_back_to_its_chunk(cuda_planned_asr):
    """Two chunks that stopped 4 s early: both tails go through the model in one window, each word back to its chunk."""
    import jiwer

    from callvault.recorder.decode import decode
    from callvault.transcribe.batching import pack_chunks
    from callvault.transcribe.tails import pack_tails

    asr, _ = cuda_planned_asr
    audio = decode(shared_file("telephone-two-speakers-16k.wav")).channels[0][: 24 * SAMPLE_RATE]
    half = 12 * SAMPLE_RATE
    first, second = (pack_chunks(0, 0.0, audio, [{"start": b, "end": b + half}])[0] for b in (0, half))
    assert len(pack_tails([first.audio[8 * SAMPLE_RATE:], second.audio[8 * SAMPLE_RATE:]])) == 1
    stopped = [[{"start": c.offset, "end": c.offset + 8.0, "compression_ratio": 1.0, "words": []}] for c in (first, second)]
    pipeline = asr._lane_list[0]
    before = asr.tails_read
    results = asr._with_tails_read(pipeline, [first, second], stopped)
    assert asr.tails_read == before + 2
    words = lambda ws: " ".join(w["word"].strip().lower().strip(".,?!") for w in ws)
    for chunk, segments in zip((first, second), results):
        tail = [w for segment in segments[1:] for w in segment["words"]]
        assert tail and all(chunk.offset + 8.0 <= w["start"] <= w["end"] <= chunk.offset + 12.0 for w in tail)
        alone = asr._read_again(chunk, 8.0, 12.0, fallback=False)  # the same 4 s read on their own
        assert jiwer.wer(words(alone), words(tail)) <= 0.3, (words(alone), words(tail))


@pytest.mark.slow
def test_the_tails_of_two_channels_never_share_a_window(cuda_planned_asr):
    """A stereo call's tails go in one window per channel, so no word can cross to the other speaker."""
    from callvault.recorder.decode import decode
    from callvault.transcribe.batching import pack_chunks

    asr, _ = cuda_planned_asr
    audio = decode(shared_file("telephone-two-speakers-16k.wav")).channels[0][: 12 * SAMPLE_RATE]
    left, right = (pack_chunks(channel, 0.0, audio, [{"start": 0, "end": len(audio)}])[0] for channel in (0, 1))
    stopped = [[{"start": 0.0, "end": 8.0, "compression_ratio": 1.0, "words": []}] for _ in (left, right)]
    pipeline = asr._lane_list[0]
    windows = []
    forward = pipeline.forward

    def counted(features, *args):  # the real pass, with the number of windows it was given noted
        windows.append(features.shape[0])
        return forward(features, *args)

    pipeline.forward = counted
    try:
        results = asr._with_tails_read(pipeline, [left, right], stopped)
    finally:
        del pipeline.forward
    assert windows == [2]  # one pass, two windows: one per channel
    left_tail, right_tail = ([w["word"] for s in segments[1:] for w in s["words"]] for segments in results)
    assert left_tail and left_tail == right_tail  # the same audio on both sides, read apart
