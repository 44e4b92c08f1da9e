import pytest

from callvault.compliance import classify_answer, detect_events

AFFIRM = ["Sure, go ahead.", "yes", "yeah okay go for it", "absolutely", "no problem go ahead", "that's fine", "okay yes go ahead", "yes sign me up"]
NEGATIVE = ["No, don't use my info.", "no thanks", "not really", "um no i'd rather not", "take me off your list", "yeah no i'd rather you didn't", "nope"]
AMBIGUOUS = [
    "What would you look at?",
    "what would you look at",  # ASR drops the question mark
    "i guess",
    "uh whatever",
    "only if it saves me money",
    "maybe",
    "i'm not sure",
    "sure but what will you do with it",
    "no wait i mean yes",
    "i don't know",
    "hmm",
    "",
]


@pytest.mark.parametrize("text", AFFIRM)
def test_affirmations(text):
    assert classify_answer(text).kind == "affirm"


@pytest.mark.parametrize("text", NEGATIVE)
def test_negatives(text):
    assert classify_answer(text).kind == "negative"


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_hedges_questions_and_mixed_answers_are_ambiguous(text):
    assert classify_answer(text).kind == "ambiguous"


def test_no_ambiguous_answer_is_ever_counted_as_approval(dialogues):
    """64.2007(a)(1): every gold ambiguous answer yields APPROVAL_AMBIGUOUS and never a grant or opt-in."""
    checked = 0
    for d in dialogues:
        events = detect_events(d.transcript, d.findings, d.metadata)
        for gold in (g for g in d.events if g.type == "APPROVAL_AMBIGUOUS"):
            on_turn = {e.type for e in events if gold.turn in e.turn_indexes and e.type.startswith(("APPROVAL_", "MARKETING_"))}
            assert on_turn == {"APPROVAL_AMBIGUOUS"}, (d.name, gold.turn, on_turn)
            checked += 1
    assert checked >= 5
