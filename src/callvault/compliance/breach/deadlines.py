"""The 64.2011 notification clocks under both rule texts (docs/CPNI.md section 4).

Pure: the facts of an incident in, the deadlines out. Business days are
counted in the configured zone (``[breach] timezone``) on dates: the day of
the triggering event never counts, and a deadline is the end of its day.

2007 text (in force):
- USSS and FBI (central reporting facility) no later than 7 business days
  after reasonable determination;
- customers not before 7 *full* business days after that notice, earlier only
  when an agency agrees it is urgent, later when an agency directs a delay.

FCC 23-111 amendments (delayed indefinitely):
- FCC, USSS and FBI within 7 business days after reasonable determination,
  unless fewer than 500 customers are affected and no harm is reasonably
  likely: then an annual summary to the FCC by 1 February of the next year
  (moved to the next business day when that is a holiday or weekend, 47 CFR
  1.4(j); [U]);
- customers without unreasonable delay and within 30 days, none when no harm
  is reasonably likely; an agency may direct a delay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callvault.clock import iso_utc
from callvault.compliance.breach.calendar import add_business_days, next_business_day
from callvault.compliance.breach.options import RULE_2007, RULE_FCC_23_111

BUSINESS_DAYS = 7
CUSTOMER_DAYS_23_111 = 30
SMALL_BREACH = 500  # customers; fewer than this may go to the annual summary (FCC 23-111)
TITLES = {
    RULE_2007: "47 CFR 64.2011 (2007 text, in force)",
    RULE_FCC_23_111: "47 CFR 64.2011 as amended by FCC 23-111 (89 FR 9968; not yet in force)",
}


@dataclass(frozen=True)
class IncidentFacts:
    """What the clocks run from; times are aware datetimes."""

    discovered_at: datetime
    determined_at: datetime | None = None  # reasonable determination; None while a candidate
    agencies_notified_at: datetime | None = None
    customers: int = 0
    harm_likely: bool = True  # the careful default until the officer decides otherwise
    agency_delay_until: date | None = None  # an agency directed customer notice to wait until this date
    agency_allows_early: bool = False  # 2007: urgent, customers may be told before the 7 days (after consulting)


@dataclass(frozen=True)
class Deadline:
    party: str  # who is told
    kind: str  # due_by | not_before | not_required
    local_date: str | None  # YYYY-MM-DD in the configured zone
    at: str | None  # the instant, ISO 8601 UTC: the end of the day for due_by, its start for not_before
    basis: str  # what it counts from
    note: str = ""


@dataclass(frozen=True)
class DeadlineSet:
    rule_text: str
    title: str
    in_force: bool  # the text the [breach] setting picks
    provisional: bool  # counted from discovery, as no reasonable determination is recorded yet
    deadlines: tuple[Deadline, ...]


def _end_of(day: date, zone: ZoneInfo) -> str:
    return iso_utc(datetime.combine(day + timedelta(days=1), time(0), zone) - timedelta(microseconds=1))


def _start_of(day: date, zone: ZoneInfo) -> str:
    return iso_utc(datetime.combine(day, time(0), zone))


def _due(party: str, day: date, zone: ZoneInfo, basis: str, note: str = "") -> Deadline:
    return Deadline(party, "due_by", day.isoformat(), _end_of(day, zone), basis, note)


def _not_before(party: str, day: date, zone: ZoneInfo, basis: str, note: str = "") -> Deadline:
    return Deadline(party, "not_before", day.isoformat(), _start_of(day, zone), basis, note)


def deadlines(rule_text: str, facts: IncidentFacts, zone: ZoneInfo, *, in_force: bool = True) -> DeadlineSet:
    """The deadlines of one incident under one rule text."""
    start = facts.determined_at or facts.discovered_at
    provisional = facts.determined_at is None
    basis = ("discovery (provisional: no reasonable determination recorded yet) " if provisional else "reasonable determination ") + iso_utc(start)
    day = start.astimezone(zone).date()
    if rule_text == RULE_2007:
        found = _rule_2007(facts, day, zone, basis)
    elif rule_text == RULE_FCC_23_111:
        found = _rule_23_111(facts, day, zone, basis)
    else:
        raise ValueError(f"unknown rule text {rule_text!r}")
    return DeadlineSet(rule_text, TITLES[rule_text], in_force, provisional, tuple(found))


def _rule_2007(facts: IncidentFacts, day: date, zone: ZoneInfo, basis: str) -> list[Deadline]:
    agencies = "USSS and FBI (central reporting facility)"
    out = [_due(agencies, add_business_days(day, BUSINESS_DAYS), zone, basis, "64.2011(b): as soon as practicable, at most 7 business days")]
    if facts.agencies_notified_at is not None:
        notified = facts.agencies_notified_at.astimezone(zone).date()
        counted = f"agency notice {iso_utc(facts.agencies_notified_at)}"
    else:
        notified = add_business_days(day, BUSINESS_DAYS)
        counted = "the agency deadline (agencies not notified yet; recounted from the actual notice)"
    earliest = add_business_days(notified, BUSINESS_DAYS) + timedelta(days=1)
    note = "64.2011(b)(1): wait 7 full business days after the agency notice"
    if facts.agency_allows_early:
        earliest, note = notified, "an agency agreed the notice is urgent (64.2011(b)(2)): customers may be told now"
    if facts.agency_delay_until is not None and facts.agency_delay_until > earliest:
        earliest, note = facts.agency_delay_until, "an agency directed the carrier to delay customer notice (64.2011(b)(3))"
    out.append(_not_before("customers", earliest, zone, counted, note))
    return out


def _rule_23_111(facts: IncidentFacts, day: date, zone: ZoneInfo, basis: str) -> list[Deadline]:
    agencies = "FCC, USSS and FBI (central reporting facility)"
    small = facts.customers < SMALL_BREACH and not facts.harm_likely
    if small:
        summary = next_business_day(date(day.year + 1, 2, 1))
        out = [
            _due("FCC (annual summary)", summary, zone, basis,
                 f"fewer than {SMALL_BREACH} customers ({facts.customers}) and no harm reasonably likely: annual summary instead of a 7-day notice"),
        ]
    else:
        why = f"customers: {facts.customers}" + ("" if facts.harm_likely else ", no harm reasonably likely")
        out = [_due(agencies, add_business_days(day, BUSINESS_DAYS), zone, basis, f"within 7 business days ({why})")]
    if not facts.harm_likely:
        out.append(Deadline("customers", "not_required", None, None, basis, "no harm reasonably likely: no customer notice required"))
        return out
    due = day + timedelta(days=CUSTOMER_DAYS_23_111)
    note = "without unreasonable delay, at most 30 days"
    if facts.agency_delay_until is not None and facts.agency_delay_until > due:
        due, note = facts.agency_delay_until, "an agency directed a delay of customer notice"
    out.append(_due("customers", due, zone, basis, note))
    return out


def both_texts(in_force: str, facts: IncidentFacts, zone: ZoneInfo) -> tuple[DeadlineSet, DeadlineSet]:
    """The text in force first, the other beside it."""
    other = RULE_FCC_23_111 if in_force == RULE_2007 else RULE_2007
    return deadlines(in_force, facts, zone, in_force=True), deadlines(other, facts, zone, in_force=False)
