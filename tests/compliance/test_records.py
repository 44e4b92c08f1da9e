import pytest

from callvault.compliance import detect_events, events_from_dicts, events_to_dicts, redact_span, rules_from_dicts, rules_to_dicts, run_rules
from callvault.models.errors import InputError
from callvault.models.findings import Finding


def _finding(text, value, entity):
    start = text.index(value)
    return Finding("PCI", entity, start, start + len(value), 0.0, 1.0)


def test_redact_span_replaces_findings_even_when_cut_by_the_span():
    text = "card four one one one one one one one and code one two three thanks"
    pan, cvv = _finding(text, "four one one one one one one one", "PAN"), _finding(text, "one two three", "CVV")
    assert redact_span(text, 0, len(text), [pan, cvv]) == "card [PAN] and code [CVV] thanks"
    assert redact_span(text, 10, 50, [pan, cvv]) == "[PAN] and code [CVV]"
    long = redact_span(text * 20, 0, len(text) * 20, [], limit=40)
    assert len(long) == 40 and long.endswith("…")


def test_events_and_rules_round_trip_through_json_dicts(dialogue):
    d = dialogue("d14_in_ambiguous_treated_as_yes")
    events = detect_events(d.transcript, d.findings, d.metadata)
    results = run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)
    assert events_from_dicts(events_to_dicts(events)) == events
    assert rules_from_dicts(rules_to_dicts(results)) == results


def test_loaders_reject_what_is_not_theirs():
    with pytest.raises(InputError, match="events list"):
        events_from_dicts([{"type": "REC_DISCLOSURE"}])
    with pytest.raises(InputError, match="unknown rule status"):
        rules_from_dicts([{"rule": "R1", "status": "maybe"}])
