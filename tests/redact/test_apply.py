"""Redacted transcripts: placeholders replace exactly the finding's words; writers unchanged."""

from callvault.formats import transcript_from_dict, transcript_to_dict, transcript_to_text, transcript_to_vtt
from callvault.models import Explanation, Finding
from callvault.redact.apply import findings_to_dicts, redact_transcript, redaction_spans
from callvault.labelled import transcript_from_turns
from callvault.redact.policy import RedactionPolicy

TURNS = [
    {"speaker": "S0", "role": "agent", "text": "Card number please."},
    {"speaker": "S1", "role": "customer", "text": "It's 4111 1111 1111 1111 okay"},
    {"speaker": "S0", "role": "agent", "text": "You called 555 0100 yesterday."},
]


def finding_for(transcript, turn, phrase, entity, note=""):
    start = transcript.turn_offsets()[turn][0] + transcript.turns[turn].text.index(phrase)
    span = transcript.time_span_of(start, start + len(phrase))
    category = "PCI" if entity == "PAN" else "CPNI"
    return Finding(category, entity, start, start + len(phrase), span.start, span.end, "S1", "customer", 0.9, Explanation("T", note=note))


def test_words_collapse_into_one_placeholder_word_with_their_times():
    transcript = transcript_from_turns(TURNS)
    pan = finding_for(transcript, 1, "4111 1111 1111 1111", "PAN")
    call = finding_for(transcript, 2, "555 0100", "CALL_NUMBER")
    redacted = redact_transcript(transcript, [pan, call])
    words = redacted.turns[1].words
    assert [w.text for w in words] == ["It's", "[PAN ****1111]", "okay"]
    assert (words[1].start, words[1].end) == (pan.start, pan.end)
    assert redacted.turns[2].text == "You called [CALL_NUMBER] yesterday."
    assert redacted.provenance["redaction"]["redacted"] is True
    # the foundation writers write it unchanged, and it reads back
    assert "[PAN ****1111]" in transcript_to_text(redacted) and "[CALL_NUMBER]" in transcript_to_vtt(redacted)
    assert transcript_from_dict(transcript_to_dict(redacted)).text == redacted.text
    assert "4111" not in redacted.text


def test_keep_and_redact_actions():
    transcript = transcript_from_turns(TURNS)
    call = finding_for(transcript, 2, "555 0100", "CALL_NUMBER")
    keep = RedactionPolicy(actions={"CALL_NUMBER": "keep"})
    assert redact_transcript(transcript, [call], keep).turns[2].text == TURNS[2]["text"]
    assert redaction_spans([call], keep) == []
    pan = finding_for(transcript, 1, "4111 1111 1111 1111", "PAN")
    assert redact_transcript(transcript, [pan], RedactionPolicy(actions={})).turns[1].text == "It's [PAN] okay"


def test_mask_never_shows_digits_of_an_earlier_part_of_a_split_number():
    transcript = transcript_from_turns(
        [
            {"speaker": "S1", "role": "customer", "text": "4111 1111"},
            {"speaker": "S0", "role": "agent", "text": "okay"},
            {"speaker": "S1", "role": "customer", "text": "1111 2222"},
        ]
    )
    first = finding_for(transcript, 0, "4111 1111", "PAN", "part 1 of 2 (split across turns)")
    second = finding_for(transcript, 2, "1111 2222", "PAN", "part 2 of 2 (split across turns)")
    redacted = redact_transcript(transcript, [first, second])
    assert redacted.text == "[PAN ****]\nokay\n[PAN ****2222]"


def test_findings_dicts_have_times_and_no_values():
    transcript = transcript_from_turns(TURNS)
    pan = finding_for(transcript, 1, "4111 1111 1111 1111", "PAN")
    doc = findings_to_dicts([pan], RedactionPolicy())[0]
    assert doc["entity"] == "PAN" and doc["action"] == "mask"
    assert doc["audio_redacted"]["start"] == round(pan.start - 0.25, 3)
    assert "4111" not in str(doc)
