"""The independently written dialogues in ../shared/data stay above the figures reached (bench/consent.py).

Scored with the gold entity spans and the cue grammar alone (no model load),
so it is fast; bench/consent.py adds the model and the real detector.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dialogues"

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared dialogues not present at {SHARED}")


@pytest.fixture(scope="module")
def tally():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_consent", Path(__file__).resolve().parents[2] / "bench" / "consent.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    from callvault.compliance.labelled import load_dialogues

    return bench.score(load_dialogues(SHARED))


def test_events_precision_and_recall(tally):
    assert tally.events.precision() >= 0.98
    assert tally.events.recall() >= 0.97
    for kind in ("REC_DISCLOSURE", "RECORDING_OBJECTION", "AUTH_CHALLENGE", "AUTH_SUCCESS", "AUTH_FAIL", "CPNI_NOTICE", "APPROVAL_GRANTED", "APPROVAL_DENIED", "ALT_DELIVERY_OFFER", "ACCOUNT_CHANGE"):
        assert tally.events.precision(kind) >= 0.9 and tally.events.recall(kind) >= 0.9, kind


def test_rule_outcomes_agree_with_the_labels(tally):
    assert tally.agreement() >= 0.97


def test_non_carrier_calls_have_no_cpni_and_an_ambiguous_answer_is_never_a_grant(tally):
    assert tally.non_carrier_calls >= 1
    assert (tally.non_carrier_cpni_findings, tally.non_carrier_cpni_failures) == (0, 0)
    assert tally.ambiguous_granted == 0
