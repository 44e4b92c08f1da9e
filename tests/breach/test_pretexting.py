"""R16 (likely pretexting) on the project's own pretexting dialogues and on the grammar itself."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from callvault.compliance import run_rules
from callvault.compliance.labelled import dialogue_from_dict
from callvault.compliance.pretexting import identity_signals
from callvault.models import ConsentEvent


def _by_rule(results):
    return {r.rule: r for r in results}


def test_r16_agrees_with_every_label(dialogues, kit):
    assert len(dialogues) >= 5
    for d in dialogues:
        _, results = kit.analyse(d)
        got = _by_rule(results)
        assert {rule: got[rule].status for rule in d.rules} == dict(d.rules), d.name


def test_a_refusal_with_mail_to_the_address_of_record_is_no_incident(kit):
    d = kit.load_dialogue(kit.DIALOGUES / "p01_daughter_refused_offers_mail.json")
    events, results = kit.analyse(d)
    assert "ALT_DELIVERY_OFFER" in {e.type for e in events}
    r16 = _by_rule(results)["R16"]
    assert r16.status == "pass" and "without authentication" in r16.reason
    # The caller *is* a third party: the grammar sees it, the gate (nothing disclosed) decides.
    assert {"third_party", "not_holder"} <= {s.kind for s in identity_signals_of(d, events)}


def identity_signals_of(d, events):
    from callvault.compliance.rules import Call
    from callvault.compliance.options import ComplianceOptions
    from callvault.compliance.context import RuleContext

    call = Call(d.transcript, tuple(events), d.findings, d.metadata, ComplianceOptions(), RuleContext(),
                d.transcript.text, tuple(d.transcript.turn_offsets()))
    return identity_signals(call)


def test_reading_the_records_to_a_third_party_fails_with_redacted_evidence(kit):
    d = kit.load_dialogue(kit.DIALOGUES / "p02_brother_override_reads_detail.json")
    _, results = kit.analyse(d)
    r16 = _by_rule(results)["R16"]
    assert r16.status == "fail" and "breach candidate" in r16.reason and r16.citation.startswith("47 CFR 64.2011")
    notes = [e.note for e in r16.evidence]
    assert any(n.startswith("identity signal") for n in notes)
    assert any(n in ("CALL_NUMBER", "CALL_TIME", "CALL_DURATION") for n in notes)  # the disclosure itself
    for e in r16.evidence:  # quotes are redacted: no number survives
        assert not re.search(r"\d{3}.?\d{4}", e.quote), e.quote


def test_the_holder_asking_about_her_own_call_is_not_pretexting(kit):
    d = kit.load_dialogue(kit.DIALOGUES / "p04_holder_own_call_before_auth.json")
    _, results = kit.analyse(d)
    got = _by_rule(results)
    assert got["R1"].status == "fail" and got["R16"].status == "pass"


def _one_customer_turn(text: str, style_lower: bool = False):
    doc = {"metadata": {"direction": "inbound"}, "turns": [
        {"role": "agent", "text": "thanks for calling how can i help"},
        {"role": "customer", "text": text.lower() if style_lower else text},
    ]}
    d = dialogue_from_dict(doc, "grammar")
    return {s.kind for s in identity_signals_of(d, [])}


# Written for this test (none is from the shared dialogues): the same grammar, other words.
@pytest.mark.parametrize("text, kind", [
    ("I'm her stepfather and I pay for the plan.", "third_party"),
    ("im their nephew i sort out the bills", "third_party"),
    ("I'm calling about my roommate's phone.", "third_party"),
    ("My grandpa's line keeps getting odd calls.", "third_party"),
    ("I'm the personal secretary to the owner.", "third_party"),
    ("I'm phoning on behalf of my employer.", "third_party"),
    ("I am not the primary on the account.", "not_holder"),
    ("The line is in my father's name.", "not_holder"),
    ("Honestly it isn't my account.", "not_holder"),
    ("This is detective Moreno from the county sheriff.", "organisation"),
    ("I'm with the claims unit of an insurer.", "organisation"),
    ("She's deployed right now so she can't call.", "holder_absent"),
    ("The subscriber is not available today.", "holder_absent"),
    ("I want to know who she's been texting.", "records_request"),
    ("Can I get a printout of his phone records?", "records_request"),
    ("My late husband's account still has charges on it.", "third_party"),
    ("My sister asked me to sort out a problem with her plan.", "third_party"),
    ("My dad is the account holder but he can't hear well.", "third_party"),
    ("I work for him, I book all his travel.", "third_party"),
    ("I hold power of attorney over her affairs.", "third_party"),
    ("He doesn't know I'm calling, so keep it quiet.", "third_party"),
    ("The account belongs to my uncle.", "not_holder"),
    ("I'm calling from the county sheriff's office.", "organisation"),
])
def test_the_grammar_generalises(text, kind):
    assert kind in _one_customer_turn(text)
    assert kind in _one_customer_turn(text.replace("'", ""), style_lower=True)  # as a small recogniser writes it


@pytest.mark.parametrize("text", [
    "I'd like to check my own bill please.",
    "My phone has been dropping calls all week.",
    "I'm the account holder and I forgot my passcode.",
    "We are moving house next month.",
    "My wife and I want to add a line for our son.",
    "I work from home so I need better coverage.",
    "I got a text from a number I don't recognise.",
    "It's about a call from my bank last week.",
    "I got a letter from your billing department.",
])
def test_a_holder_speaking_for_themself_gives_no_strong_signal(text):
    from callvault.compliance.pretexting import STRONG

    assert not _one_customer_turn(text) & STRONG


@pytest.mark.parametrize("text", [
    "Between you and me, I'll read them off.",
    "I'll go ahead and look at them anyway.",
    "Don't tell anyone I did this.",
])
def test_the_agent_going_ahead_is_an_override(text):
    doc = {"metadata": {"direction": "inbound"}, "turns": [{"role": "customer", "text": "hello"}, {"role": "agent", "text": text}]}
    assert "override" in {s.kind for s in identity_signals_of(dialogue_from_dict(doc, "agent"), [])}


def test_several_failed_attempts_count_even_without_third_party_words(kit):
    d = kit.load_dialogue(kit.DIALOGUES / "p05_repeated_failures_then_detail.json")
    events, _ = kit.analyse(d)
    first = next(e for e in events if e.type == "AUTH_FAIL")
    turn = d.transcript.turns[7]
    second = replace(first, start=turn.start, end=turn.end, turn_indexes=(6, 7))
    kinds = {s.kind for s in identity_signals_of(d, [*events, second])}
    assert {"repeated_failures", "failed_then_disclosed"} <= kinds
    r16 = _by_rule(run_rules(d.transcript, [*events, second], d.findings, d.metadata))["R16"]
    assert r16.status == "fail" and "repeated failures" in r16.reason


def test_an_agent_accepting_a_non_password_after_a_failure_is_an_override(kit):
    d = kit.load_dialogue(kit.DIALOGUES / "p05_repeated_failures_then_detail.json")
    events, _ = kit.analyse(d)
    turn = d.transcript.turns[8]
    weak = ConsentEvent("AUTH_SUCCESS", turn.speaker, "agent", turn.start, turn.end, "", (8,), 0.6, details=("via:noncompliant",))
    assert "override" in {s.kind for s in identity_signals_of(d, [*events, weak])}


def test_outbound_calls_are_not_applicable(kit):
    d = kit.load_dialogue(kit.DIALOGUES / "p02_brother_override_reads_detail.json")
    outbound = replace(d, dialogue=replace(d.dialogue, metadata=replace(d.metadata, direction="outbound")))
    _, results = kit.analyse(outbound)
    assert _by_rule(results)["R16"].status == "not_applicable"
