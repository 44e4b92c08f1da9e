"""Packing the unread ends of chunks into shared windows, and cutting the decoded words back (no model)."""

from __future__ import annotations

import numpy as np

from callvault.transcribe.batching import SAMPLE_RATE
from callvault.transcribe.tails import TAIL_GAP_SECONDS, pack_tails


def _piece(seconds: float, level: float = 0.5) -> np.ndarray:
    return np.full(int(seconds * SAMPLE_RATE), level, dtype=np.float32)


def _word(start: float, end: float, text: str) -> dict:
    return {"start": start, "end": end, "word": text, "probability": 0.9}


def test_ends_are_laid_out_with_silence_between_them():
    (window,) = pack_tails([_piece(2.0), _piece(1.5, 0.25), _piece(3.0, 0.75)])
    assert [(t.index, t.begin, t.duration) for t in window.tails] == [(0, 0.0, 2.0), (1, 3.0, 1.5), (2, 5.5, 3.0)]
    assert len(window.audio) == int(8.5 * SAMPLE_RATE)
    gap = window.audio[2 * SAMPLE_RATE: 3 * SAMPLE_RATE]
    assert not gap.any()  # true silence, so the model sees one end finish before the next begins
    assert window.audio[3 * SAMPLE_RATE] == 0.25 and window.audio[int(5.5 * SAMPLE_RATE)] == 0.75


def test_a_full_window_starts_the_next_and_a_long_end_gets_its_own():
    windows = pack_tails([_piece(10.0), _piece(10.0), _piece(10.0), _piece(40.0), _piece(1.0)], window_seconds=24.0)
    assert [[t.index for t in w.tails] for w in windows] == [[0, 1], [2], [3], [4]]
    assert all(len(w.audio) / SAMPLE_RATE <= 24.0 for w in windows if len(w.tails) > 1)
    assert pack_tails([]) == []


def test_words_go_back_to_the_end_their_middle_falls_in_with_times_from_that_end():
    (window,) = pack_tails([_piece(2.0), _piece(2.0)])  # ends at 0-2 s and 3-5 s in the window
    segments = [{"start": 0.0, "end": 5.0, "compression_ratio": 1.2, "text": "", "words": [
        _word(0.2, 0.8, " call"), _word(1.0, 1.9, " me"),
        _word(2.3, 3.4, " at"),  # middle 2.85 s: in the second end's half of the gap
        _word(3.5, 4.2, " nine"), _word(4.6, 5.3, " sharp"),  # runs past the end: clamped
    ]}]
    split = window.split(segments)
    assert [w["word"] for w in split[0][0]["words"]] == [" call", " me"]
    assert [w["word"] for w in split[1][0]["words"]] == [" at", " nine", " sharp"]
    assert [(w["start"], w["end"]) for w in split[1][0]["words"]] == [(0.0, 0.4), (0.5, 1.2), (1.6, 2.0)]
    assert (split[1][0]["start"], split[1][0]["end"], split[1][0]["text"]) == (0.0, 2.0, " at nine sharp")
    assert split[0][0]["compression_ratio"] == split[1][0]["compression_ratio"] == 1.2  # the loop check still sees it


def test_a_word_in_the_gap_goes_to_the_nearest_end_and_an_end_with_no_words_gets_nothing():
    (window,) = pack_tails([_piece(2.0), _piece(2.0), _piece(2.0)])  # 0-2, 3-5, 6-8
    segments = [{"start": 0.0, "end": 3.0, "words": [_word(2.0, 2.4, " um")]}]  # middle 2.2: nearer the first end
    split = window.split(segments)
    assert list(split) == [0] and (split[0][0]["words"][0]["start"], split[0][0]["words"][0]["end"]) == (2.0, 2.0)
    assert TAIL_GAP_SECONDS >= 0.5  # a word's time would have to be off by half a gap to cross over
    assert window.split([{"start": 0.0, "end": 1.0, "words": []}]) == {}
