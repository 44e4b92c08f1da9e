from collections import Counter
from dataclasses import replace

import pytest

from callvault.compliance import (
    ComplianceOptions,
    RedactionFacts,
    RuleContext,
    detect_events,
    run_rules,
    verdict,
)
from callvault.compliance.evaluate import rule_agreement
from callvault.compliance.labelled import dialogue_from_dict
from callvault.models.compliance import RuleResult
from callvault.models.errors import ConfigError
from callvault.models.timespan import TimeSpan


def _results(d, options=None, context=None):
    events = detect_events(d.transcript, d.findings, d.metadata, options)
    return {r.rule: r for r in run_rules(d.transcript, events, d.findings, d.metadata, options, context if context is not None else d.context)}


def test_rule_outcomes_agree_with_the_labels(dialogues):
    agree, total = Counter(), Counter()
    for d in dialogues:
        events = detect_events(d.transcript, d.findings, d.metadata)
        results = run_rules(d.transcript, events, d.findings, d.metadata, context=d.context)
        for rule, ok in rule_agreement(results, d.rules).items():
            total[rule] += 1
            agree[rule] += ok
    assert set(total) == {f"R{i}" for i in (*range(1, 16), 17)}
    for rule in total:
        assert agree[rule] / total[rule] >= 0.9, rule


def test_every_rule_runs_with_title_citation_and_a_reason(dialogue):
    results = _results(dialogue("d01_in_ivr_auth_ok_detail"))
    assert list(results) == [f"R{i}" for i in range(1, 18)]
    for r in results.values():
        assert r.status in ("pass", "fail", "warn", "not_applicable") and r.title and r.citation and r.reason


def test_failures_carry_redacted_evidence_with_times(dialogue):
    d = dialogue("d02_in_detail_before_auth")
    r1 = _results(d)["R1"]
    assert r1.status == "fail" and len(r1.evidence) == 3
    raw = [d.transcript.text[f.char_start : f.char_end] for f in d.findings]
    for e in r1.evidence:
        assert e.end > e.start > 0
        assert not any(v in e.quote for v in raw)
        assert "[CALL_" in e.quote


def test_inputs_that_are_absent_make_a_rule_not_applicable_with_the_reason(dialogue):
    d = dialogue("d35_in_card_payment_scrubbed")
    results = _results(d, context=RuleContext())
    for rule in ("R5", "R9", "R11", "R14", "R15", "R17"):
        assert results[rule].status == "not_applicable" and results[rule].reason, rule
    unknown = replace(d, dialogue=replace(d.dialogue, metadata=replace(d.metadata, direction=None)))
    assert "direction unknown" in _results(unknown)["R1"].reason


def test_r14_fails_when_a_cvv_span_is_only_partly_silenced(dialogue):
    d = dialogue("d35_in_card_payment_scrubbed")
    cvv = next(f for f in d.findings if f.entity == "CVV")
    half = RedactionFacts(audio_spans=(TimeSpan(cvv.start, (cvv.start + cvv.end) / 2),), text_spans=((cvv.char_start, cvv.char_end),))
    r14 = _results(d, context=RuleContext(redaction=half))["R14"]
    assert r14.status == "fail" and "audible" in r14.evidence[0].note


def _timed_call(disclosure_at: float, states=("CA",)):
    return dialogue_from_dict(
        {
            "metadata": {"direction": "inbound", "customer_states": list(states)},
            "turns": [
                {"role": "agent", "text": "hello acme", "start": 0.0},
                {"role": "customer", "text": "hi", "start": 2.0},
                {"role": "agent", "text": "this call may be recorded", "start": disclosure_at},
            ],
        }
    )


def test_r12_deadline_is_configurable():
    late = _timed_call(35.0)
    assert _results(late)["R12"].status == "fail"
    assert _results(late, ComplianceOptions(disclosure_deadline_s=40))["R12"].status == "pass"


def test_r12_applies_the_strictest_party_state():
    late = _timed_call(35.0, states=("TX",))
    assert _results(late)["R12"].status == "not_applicable"
    assert _results(late, ComplianceOptions(agent_states=("CA",)))["R12"].status == "fail"
    assert _results(late, ComplianceOptions(all_party_states=("TX",)))["R12"].status == "fail"
    assert _results(_timed_call(35.0, states=()))["R12"].status == "fail"  # unknown: strictest assumed
    relaxed = ComplianceOptions(assume_all_party_when_unknown=False)
    assert _results(_timed_call(35.0, states=()), relaxed)["R12"].status == "not_applicable"


def test_unverified_rules_warn_unless_configured_to_fail(dialogue):
    d = dialogue("d16_in_partial_notice")
    assert _results(d)["R7"].status == "warn"
    assert _results(d, ComplianceOptions(warn_rules=()))["R7"].status == "fail"


def test_verdict():
    ok, warn, fail = RuleResult("R1", "pass"), RuleResult("R7", "warn"), RuleResult("R2", "fail")
    assert verdict([ok, RuleResult("R5", "not_applicable")]) == "compliant"
    assert verdict([ok, warn]) == "needs_review"
    assert verdict([ok, warn, fail]) == "violations"
    assert verdict([]) == "needs_review"


def test_options_from_the_config_table():
    options = ComplianceOptions.from_table({"disclosure_deadline_s": 20, "all_party_states": ["ca", "wa"], "warn_rules": ["R7"]})
    assert options.disclosure_deadline_s == 20.0 and options.all_party_states == ("CA", "WA") and options.warn_rules == ("R7",)
    assert ComplianceOptions.from_table({}) == ComplianceOptions()
    with pytest.raises(ConfigError, match="unknown setting"):
        ComplianceOptions.from_table({"deadline": 3})
    with pytest.raises(ConfigError, match="disclosure_deadline_s"):
        ComplianceOptions.from_table({"disclosure_deadline_s": "soon"})
    with pytest.raises(ConfigError, match="warn_rules"):
        ComplianceOptions.from_table({"warn_rules": ["seven"]})
