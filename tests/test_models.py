from dataclasses import FrozenInstanceError

import pytest

from callvault.models import TimeSpan, Transcript, Turn, Word, merge_spans
from callvault.models.naming import safe_name


def test_timespan_arithmetic():
    a, b = TimeSpan(1.0, 3.0), TimeSpan(2.0, 5.0)
    assert (a & b) == TimeSpan(2.0, 3.0)
    assert (a | b) == TimeSpan(1.0, 5.0)
    assert a.overlap(b) == pytest.approx(1.0)
    assert not (a & TimeSpan(4.0, 5.0))
    padded = TimeSpan(0.1, 0.2).padded(0.25)
    assert (padded.start, padded.end) == (0.0, pytest.approx(0.45))
    assert TimeSpan(9.0, 9.9).padded(0.25, limit=10.0).end == 10.0
    with pytest.raises(ValueError):
        TimeSpan(2.0, 1.0)
    with pytest.raises(FrozenInstanceError):
        a.start = 0.0  # type: ignore[misc]


def test_merge_spans_joins_close_spans():
    spans = [TimeSpan(5, 6), TimeSpan(0, 1), TimeSpan(1.1, 2), TimeSpan(2, 2)]
    assert merge_spans(spans, gap=0.2) == [TimeSpan(0, 2), TimeSpan(5, 6)]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../../etc/passwd", "etc_passwd"),
        ("/abs/path", "abs_path"),
        ("call\x00\x1b[31m42", "call_31m42"),
        ("..", ""),
        ("ok-Call_1.2", "ok-Call_1.2"),
        (None, ""),
        ("a..b", "a_b"),
    ],
)
def test_safe_name_never_escapes(raw, expected):
    assert safe_name(raw) == expected
    assert "/" not in safe_name(raw) and not safe_name(raw).startswith(".")


def test_transcript_offsets_map_back_to_words_and_times():
    t1 = Turn("S0", "agent", (Word(0.0, 0.5, "hello"), Word(0.6, 1.0, "there")))
    t2 = Turn("S1", "customer", (Word(1.5, 2.0, "card", speaker="S1"), Word(2.1, 2.5, "4111", speaker="S1")))
    transcript = Transcript("rid", (t1, t2))
    assert transcript.text == "hello there\ncard 4111"
    offsets = transcript.word_offsets()
    assert [transcript.text[o.char_start : o.char_end] for o in offsets] == ["hello", "there", "card", "4111"]
    start = transcript.text.index("4111")
    assert transcript.time_span_of(start, start + 4) == TimeSpan(2.1, 2.5)
    assert [o.turn_index for o in transcript.words_in(0, len(transcript.text))] == [0, 0, 1, 1]
