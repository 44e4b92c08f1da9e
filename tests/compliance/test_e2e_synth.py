"""End to end on real speech: a scripted stereo call synthesised with espeak-ng goes through
`callvault process` (faster-whisper tiny.en, the real detector, events, rules, vault,
catalog) and `callvault consent`, and yields the scripted events at the scripted times
(+/- 1 s) and the scripted rule failures.
"""

from __future__ import annotations

import json
import shutil
import pytest
from click.testing import CliRunner

from callvault.cli import cli
from callvault.compliance import events_from_dicts, rules_from_dicts

pytestmark = pytest.mark.slow

# (role, start, text, event expected to start there or None)
SCRIPT = (
    ("agent", 0.5, "Thank you for calling Acme Wireless.", None),
    ("agent", 4.0, "This call may be recorded for quality and training.", "REC_DISCLOSURE"),
    ("customer", 9.0, "Hi. I have a question about a call on my account.", None),
    # "your account passcode" in espeak's voice reads as "your account has code" to tiny.en on
    # this machine's packages (2026-12-02); the passcode named last is what the test is about
    ("agent", 14.0, "Before we discuss call details, what is the passcode on your account?", "AUTH_CHALLENGE"),
    ("customer", 19.5, "I don't remember it.", "AUTH_FAIL"),
    ("agent", 23.0, "The call was on March third to five five five, one two three four, for forty two minutes.", None),
    ("agent", 31.0, "You have a right and we have a duty to protect your account information. May I use it for this call only to suggest better plans? You can say no.", "CPNI_NOTICE"),
    ("customer", 44.0, "I guess.", "APPROVAL_AMBIGUOUS"),
    ("agent", 47.0, "Great. You are on the unlimited plan and use about twelve gigabytes, so I recommend an upgrade.", None),
    ("customer", 55.0, "I do not want to be recorded.", "RECORDING_OBJECTION"),
    ("agent", 59.0, "Sorry, all calls are recorded.", "REC_DISCLOSURE"),
    ("customer", 76.0, "Okay. Goodbye.", None),
)
SCRIPTED_FAILURES = {"R1", "R3", "R4", "R6", "R8", "R13"}  # detail with no auth and after a failed one; plan pitched on "I guess"; recording went on


@pytest.fixture(scope="module")
def processed_call(tmp_path_factory):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    from callvault.synth import Line, synthesise_call

    root = tmp_path_factory.mktemp("e2e")
    inbox, data = root / "inbox", root / "data"
    placed = synthesise_call([Line(role, start, text) for role, start, text, _ in SCRIPT], inbox / "scripted-call.wav")
    metadata = {"call_id": "e2e-scripted", "direction": "inbound", "customer_states": ["CA"], "started_at": "2025-06-01T10:00:00+00:00"}
    (inbox / "scripted-call.json").write_text(json.dumps(metadata))
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "process", "-q", str(inbox)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (folder,) = list((data / "calls").iterdir())
    return data, folder, placed


def test_scripted_events_at_scripted_times_and_scripted_failures(processed_call):
    _, folder, placed = processed_call
    events = events_from_dicts(json.loads((folder / "events.json").read_text()))
    text = (folder / "transcript.txt").read_text()
    for (role, start, _text, expected), line in zip(SCRIPT, placed):
        if expected:
            near = [e for e in events if e.type == expected and abs(e.start - line.start) <= 1.0]
            assert near, f"{expected} at {line.start:.1f}s not found; got {[(e.type, e.start) for e in events]}\n{text}"
    assert not [e for e in events if e.type in ("APPROVAL_GRANTED", "MARKETING_OPT_IN")]
    results = rules_from_dicts(json.loads((folder / "rules.json").read_text()))
    failed = {r.rule for r in results if r.status == "fail"}
    assert SCRIPTED_FAILURES <= failed, (failed, [(r.rule, r.reason) for r in results])
    assert json.loads((folder / "transcript.json").read_text())["verdict"] == "violations"


def test_callvault_consent_shows_the_processed_call(processed_call, tmp_path):
    data, _, _ = processed_call
    clips = tmp_path / "clips"
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "consent", "e2e-scripted", "--format", "json", "--clips", str(clips)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["verdict"] == "violations"
    assert {"R1", "R4", "R8", "R13"} <= {r["rule"] for r in doc["rules"] if r["status"] == "fail"}
    assert len(list(clips.glob("*.wav"))) == len(doc["events"]) > 0
