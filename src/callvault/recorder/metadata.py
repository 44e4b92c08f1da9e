"""Sidecar metadata: ``NAME.json`` beside ``NAME.wav``, validated field by field."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from callvault.models.errors import InputError
from callvault.models.recording import DIRECTIONS, ROLES, CallMetadata

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)
_FIELDS = ("call_id", "direction", "started_at", "agent_id", "account_id", "customer_states", "channel_roles", "tags", "carrier", "callback", "customer_number", "campaign_id")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def sidecar_path(audio_path: Path) -> Path:
    return audio_path.with_suffix(".json")


def _text(path: Path, name: str, value: Any, limit: int = 200) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise InputError(path, f"metadata field '{name}' must be a string")
    text = str(value)
    if not text.strip() or len(text) > limit or _CONTROL.search(text):
        raise InputError(path, f"metadata field '{name}' must be 1-{limit} printable characters")
    return text


def parse_metadata(raw: Mapping[str, Any], path: Path) -> CallMetadata:
    """Validate a sidecar document; every error names the field and the file."""
    if not isinstance(raw, Mapping):
        raise InputError(path, "metadata must be a JSON object")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise InputError(path, f"unknown metadata field(s) {', '.join(unknown)}; allowed: {', '.join(_FIELDS)}")
    direction = _text(path, "direction", raw.get("direction"))
    if direction is not None and direction.lower() not in DIRECTIONS:
        raise InputError(path, "metadata field 'direction' must be 'inbound' or 'outbound'")
    started_at = _text(path, "started_at", raw.get("started_at"))
    if started_at is not None:
        try:
            datetime.fromisoformat(started_at.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(path, "metadata field 'started_at' must be an ISO 8601 date-time, e.g. 2026-03-03T21:14:00Z") from None
    states = raw.get("customer_states") or []
    if isinstance(states, str):
        states = [states]
    if not isinstance(states, list) or not all(isinstance(s, str) and s.upper() in US_STATES for s in states):
        raise InputError(path, "metadata field 'customer_states' must be a list of US state codes such as [\"CA\", \"WA\"]")
    roles_raw = raw.get("channel_roles") or {}
    if not isinstance(roles_raw, Mapping):
        raise InputError(path, "metadata field 'channel_roles' must be an object like {\"0\": \"agent\", \"1\": \"customer\"}")
    roles: dict[int, str] = {}
    for key, role in roles_raw.items():
        if not str(key).isdigit() or int(key) > 1 or role not in ROLES:
            raise InputError(path, f"metadata field 'channel_roles' must map channel 0 or 1 to one of {', '.join(ROLES)}")
        roles[int(key)] = role
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t and not _CONTROL.search(t) for t in tags):
        raise InputError(path, "metadata field 'tags' must be a list of strings")
    flags = {}
    for name in ("carrier", "callback"):
        value = raw.get(name)
        if value is not None and not isinstance(value, bool):
            raise InputError(path, f"metadata field '{name}' must be true or false (or left out)")
        flags[name] = value
    number = _text(path, "customer_number", raw.get("customer_number"), limit=32)
    if number is not None and not re.fullmatch(r"[+0-9() .-]{7,32}", number):
        raise InputError(path, "metadata field 'customer_number' must be a phone number such as +1 555 123 4567")
    return CallMetadata(
        carrier=flags["carrier"],
        callback=flags["callback"],
        customer_number=number,
        campaign_id=_text(path, "campaign_id", raw.get("campaign_id")),
        call_id=_text(path, "call_id", raw.get("call_id")),
        direction=direction.lower() if direction else None,
        started_at=started_at,
        agent_id=_text(path, "agent_id", raw.get("agent_id")),
        account_id=_text(path, "account_id", raw.get("account_id")),
        customer_states=tuple(s.upper() for s in states),
        channel_roles=roles,
        tags=tuple(tags),
    )


def read_metadata(audio_path: Path) -> CallMetadata:
    """The recording's sidecar metadata, or empty metadata when there is none."""
    path = sidecar_path(audio_path)
    if not path.exists():
        return CallMetadata()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"unreadable metadata JSON ({exc}); fix or remove the sidecar file") from None
    return parse_metadata(raw, path)
