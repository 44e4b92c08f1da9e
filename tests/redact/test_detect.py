"""Detection on the labelled set and on targeted cases (real spaCy + presidio, no network)."""

import pytest

from callvault.labelled import transcript_from_turns
from callvault.redact.scoring import Score, score_call

pytestmark = pytest.mark.slow

HIGH_RECALL = ("PAN", "CVV", "US_SSN", "AUTH_SECRET", "ACCOUNT_NUMBER")
CPNI = ("CALL_NUMBER", "CALL_TIME", "CALL_DURATION", "CALL_LOCATION", "BILL_AMOUNT", "SERVICE_PLAN", "USAGE_QTY", "TECH_CONFIG", "ACCOUNT_NUMBER")
EVALUATED = set(HIGH_RECALL) | set(CPNI) | {"BIOGRAPHICAL", "CARD_EXPIRY"}


def detect(detector, *turns):
    transcript = transcript_from_turns([{"speaker": f"S{i % 2}", "role": ("agent", "customer")[i % 2], "text": t} for i, t in enumerate(turns)])
    text = transcript.text
    return transcript, [(f.entity, text[f.char_start : f.char_end]) for f in detector.detect(transcript)], detector.detect(transcript)


def test_labelled_set_meets_the_targets(detector, labelled_calls):
    score = Score()
    for call in labelled_calls:
        score_call(call, detector.detect(call.transcript), score, EVALUATED)
    for entity in HIGH_RECALL:
        assert score.tally(entity).recall >= 0.97, (entity, score.misses)
    for entity in CPNI:
        assert score.tally(entity).recall >= 0.90, (entity, score.misses)
        assert score.tally(entity).precision >= 0.85, (entity, score.misses)
    assert score.uncovered == 0


def test_context_decides_the_entity(detector):
    _, found, _ = detect(
        detector,
        "What's your account number?",
        "It's four four seven one oh oh nine three.",
        "And the security code on the back?",
        "Four four seven.",
        "I see you called five five five, one two three, four five six seven last night.",
    )
    assert ("ACCOUNT_NUMBER", "four four seven one oh oh nine three") in found
    assert ("CVV", "Four four seven") in found
    assert ("CALL_NUMBER", "five five five, one two three, four five six seven") in found


def test_listed_and_store_numbers_are_not_cpni(detector):
    _, found, _ = detect(
        detector,
        "My listed number is 555 867 5309, it's in the white pages.",
        "You can reach our store at five five five, two zero one, seven seven eight eight.",
        "Please hold for about two minutes.",
    )
    # subscriber list and business numbers are no CPNI; they are still phone numbers (PII)
    assert [e for e, _ in found] == ["PHONE_NUMBER", "PHONE_NUMBER"]


def test_a_card_split_across_turns_gives_one_finding_per_turn_with_times_and_roles(detector):
    transcript, found, findings = detect(
        detector,
        "What's the card number?",
        "Five five five five, five five five five,",
        "Mm-hmm.",
        "five five five five, four four four four.",
    )
    pans = [f for f in findings if f.entity == "PAN"]
    assert [t for e, t in found if e == "PAN"] == ["Five five five five, five five five five", "five five five five, four four four four"]
    assert all(f.category == "PCI" and f.role == "customer" and f.speaker == "S1" for f in pans)
    assert [f.explanation.note.split("; ")[-1] for f in pans] == ["part 1 of 2 (split across turns)", "part 2 of 2 (split across turns)"]
    first = transcript.turns[1].words
    assert (pans[0].start, pans[0].end) == (first[0].start, first[-1].end)
    assert pans[0].explanation.recognizer == "PanRecognizer" and pans[0].explanation.pattern == "card-pan"
    assert pans[0].explanation.note.startswith("Luhn-valid 16 digits")
    assert pans[0].explanation.context_words == ("card number",)


def test_asr_garble_of_a_long_number_is_still_card_data(detector):
    _, found, _ = detect(detector, "The current number is for 1-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1")
    assert [e for e, _ in found] == ["PAN"]


def test_names_and_spoken_emails_use_presidio_offline(detector):
    _, found, _ = detect(detector, "This is Maria Gonzalez, my email is maria dot gonzalez at gmail dot com.")
    entities = {e for e, _ in found}
    assert "PERSON" in entities and ("EMAIL_ADDRESS", "maria dot gonzalez at gmail dot com") in found


def test_findings_carry_no_raw_values(detector):
    _, _, findings = detect(detector, "Card number please.", "4111 1111 1111 1111")
    assert "4111" not in repr(findings)


def test_network_is_really_blocked_here():
    import socket

    with pytest.raises(RuntimeError, match="network access attempted"):
        socket.create_connection(("pypi.org", 443), timeout=1)
