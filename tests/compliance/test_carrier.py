"""Carrier calls only: the decision, its overrides, and what it does to findings and rules."""

from __future__ import annotations

import pytest

from callvault.analysis import analyse_call
from callvault.compliance import ComplianceOptions
from callvault.compliance.carrier import decide_carrier, detect_carrier
from callvault.labelled import transcript_from_turns
from callvault.models.errors import ConfigError
from callvault.models.findings import Explanation, Finding
from callvault.models.recording import CallMetadata
from callvault.redact import RedactionPolicy

# Paraphrases written for these tests.
TELECOM = [
    "I was roaming in Lisbon last week and the data charges look huge on my bill.",
    "Can you add a second line to my family plan and move the SIM over?",
    "My wireless service keeps dropping calls near the tower by my office.",
    "how many gigs have i used this month on the unlimited plan",
]
OTHER = [
    "I'm calling about the warranty on my truck, the dealership said the brake job is covered.",
    "I need a refill on my prescription, the pharmacist said the dosage changed.",
    "I want to file a claim on my homeowner's insurance policy, the deductible is five hundred.",
    "I'd like to book a king room at the hotel for two nights, what's the nightly rate?",
    "My debit card was declined at the ATM, can you check my checking account at the branch?",
    "the electric bill says my meter reading doubled and there's a disconnect notice",
]


@pytest.mark.parametrize("text", TELECOM)
def test_telecom_service_talk_is_a_carrier_call(text):
    decision = detect_carrier(text)
    assert decision.carrier and "telecom terms" in decision.reason


@pytest.mark.parametrize("text", OTHER)
def test_other_industries_are_not_carrier_calls_and_say_why(text):
    decision = detect_carrier(text + " " + text)
    assert not decision.carrier and "other industries" in decision.reason


def test_no_service_vocabulary_is_the_strict_reading():
    assert detect_carrier("hello can you hear me okay thanks bye").carrier


def test_config_beats_sidecar_beats_speech():
    t = transcript_from_turns([{"role": "customer", "text": OTHER[1] + " " + OTHER[1]}])
    assert not decide_carrier(t, CallMetadata()).carrier
    assert decide_carrier(t, CallMetadata(carrier=True)).source == "sidecar"
    forced = decide_carrier(t, CallMetadata(carrier=True), setting=False)
    assert (forced.carrier, forced.source) == (False, "config")


def test_carrier_setting_parses_auto_true_false_only():
    assert ComplianceOptions.from_table({"carrier": False}).carrier is False
    assert ComplianceOptions.from_table({"carrier": "auto"}).carrier == "auto"
    with pytest.raises(ConfigError, match="carrier"):
        ComplianceOptions.from_table({"carrier": "yes"})


class _Fixed:
    def __init__(self, findings):
        self.findings = findings

    def detect(self, transcript):
        return self.findings


def test_a_non_carrier_call_keeps_card_findings_drops_cpni_and_cpni_rules():
    turns = [
        {"role": "agent", "text": "Thanks for calling the service department, this call is recorded."},
        {"role": "customer", "text": "Hi, the repair order for my truck, the brake job and tires, what's the total?"},
        {"role": "agent", "text": "The total is $412 and the warranty covers the rest of the vehicle inspection."},
        {"role": "customer", "text": "Okay, card is 4111 1111 1111 1111."},
    ]
    t = transcript_from_turns(turns)
    text = t.text
    def finding(entity, needle, role):
        start = text.index(needle)
        return Finding("CPNI" if entity == "BILL_AMOUNT" else "PCI", entity, start, start + len(needle), 0.0, 0.0, "S0", role, 1.0, Explanation("test"))
    findings = [finding("BILL_AMOUNT", "$412", "agent"), finding("PAN", "4111 1111 1111 1111", "customer")]
    analysis = analyse_call(t, CallMetadata(direction="inbound", customer_states=("CA",)), _Fixed(findings), RedactionPolicy(), ComplianceOptions())
    assert [f.entity for f in analysis.findings] == ["PAN"]
    rules = {r.rule: r for r in analysis.rules}
    for rule in ("R1", "R3", "R6"):
        assert rules[rule].status == "not_applicable" and "not a telecom carrier" in rules[rule].reason
    assert rules["R12"].status == "pass" and rules["R15"].status == "pass"
    assert not analysis.carrier.carrier


def test_sidecar_carrier_and_callback_fields_are_validated(tmp_path):
    from callvault.models.errors import InputError
    from callvault.recorder.metadata import parse_metadata

    meta = parse_metadata({"carrier": False, "callback": True, "customer_number": "+1 404 555 0172", "campaign_id": "q2"}, tmp_path / "c.json")
    assert (meta.carrier, meta.callback, meta.customer_number, meta.campaign_id) == (False, True, "+1 404 555 0172", "q2")
    for field, value in (("carrier", "no"), ("callback", 1), ("customer_number", "call me")):
        with pytest.raises(InputError, match=field):
            parse_metadata({field: value}, tmp_path / "c.json")
