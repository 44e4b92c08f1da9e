"""The retention policy (``retention.toml``): ordered rules, first match wins, a required default.

::

    version = 1

    [[rule]]
    name = "cpni-evidence"          # named in plans, audit entries and errors
    keep = "2 years"                # "N days", "N years" or "forever"
    when = { cpni_evidence = true } # every condition given must hold

    [default]
    keep = "180 days"

Conditions (all optional, lists mean "any of"): ``direction``, ``tags``,
``customer_states``, ``kind`` (artefact kinds), ``cpni_evidence``,
``violations`` and ``incident`` (R16 failed; true or false). Minimums from the domain spec are checked
when the policy is loaded, so a policy that could delete evidence early is
never used.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from callvault.models.errors import RetentionError
from callvault.models.recording import DIRECTIONS
from callvault.models.storage import OBJECT_KINDS
from callvault.retention.facts import CallFacts

DEFAULT_POLICY_NAME = "default_retention.toml"
EVIDENCE_MINIMUM_CITATION = "47 CFR 64.2007(a)(3), 64.2008(a)(2)"
_KEEP = re.compile(r"^\s*(\d+)\s*(day|days|year|years)\s*$", re.IGNORECASE)
_SET_CONDITIONS = ("direction", "tags", "customer_states", "kind")
_BOOL_CONDITIONS = ("cpni_evidence", "violations", "incident")


@dataclass(frozen=True)
class Keep:
    """How long to keep: ``count`` days or years from when the object was stored, or forever."""

    count: int = 0
    unit: str = "forever"  # days | years | forever

    @classmethod
    def parse(cls, value: Any, where: str) -> "Keep":
        if isinstance(value, str) and value.strip().lower() == "forever":
            return cls()
        found = _KEEP.match(value) if isinstance(value, str) else None
        if not found or int(found.group(1)) < 1:
            raise RetentionError(f'{where}: keep must be "N days", "N years" or "forever" (N ≥ 1), not {value!r}')
        unit = found.group(2).lower()
        return cls(int(found.group(1)), unit if unit.endswith("s") else unit + "s")

    @property
    def forever(self) -> bool:
        return self.unit == "forever"

    def until(self, start: datetime) -> datetime | None:
        """When an object stored at ``start`` expires; None when kept forever."""
        if self.forever:
            return None
        if self.unit == "days":
            return start + timedelta(days=self.count)
        try:
            return start.replace(year=start.year + self.count)
        except ValueError:  # 29 February into a common year: the day after 28 February
            return start.replace(year=start.year + self.count, month=3, day=1)

    def at_least_a_year(self) -> bool:
        # 366 days so that a year that spans 29 February is covered too.
        return self.forever or (self.unit == "years") or (self.unit == "days" and self.count >= 366)

    def __str__(self) -> str:
        if self.forever:
            return "forever"
        return f"{self.count} {self.unit[:-1] if self.count == 1 else self.unit}"


@dataclass(frozen=True)
class Match:
    """Conditions on a call and an artefact kind; None means "any"."""

    direction: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    customer_states: tuple[str, ...] | None = None
    kind: tuple[str, ...] | None = None
    cpni_evidence: bool | None = None
    violations: bool | None = None
    incident: bool | None = None

    @property
    def is_catch_all(self) -> bool:
        return all(getattr(self, name) is None for name in (*_SET_CONDITIONS, *_BOOL_CONDITIONS))

    def matches(self, facts: CallFacts, kind: str) -> bool:
        if self.direction is not None and facts.direction not in self.direction:
            return False
        if self.tags is not None and not set(self.tags) & set(facts.tags):
            return False
        if self.customer_states is not None and not set(self.customer_states) & set(facts.customer_states):
            return False
        if self.kind is not None and kind not in self.kind:
            return False
        if self.cpni_evidence is not None and facts.cpni_evidence != self.cpni_evidence:
            return False
        if self.incident is not None and facts.incident != self.incident:
            return False
        return self.violations is None or facts.violations == self.violations

    def covers(self, other: "Match") -> bool:
        """Whether every (call, kind) that ``other`` matches is matched here too (a sufficient test)."""
        for name in _SET_CONDITIONS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is not None and (theirs is None or not set(theirs) <= set(mine)):
                return False
        for name in _BOOL_CONDITIONS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is not None and mine != theirs:
                return False
        return True

    def describe(self) -> str:
        parts = []
        for name in (*_SET_CONDITIONS, *_BOOL_CONDITIONS):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={'|'.join(value) if isinstance(value, tuple) else str(value).lower()}")
        return " ".join(parts) or "any call, any kind"


@dataclass(frozen=True)
class Rule:
    name: str
    keep: Keep
    when: Match = Match()


@dataclass(frozen=True)
class RetentionPolicy:
    """Ordered rules then the default; ``source`` says where it was read from."""

    rules: tuple[Rule, ...]
    default: Rule
    source: str = "(built in)"

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        return (*self.rules, self.default)

    def rule_for(self, facts: CallFacts, kind: str) -> Rule:
        """The first rule matching the call and kind; the default when none does."""
        for rule in self.rules:
            if rule.when.matches(facts, kind):
                return rule
        return self.default

    def fingerprint(self) -> str:
        """SHA-256 of the rules themselves (not the file's comments or layout): what changed, for the audit log."""
        doc = [asdict(rule) for rule in self.all_rules]
        return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def parse_policy(doc: Mapping[str, Any], source: str = "(built in)") -> RetentionPolicy:
    """A policy from a parsed TOML document; RetentionError naming the rule for anything wrong."""
    unknown = sorted(set(doc) - {"version", "rule", "default"})
    if unknown:
        raise RetentionError(f"{source}: unknown key(s) {', '.join(unknown)}; a policy has version, [[rule]] and [default]")
    if doc.get("version", 1) != 1:
        raise RetentionError(f"{source}: policy version {doc.get('version')!r} is not supported (this callvault reads version 1)")
    entries = doc.get("rule", [])
    if not isinstance(entries, list):
        raise RetentionError(f"{source}: write rules as [[rule]] tables")
    rules = tuple(_parse_rule(entry, source, f"rule #{i + 1}") for i, entry in enumerate(entries))
    if "default" not in doc:
        raise RetentionError(f'{source}: a [default] rule is required (e.g. [default] keep = "1 year"); it applies when no rule matches')
    default = _parse_rule({"name": "default", **_table(doc["default"], f"{source}: [default]")}, source, "[default]")
    if not default.when.is_catch_all:
        raise RetentionError(f"{source}: [default] applies to everything; move its conditions into a [[rule]]")
    names = [rule.name for rule in (*rules, default)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RetentionError(f"{source}: rule names must be unique; {', '.join(duplicates)} used twice")
    policy = RetentionPolicy(rules, default, source)
    check_minimums(policy)
    return policy


def check_minimums(policy: RetentionPolicy) -> None:
    """Refuse a rule that could keep CPNI approval or notice evidence under a year.

    A short rule is fine when it cannot match evidence calls: it says
    ``cpni_evidence = false``, or an earlier rule catches every evidence call
    it would match (and that rule is checked in turn).
    """
    for index, rule in enumerate(policy.all_rules):
        if rule.keep.at_least_a_year() or rule.when.cpni_evidence is False:
            continue
        evidence_calls = Match(**{**asdict(rule.when), "cpni_evidence": True})
        if any(earlier.when.covers(evidence_calls) for earlier in policy.rules[:index]):
            continue
        label = "[default]" if rule is policy.default else f"rule {rule.name!r}"
        raise RetentionError(
            f"{policy.source}: {label} keeps {rule.keep}, but it can match calls with CPNI approval or "
            f"notice evidence, which must be kept at least 1 year ({EVIDENCE_MINIMUM_CITATION}). "
            'Keep it "1 year" or more, add cpni_evidence = false to its conditions, or put a rule '
            "for evidence calls above it"
        )


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RetentionError(f"{where} must be a table")
    return value


def _parse_rule(entry: Any, source: str, label: str) -> Rule:
    entry = _table(entry, f"{source}: {label}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RetentionError(f'{source}: {label} needs a name (name = "...") to appear in plans and the audit log')
    # Errors name the rule as the user wrote it, so they can find it in the file.
    where = f"{source}: " + ("[default]" if label == "[default]" else f"rule {name.strip()!r}")
    unknown = sorted(set(entry) - {"name", "keep", "when"})
    if unknown:
        raise RetentionError(f"{where}: unknown key(s) {', '.join(unknown)}; a rule has name, keep and when")
    if "keep" not in entry:
        raise RetentionError(f'{where}: say how long to keep (keep = "N days", "N years" or "forever")')
    return Rule(name.strip(), Keep.parse(entry["keep"], where), _parse_when(entry.get("when", {}), where))


def _parse_when(value: Any, where: str) -> Match:
    table = _table(value, f"{where}: when")
    unknown = sorted(set(table) - {*_SET_CONDITIONS, *_BOOL_CONDITIONS})
    if unknown:
        known = ", ".join((*_SET_CONDITIONS, *_BOOL_CONDITIONS))
        raise RetentionError(f"{where}: unknown condition(s) {', '.join(unknown)}; known: {known}")
    fields: dict[str, Any] = {}
    for name in _BOOL_CONDITIONS:
        if name in table:
            if not isinstance(table[name], bool):
                raise RetentionError(f"{where}: {name} must be true or false, not {table[name]!r}")
            fields[name] = table[name]
    for name in _SET_CONDITIONS:
        if name not in table:
            continue
        raw = table[name]
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise RetentionError(f"{where}: {name} must be a string or a non-empty list of strings")
        if name == "customer_states":
            values = [v.upper() for v in values]
        allowed = {"direction": DIRECTIONS, "kind": OBJECT_KINDS}.get(name)
        bad = sorted(set(values) - set(allowed)) if allowed else []
        if bad:
            raise RetentionError(f"{where}: {name} {', '.join(bad)} unknown; use {', '.join(allowed)}")
        fields[name] = tuple(sorted(set(values)))
    return Match(**fields)


def load_policy(path: str | Path) -> RetentionPolicy:
    """Read and check ``retention.toml`` at ``path``."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RetentionError(f"{path}: retention policy not found; pass an existing file or set [retention] policy") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RetentionError(f"{path}: not a valid TOML policy ({exc}); fix the file") from None
    return parse_policy(doc, str(path))


def default_policy() -> RetentionPolicy:
    """The policy shipped with callvault (``default_retention.toml``), used when none is configured."""
    text = resources.files("callvault.retention").joinpath(DEFAULT_POLICY_NAME).read_text(encoding="utf-8")
    return parse_policy(tomllib.loads(text), f"(built in) {DEFAULT_POLICY_NAME}")
