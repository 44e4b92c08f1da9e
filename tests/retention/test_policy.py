"""The policy file: parsing, first match, keep periods, the 1-year evidence minimum, expiry."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone

import pytest

from callvault.models.errors import RetentionError
from callvault.retention import CallFacts, Keep, default_policy, effective_expiry, expiry_for, load_policy, parse_policy

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)
PLAIN = CallFacts(direction="inbound")
EVIDENCE = CallFacts(direction="inbound", cpni_evidence=True)


def policy(text: str):
    return parse_policy(tomllib.loads(text), "test.toml")


def test_default_policy_loads_and_first_match_wins():
    p = default_policy()
    assert p.rule_for(EVIDENCE, "original").name == "cpni-evidence"
    assert p.rule_for(CallFacts(violations=True, cpni_evidence=True), "original").name == "cpni-evidence"
    assert p.rule_for(CallFacts(violations=True), "redacted_transcript").name == "violations"
    assert p.rule_for(PLAIN, "redacted_transcript").name == "redacted-transcripts"
    assert p.rule_for(PLAIN, "original").name == "default"


def test_conditions_match_on_call_attributes_and_kind():
    p = policy("""
        [[rule]]
        name = "vip-outbound-ca"
        keep = "5 years"
        when = { direction = "outbound", tags = ["vip", "escalated"], customer_states = ["ca"], kind = ["original"] }
        [default]
        keep = "1 year"
    """)
    hit = CallFacts(direction="outbound", tags=("vip",), customer_states=("CA", "NY"))
    assert p.rule_for(hit, "original").name == "vip-outbound-ca"
    assert p.rule_for(hit, "transcript").name == "default"
    assert p.rule_for(CallFacts(direction="inbound", tags=("vip",), customer_states=("CA",)), "original").name == "default"
    assert p.rule_for(CallFacts(direction="outbound", tags=("other",), customer_states=("CA",)), "original").name == "default"
    assert p.rule_for(CallFacts(direction="outbound", tags=("vip",), customer_states=("WA",)), "original").name == "default"


def test_keep_periods():
    assert Keep.parse("90 days", "x").until(T0) == T0 + timedelta(days=90)
    assert Keep.parse("1 Day", "x").until(T0) == T0 + timedelta(days=1)
    assert Keep.parse("2 years", "x").until(T0) == T0.replace(year=2027)
    assert Keep.parse("forever", "x").until(T0) is None
    leap = datetime(2024, 2, 29, tzinfo=timezone.utc)
    assert Keep.parse("1 year", "x").until(leap) == datetime(2025, 3, 1, tzinfo=timezone.utc)
    for bad in ("0 days", "ten days", "3 weeks", 30, ""):
        with pytest.raises(RetentionError, match="keep must be"):
            Keep.parse(bad, "rule 'x'")


def test_default_rule_is_required():
    with pytest.raises(RetentionError, match=r"\[default\] rule is required"):
        policy('[[rule]]\nname = "a"\nkeep = "2 years"\n')
    with pytest.raises(RetentionError, match="move its conditions"):
        policy('[default]\nkeep = "2 years"\nwhen = { direction = "inbound" }\n')


@pytest.mark.parametrize(
    "text, named",
    [
        # A short rule that can catch evidence calls: refused, naming it.
        ('[[rule]]\nname = "quick-purge"\nkeep = "90 days"\n[default]\nkeep = "2 years"\n', "rule 'quick-purge'"),
        # The default is a rule too.
        ('[default]\nkeep = "30 days"\n', r"\[default\]"),
        # 365 days can fall a day short of a year that spans 29 February.
        ('[default]\nkeep = "365 days"\n', r"\[default\]"),
        # The evidence rule above covers inbound calls only; outbound evidence would reach the short one.
        ('[[rule]]\nname = "evidence-in"\nkeep = "1 year"\nwhen = { cpni_evidence = true, direction = "inbound" }\n'
         '[[rule]]\nname = "short-audio"\nkeep = "30 days"\nwhen = { kind = "redacted_audio" }\n'
         '[default]\nkeep = "1 year"\n', "rule 'short-audio'"),
    ],
)
def test_minimum_for_cpni_evidence_refused_naming_the_rule(text, named):
    with pytest.raises(RetentionError, match=named) as caught:
        policy(text)
    assert "64.2007(a)(3)" in str(caught.value) and "64.2008(a)(2)" in str(caught.value)
    assert "test.toml" in str(caught.value)


def test_short_rules_that_cannot_reach_evidence_are_accepted():
    p = policy("""
        [[rule]]
        name = "evidence"
        keep = "1 year"
        when = { cpni_evidence = true }
        [[rule]]
        name = "no-evidence-audio"
        keep = "30 days"
        when = { kind = "redacted_audio", cpni_evidence = false }
        [default]
        keep = "366 days"
    """)
    assert p.rule_for(EVIDENCE, "redacted_audio").name == "evidence"
    assert p.rule_for(PLAIN, "redacted_audio").name == "no-evidence-audio"
    assert expiry_for(p, EVIDENCE, "redacted_audio", T0) == T0.replace(year=2026)


@pytest.mark.parametrize(
    "text, message",
    [
        ('[default]\nkeep = "1 year"\nbogus = 1\n', "unknown key"),
        ('[[rule]]\nkeep = "2 years"\n[default]\nkeep = "1 year"\n', "needs a name"),
        ('[[rule]]\nname = "a"\nkeep = "2 years"\nwhen = { colour = "red" }\n[default]\nkeep = "1 year"\n', "unknown condition"),
        ('[[rule]]\nname = "a"\nkeep = "2 years"\nwhen = { kind = "video" }\n[default]\nkeep = "1 year"\n', "kind video unknown"),
        ('[[rule]]\nname = "a"\nkeep = "2 years"\nwhen = { violations = "yes" }\n[default]\nkeep = "1 year"\n', "true or false"),
        ('[[rule]]\nname = "a"\nkeep = "2 years"\n[[rule]]\nname = "a"\nkeep = "3 years"\n[default]\nkeep = "1 year"\n', "unique"),
        ('version = 2\n[default]\nkeep = "1 year"\n', "version"),
    ],
)
def test_malformed_policies_say_what_to_fix(text, message):
    with pytest.raises(RetentionError, match=message):
        policy(text)


def test_load_policy_from_file(tmp_path):
    path = tmp_path / "retention.toml"
    path.write_text('[default]\nkeep = "forever"\n')
    assert load_policy(path).rule_for(PLAIN, "original").keep.forever
    path.write_text("[default\n")
    with pytest.raises(RetentionError, match="not a valid TOML"):
        load_policy(path)
    with pytest.raises(RetentionError, match="not found"):
        load_policy(tmp_path / "missing.toml")


def test_expiry_for_is_from_storage_time_by_the_matching_rule():
    p = default_policy()
    assert expiry_for(p, EVIDENCE, "original", T0) == T0.replace(year=2027)
    assert expiry_for(p, PLAIN, "original", T0) == T0 + timedelta(days=180)
    assert expiry_for(parse_policy({"default": {"keep": "forever"}}), PLAIN, "original", T0) is None
    with pytest.raises(RetentionError, match="timezone-aware"):
        expiry_for(p, PLAIN, "original", datetime(2025, 3, 4))


def test_recorded_expiry_is_a_floor_that_a_longer_policy_extends():
    short = policy('[default]\nkeep = "2 years"\n')
    long = policy('[default]\nkeep = "5 years"\n')
    stored, recorded = "2025-03-04T09:00:00Z", "2027-03-04T09:00:00Z"
    assert effective_expiry(long, PLAIN, "original", stored, recorded)[1] == T0.replace(year=2030)
    one_year = policy('[default]\nkeep = "1 year"\n')
    assert effective_expiry(one_year, PLAIN, "original", stored, recorded)[1] == T0.replace(year=2027)
    assert effective_expiry(short, PLAIN, "original", stored, None)[1] is None  # recorded "forever" stays
    assert effective_expiry(short, PLAIN, "original", stored, "not a date")[1] is None


def test_fingerprint_follows_the_rules_not_the_layout():
    a = policy('# comment\n[default]\nkeep = "2 years"\n')
    b = policy('[default]\n  keep = "2 years"   # same rule\n')
    c = policy('[default]\nkeep = "3 years"\n')
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()
