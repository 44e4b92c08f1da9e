"""The [redact] policy table: defaults from the domain spec, refusals, warnings."""

import pytest

from callvault.models import ConfigError
from callvault.redact.policy import DEFAULT_POLICY, RedactionPolicy


def test_defaults_redact_everything_and_mask_pan():
    policy = RedactionPolicy.from_table({})
    assert policy == DEFAULT_POLICY
    assert policy.action("PAN") == "mask"
    for entity in ("CVV", "AUTH_SECRET", "CALL_NUMBER", "SERVICE_PLAN", "PERSON"):
        assert policy.action(entity) == "redact"
    assert policy.pci_scrub and policy.audio_mode == "tone" and policy.margin == 0.25
    assert policy.warnings == ()


@pytest.mark.parametrize("entity", ["PAN", "CVV", "AUTH_SECRET", "CARD_EXPIRY"])
def test_keeping_card_data_or_secrets_is_refused(entity):
    with pytest.raises(ConfigError, match="not allowed"):
        RedactionPolicy.from_table({"entities": {entity: "keep"}})


@pytest.mark.parametrize("entity", ["CVV", "AUTH_SECRET"])
def test_masking_cvv_or_secrets_is_refused(entity):
    with pytest.raises(ConfigError, match="last four"):
        RedactionPolicy.from_table({"entities": {entity: "mask"}})


def test_keep_and_scrub_off_are_allowed_with_warnings():
    policy = RedactionPolicy.from_table({"entities": {"service_plan": "keep"}, "pci_scrub": False, "audio": "silence", "margin": 0.5})
    assert policy.action("SERVICE_PLAN") == "keep"
    assert policy.audio_mode == "silence" and policy.margin == 0.5
    assert any("PCI DSS 3.3.1" in w for w in policy.warnings)
    assert any("SERVICE_PLAN" in w for w in policy.warnings)


@pytest.mark.parametrize(
    "table, message",
    [
        ({"entities": {"NOPE": "redact"}}, "unknown entity"),
        ({"entities": {"PAN": "hide"}}, "use one of"),
        ({"audio": "beep"}, "audio must be"),
        ({"margin": -1}, "margin"),
        ({"pci_scrub": "no"}, "true or false"),
        ({"colour": "red"}, "unknown setting"),
    ],
)
def test_bad_settings_say_what_to_fix(table, message):
    with pytest.raises(ConfigError, match=message):
        RedactionPolicy.from_table(table)
