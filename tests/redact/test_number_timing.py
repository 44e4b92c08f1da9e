"""A number word timed shorter than its digits take to say: its audio reaches back to the speaker's previous word.

Seen on the batched path with real faster-whisper (numpy 2.4, the card call of
tests/vault/test_stored_leaks.py): a card read digit by digit at 13.5-21.7 s
came back as one word timed 29.5-30.3 s, clipped by faster-whisper's
long-word heuristic. The transcripts here are built by hand with those times;
detection is the real presidio + spaCy Detector.
"""

from __future__ import annotations

import pytest

from callvault.models import Speaker, Transcript, Turn, Word
from callvault.redact import DEFAULT_POLICY, findings_to_dicts, pci_scrub_spans, redaction_spans
from callvault.redact.audio import audible_start

CARD = "4532015112830366"  # a test card number (Luhn-valid)


def _word(start, end, text, speaker):
    return Word(start, end, text, 0.9, speaker)


def _call(customer_words) -> Transcript:
    agent = [_word(9.0, 9.4, "What", "S0"), _word(9.4, 9.6, "is", "S0"), _word(9.6, 9.8, "the", "S0"),
             _word(9.8, 10.2, "card", "S0"), _word(10.2, 10.9, "number?", "S0")]
    after = [_word(31.0, 31.4, "Thank", "S0"), _word(31.4, 31.7, "you.", "S0")]
    turns = (Turn("S0", "agent", tuple(agent)), Turn("S1", "customer", tuple(customer_words)), Turn("S0", "agent", tuple(after)))
    return Transcript("timing", turns, (Speaker("S0", "agent", 0), Speaker("S1", "customer", 1)), duration=32.0)


def test_a_word_too_short_for_its_digits_reaches_back_to_the_previous_word():
    clipped = [_word(12.8, 13.2, "Sure,", "S1"), _word(13.2, 13.4, "it's", "S1"), _word(29.5, 30.3, CARD, "S1")]
    assert audible_start(clipped[2:], previous_end=13.4) == (13.4, 16)
    assert audible_start(clipped[2:], previous_end=None) == (pytest.approx(30.3 - 16 * 1.5), 16)
    assert audible_start(clipped[2:], previous_end=2.0) == (pytest.approx(30.3 - 16 * 1.5), 16)  # not minutes back
    spoken = [_word(13.5 + 0.5 * i, 13.9 + 0.5 * i, d, "S1") for i, d in enumerate(CARD)]  # one word a digit
    assert audible_start(spoken, previous_end=13.4) is None
    grouped = [_word(13.5, 15.5, CARD[:4], "S1"), _word(15.6, 17.6, CARD[4:8], "S1")]  # 2 s for 4 digits: as said
    assert audible_start(grouped, previous_end=13.4) is None
    assert audible_start([_word(20.0, 20.2, "$25", "S1")], previous_end=19.0) is None  # two digits: not checked


def test_the_card_is_redacted_where_it_was_said_not_only_where_it_was_timed(detector):
    transcript = _call([_word(12.8, 13.2, "Sure,", "S1"), _word(13.2, 13.4, "it's", "S1"), _word(29.5, 30.3, CARD, "S1")])
    (pan,) = [f for f in detector.detect(transcript) if f.entity == "PAN"]
    assert (pan.start, pan.end) == (29.5, 30.3)  # the words' times stay as the recogniser gave them
    assert pan.audio_start == 13.4 and "previous word" in pan.explanation.note and CARD[:4] not in pan.explanation.note
    (span,) = [s for s in redaction_spans([pan], DEFAULT_POLICY)]
    assert span.start <= 13.5 and span.end >= 30.3  # the reading (13.5-21.7 s) is inside
    (doc,) = findings_to_dicts([pan], DEFAULT_POLICY)
    assert doc["audio_redacted"]["start"] <= 13.4 - DEFAULT_POLICY.margin + 1e-6


def test_a_cvv_timed_too_short_is_scrubbed_from_the_original_from_the_previous_word(detector):
    transcript = _call([_word(12.0, 12.3, "The", "S1"), _word(12.3, 12.8, "security", "S1"), _word(12.8, 13.1, "code", "S1"),
                        _word(13.1, 13.3, "is", "S1"), _word(15.2, 15.4, "737.", "S1")])
    findings = detector.detect(transcript)
    (cvv,) = [f for f in findings if f.entity == "CVV"]
    assert cvv.audio_start == 13.3
    assert any(s.start <= 13.3 and s.end >= 15.4 for s in pci_scrub_spans(findings, DEFAULT_POLICY))


def test_digits_timed_as_said_keep_their_times(detector):
    spoken = [_word(13.5 + 0.45 * i, 13.85 + 0.45 * i, d, "S1") for i, d in enumerate(CARD)]
    transcript = _call([_word(13.0, 13.4, "Yes,", "S1")] + spoken)
    pans = [f for f in detector.detect(transcript) if f.entity == "PAN"]
    assert pans and all(f.audio_start is None for f in pans)
    assert all(f.audio_span.start == f.start for f in pans)
