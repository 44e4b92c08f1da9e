"""Names spelled letter by letter are PERSON findings; letters elsewhere are not."""

import pytest

from callvault.labelled import transcript_from_turns

pytestmark = pytest.mark.slow  # the session Detector loads spaCy


def _found(detector, text):
    transcript = transcript_from_turns([{"role": "customer", "text": text}])
    return [(f.entity, transcript.text[f.char_start : f.char_end]) for f in detector.detect(transcript)]


@pytest.mark.parametrize(
    "text, spelled",
    [
        ("my last name is King, K I N G.", "K I N G"),
        ("that is V-I-O-L-E-T", "V-I-O-L-E-T"),
        ("yes my name is Violet the IOL ET", "IOL ET"),
        ("let me spell it, O R T I Z", "O R T I Z"),
    ],
)
def test_spelled_names_are_found(detector, text, spelled):
    assert ("PERSON", spelled) in _found(detector, text)


@pytest.mark.parametrize("text", ["I was at the A B C store", "I need a new SIM card", "plan B is fine", "my name is on the account"])
def test_letters_without_a_name_cue_are_left_alone(detector, text):
    assert not [span for entity, span in _found(detector, text) if entity == "PERSON" and len(span) <= 12 and span.isupper()]
