"""Settings of the compliance stage, parsed from the config's ``[compliance]`` table."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

from callvault.models.errors import ConfigError

# §5 of docs/CPNI.md: all-party (or stricter) states. OR is all-party only in
# person, so a phone call with an Oregon party is one-party; add it in config
# if your counsel reads it otherwise.
ALL_PARTY_STATES = ("CA", "CT", "DE", "FL", "IL", "MD", "MA", "MI", "MT", "NV", "NH", "PA", "WA")

# Rules whose legal basis the spec tags [U] (unverified): they warn, not fail,
# until someone confirms the text. R7 rests on 64.2008(f), R10 on 64.2010(f),
# R17 on FRCP 37(e); see "Confirm before making these hard failures".
WARN_RULES = ("R7", "R10", "R17")


@dataclass(frozen=True)
class ComplianceOptions:
    disclosure_deadline_s: float = 30.0  # R12: policy, not law
    all_party_states: tuple[str, ...] = ALL_PARTY_STATES
    # Unknown party states: the strictest reading applies (Kearney).
    assume_all_party_when_unknown: bool = True
    # Where the agents sit: they are parties too, so their state counts.
    agent_states: tuple[str, ...] = ()
    # Require a disclosure even when every party is in a one-party state.
    require_disclosure_everywhere: bool = False
    warn_rules: tuple[str, ...] = WARN_RULES
    # R12: a customer turn longer than this before the disclosure is substantive speech.
    substantive_words: int = 6
    # R13: speech this long after an objection means the recording went on.
    objection_grace_s: float = 15.0
    # How many turns after a question its answer may come.
    answer_window_turns: int = 3
    # Telecom carrier call (CPNI rules apply)? "auto": the sidecar's carrier field, else the speech decides.
    carrier: bool | str = "auto"
    # A learned second opinion (sentence embeddings) beside the cue grammar.
    event_model: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> "ComplianceOptions":
        """Build from the ``[compliance]`` TOML table; unknown keys and bad values are errors."""
        table = dict(table or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ConfigError(f"[compliance]: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values: dict[str, Any] = {}
        for name, value in table.items():
            default = getattr(cls, name)
            try:
                if name == "carrier":
                    if not (isinstance(value, bool) or value == "auto"):
                        raise TypeError
                    values[name] = value
                elif isinstance(default, tuple):
                    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                        raise TypeError
                    values[name] = tuple(v.strip().upper() for v in value)
                elif isinstance(default, bool):
                    if not isinstance(value, bool):
                        raise TypeError
                    values[name] = value
                elif isinstance(default, int):
                    if isinstance(value, bool) or int(value) != value or value < 0:
                        raise TypeError
                    values[name] = int(value)
                else:
                    if isinstance(value, bool) or float(value) < 0:
                        raise TypeError
                    values[name] = float(value)
            except (TypeError, ValueError):
                kind = 'true, false or "auto"' if name == "carrier" else f"valid {type(default).__name__}"
                raise ConfigError(f"[compliance]: {name} = {value!r} is not a {kind}; fix it in the config file") from None
        bad = [r for r in values.get("warn_rules", ()) if not (r.startswith("R") and r[1:].isdigit())]
        if bad:
            raise ConfigError(f"[compliance]: warn_rules has {', '.join(bad)}; use rule ids like \"R7\"")
        return cls(**values)
