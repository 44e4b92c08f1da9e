"""The ``[breach]`` table: which 64.2011 text is in force, the time zone of the clocks, who files.

::

    [breach]
    rule_text = "2007"            # or "fcc-23-111" once the amendments take effect
    timezone = "America/New_York" # business days are counted in this zone
    carrier_name = "Example Wireless LLC"
    contact_name = "Jane Roe, CPNI compliance officer"
    contact_email = "cpni@example.com"
    contact_phone = "+1 555 0100"
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callvault.models.errors import ConfigError

RULE_2007 = "2007"
RULE_FCC_23_111 = "fcc-23-111"
RULE_TEXTS = (RULE_2007, RULE_FCC_23_111)


@dataclass(frozen=True)
class BreachOptions:
    # CPNI.md section 4: the FCC 23-111 amendments are delayed indefinitely, so the 2007 text rules.
    rule_text: str = RULE_2007
    timezone: str = "America/New_York"
    carrier_name: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def other_text(self) -> str:
        return RULE_FCC_23_111 if self.rule_text == RULE_2007 else RULE_2007

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> "BreachOptions":
        table = dict(table or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(f"[breach]: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        bad = [k for k, v in table.items() if not isinstance(v, str)]
        if bad:
            raise ConfigError(f"[breach]: {', '.join(bad)} must be text in quotes")
        options = cls(**table)
        if options.rule_text not in RULE_TEXTS:
            raise ConfigError(f'[breach]: rule_text = {options.rule_text!r}; use "{RULE_2007}" or "{RULE_FCC_23_111}"')
        try:
            options.zone
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"[breach]: timezone {options.timezone!r} is not an IANA zone name such as America/New_York") from None
        return options
