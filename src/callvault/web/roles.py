"""Who may do what. Checked on the server for every request; a page a role may not see answers 403."""

from __future__ import annotations


# What each role can reach. Auditors search and listen to redacted calls;
# officers also see consent evidence and rule results, sign off, override,
# hold, restore and read the access log; admins manage accounts only.
PERMISSIONS: dict[str, frozenset[str]] = {
    "calls": frozenset({"auditor", "officer"}),  # call list, search, redacted transcript, audio, findings
    "evidence": frozenset({"officer"}),  # consent, rules, retention, reviews, overrides, holds, restore, reports, access log
    "users": frozenset({"admin"}),
}

HOME = {"auditor": "/calls", "officer": "/calls", "admin": "/users"}


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]
