from collections import Counter

from callvault.compliance import EVENT_TYPES, detect_events
from callvault.compliance.evaluate import EventScore, score_events
from callvault.compliance.labelled import dialogue_from_dict


def test_the_labelled_set_has_the_variety_the_issue_asks_for(dialogues):
    assert len(dialogues) >= 40
    types = Counter(g.type for d in dialogues for g in d.events)
    assert set(types) == set(EVENT_TYPES)
    assert {d.metadata.direction for d in dialogues} == {"inbound", "outbound"}
    assert any(not d.events for d in dialogues)  # negatives
    volunteered = [d for d in dialogues if any(f.role == "customer" and f.entity.startswith("CALL_") for f in d.findings)]
    assert len(volunteered) >= 3


def test_event_precision_and_recall_reach_the_target(dialogues):
    total = EventScore()
    for d in dialogues:
        score, _ = score_events(detect_events(d.transcript, d.findings, d.metadata), d.events)
        total.add(score)
    assert total.precision() >= 0.9 and total.recall() >= 0.9
    for t in EVENT_TYPES:
        assert total.precision(t) >= 0.9 and total.recall(t) >= 0.9, t


def test_quotes_are_redacted_and_times_come_from_the_words(dialogues):
    for d in dialogues:
        text = d.transcript.text
        raw_values = [text[f.char_start : f.char_end] for f in d.findings]
        for event in detect_events(d.transcript, d.findings, d.metadata):
            assert not any(v in event.quote for v in raw_values), (d.name, event.quote)
            turns = [d.transcript.turns[i] for i in event.turn_indexes]
            # Timed at one of the turns it links (a failed passcode: the answer, linked to the reply).
            assert any(t.start - 1e-6 <= event.start <= event.end <= t.end + 1e-6 for t in turns)
            assert event.why and 0 < event.confidence <= 1
            assert all(t.role for t in turns)


def _call(*turns, states=("CA",)):
    return dialogue_from_dict({"metadata": {"direction": "inbound", "customer_states": list(states)}, "turns": [{"role": r, "text": t} for r, t in turns]})


def test_an_approval_links_the_agents_question_and_the_customers_answer():
    d = _call(
        ("agent", "you have a right and we have a duty to protect your account information. may i use it only for this call to suggest plans? you can say no."),
        ("customer", "sure go ahead"),
    )
    events = {e.type: e for e in detect_events(d.transcript)}
    granted = events["APPROVAL_GRANTED"]
    assert granted.turn_indexes == (0, 1) and granted.role == "customer"
    assert "agent:" in granted.quote and "customer: sure go ahead" in granted.quote
    assert set(events["CPNI_NOTICE"].details) >= {"N1", "N2", "N3", "N4", "N5"}


def test_a_disclosure_question_answered_no_is_an_objection():
    d = _call(("agent", "this call will be recorded is that okay"), ("customer", "no it's not"))
    assert [e.type for e in detect_events(d.transcript)] == ["REC_DISCLOSURE", "RECORDING_OBJECTION"]


def test_negated_and_customer_side_recording_talk_is_not_a_disclosure():
    d = _call(("customer", "are you recording this call"), ("agent", "we have stopped recording this call"), ("customer", "i was recording a video"))
    assert detect_events(d.transcript) == []


def test_unknown_roles_are_read_both_ways():
    d = dialogue_from_dict({"turns": [{"role": "unknown", "text": "this call may be recorded"}]})
    assert [e.type for e in detect_events(d.transcript)] == ["REC_DISCLOSURE"]
