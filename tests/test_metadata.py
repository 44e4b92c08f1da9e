import json

import pytest

from callvault.models import InputError
from callvault.recorder.metadata import parse_metadata, read_metadata


def test_full_sidecar_parses(tmp_path):
    meta = parse_metadata(
        {
            "call_id": "C-1",
            "direction": "Inbound",
            "started_at": "2026-03-03T21:14:00Z",
            "agent_id": "a7",
            "account_id": "4471",
            "customer_states": ["ca", "WA"],
            "channel_roles": {"0": "customer", "1": "agent"},
            "tags": ["billing"],
        },
        tmp_path / "x.json",
    )
    assert meta.direction == "inbound"
    assert meta.customer_states == ("CA", "WA")
    assert meta.channel_roles == {0: "customer", 1: "agent"}


@pytest.mark.parametrize(
    "field, value",
    [
        ("direction", "sideways"),
        ("started_at", "yesterday"),
        ("customer_states", ["XX"]),
        ("channel_roles", {"2": "agent"}),
        ("channel_roles", {"0": "boss"}),
        ("call_id", "bad\nid"),
        ("tags", [1]),
        ("colour", "blue"),
    ],
)
def test_bad_field_is_named(tmp_path, field, value):
    with pytest.raises(InputError) as info:
        parse_metadata({field: value}, tmp_path / "rec.json")
    assert field in str(info.value)
    assert "rec.json" in str(info.value)


def test_sidecar_beside_audio(tmp_path):
    audio = tmp_path / "call.wav"
    audio.write_bytes(b"x")
    assert read_metadata(audio).call_id is None
    (tmp_path / "call.json").write_text(json.dumps({"call_id": "abc"}))
    assert read_metadata(audio).call_id == "abc"
    (tmp_path / "call.json").write_text("{not json")
    with pytest.raises(InputError, match="unreadable metadata"):
        read_metadata(audio)
