"""Overlapping findings: a sensitive class stays redacted whatever the winner's policy (issue 12, item 11)."""

from callvault.labelled import transcript_from_turns
from callvault.models import Explanation, Finding
from callvault.redact.apply import redact_transcript
from callvault.redact.detect import resolve_overlaps
from callvault.redact.policy import RedactionPolicy
from callvault.redact.spoken import spoken_digits

TURNS = [{"role": "customer", "text": "put the travel pass on card 4111 1111 1111 1111 please"}]


def _finding(transcript, phrase, entity, score, category):
    start = transcript.text.index(phrase)
    span = transcript.time_span_of(start, start + len(phrase))
    return Finding(category, entity, start, start + len(phrase), span.start, span.end, "S1", "customer", score, Explanation("test"))


def test_a_kept_winner_never_uncovers_an_overlapped_card_number():
    transcript = transcript_from_turns(TURNS)
    # a (wrong) high-scoring plan finding swallowing half the card number, and the card number itself
    plan = _finding(transcript, "travel pass on card 4111 1111", "SERVICE_PLAN", 0.99, "CPNI")
    pan = _finding(transcript, "4111 1111 1111 1111", "PAN", 0.9, "PCI")
    kept = resolve_overlaps([plan, pan], transcript)
    policy = RedactionPolicy(actions={"SERVICE_PLAN": "keep", "PAN": "redact"})
    redacted = redact_transcript(transcript, kept, policy).text
    assert spoken_digits(redacted) == ""
    assert "[PAN]" in redacted


def test_a_partly_overlapped_secret_keeps_its_uncovered_part():
    transcript = transcript_from_turns([{"role": "customer", "text": "my passcode is river stone seven and that's it"}])
    secret = _finding(transcript, "river stone seven", "AUTH_SECRET", 0.7, "PII")
    other = _finding(transcript, "stone seven", "CVV", 0.95, "PCI")
    kept = resolve_overlaps([secret, other], transcript)
    assert {(f.entity, transcript.text[f.char_start:f.char_end]) for f in kept} == {("CVV", "stone seven"), ("AUTH_SECRET", "river")}
    redacted = redact_transcript(transcript, kept, RedactionPolicy()).text
    assert "river" not in redacted and "seven" not in redacted


def test_non_sensitive_losers_are_still_dropped():
    transcript = transcript_from_turns([{"role": "agent", "text": "you called Dana Smith yesterday"}])
    person = _finding(transcript, "Dana Smith", "PERSON", 0.85, "PII")
    time = _finding(transcript, "Smith yesterday", "CALL_TIME", 0.75, "CPNI")
    assert [f.entity for f in resolve_overlaps([person, time], transcript)] == ["CALL_TIME"]
