"""Business days with US federal holidays, and the 64.2011 deadlines under both rule texts."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from callvault.compliance.breach import (
    RULE_2007,
    RULE_FCC_23_111,
    BreachOptions,
    IncidentFacts,
    add_business_days,
    both_texts,
    deadlines,
    federal_holidays,
    is_business_day,
)
from callvault.models.errors import ConfigError

NY = ZoneInfo("America/New_York")


def at(y, m, d, h=15):  # 15:00 UTC is 10:00 in New York, mid-morning on the day
    return datetime(y, m, d, h, tzinfo=timezone.utc)


def by_party(block):
    return {d.party: d for d in block.deadlines}


@pytest.mark.parametrize("holiday, name", [
    (date(2026, 11, 26), "Thanksgiving Day"),        # 4th Thursday
    (date(2026, 7, 3), "Independence Day"),           # 4 July 2026 is a Saturday: the Friday before
    (date(2027, 12, 24), "Christmas Day"),            # 25 Dec 2027 is a Saturday
    (date(2027, 12, 31), "New Year's Day"),           # 1 Jan 2028 is a Saturday: observed in 2027
    (date(2023, 1, 2), "New Year's Day"),             # 1 Jan 2023 is a Sunday: the Monday after
    (date(2022, 6, 20), "Juneteenth National Independence Day"),  # a Sunday in 2022
    (date(2030, 5, 27), "Memorial Day"),              # last Monday of May
    (date(2029, 1, 15), "Birthday of Martin Luther King, Jr."),
])
def test_observed_federal_holidays_are_computed(holiday, name):
    assert federal_holidays(holiday.year)[holiday] == name
    assert not is_business_day(holiday)


def test_holidays_follow_their_rules_in_any_year():
    assert date(2020, 6, 19) not in federal_holidays(2020)  # Juneteenth only from 2021
    assert date(2022, 1, 1) not in federal_holidays(2022) and date(2021, 12, 31) in federal_holidays(2021)
    for year in range(2021, 2060):
        assert len(federal_holidays(year)) in (10, 11, 12)  # 11 a year, one New Year's may move into the year before
        assert all(d.weekday() < 5 for d in federal_holidays(year))


@pytest.mark.parametrize("start, n, expected", [
    (date(2026, 11, 25), 7, date(2026, 12, 7)),   # Wed before Thanksgiving: Thu off, weekend off
    (date(2026, 12, 18), 7, date(2026, 12, 30)),  # Christmas Friday 25 Dec off
    (date(2026, 12, 24), 7, date(2027, 1, 6)),    # Christmas and New Year's Day (both Fridays) off
    (date(2027, 12, 22), 7, date(2028, 1, 4)),    # Fri 24 and Fri 31 Dec 2027 observed
    (date(2022, 12, 28), 3, date(2023, 1, 3)),    # New Year's Day 2023 observed Monday 2 Jan
    (date(2026, 11, 21), 1, date(2026, 11, 23)),  # from a Saturday: Monday is day 1
])
def test_business_days_skip_weekends_and_observed_holidays(start, n, expected):
    assert add_business_days(start, n) == expected


def test_2007_text_agencies_in_7_business_days_customers_after_7_full_more():
    facts = IncidentFacts(discovered_at=at(2026, 11, 20), determined_at=at(2026, 11, 25), customers=3)
    block = deadlines(RULE_2007, facts, NY)
    agencies, customers = by_party(block)["USSS and FBI (central reporting facility)"], by_party(block)["customers"]
    assert (agencies.kind, agencies.local_date) == ("due_by", "2026-12-07")
    assert agencies.at == "2026-12-08T04:59:59.999999Z"  # the end of 7 Dec in New York
    # Not notified yet: counted from the agency deadline, 7 full business days after 7 Dec.
    assert (customers.kind, customers.local_date) == ("not_before", "2026-12-17")
    notified = IncidentFacts(discovered_at=at(2026, 11, 20), determined_at=at(2026, 11, 25),
                             agencies_notified_at=at(2026, 12, 18), customers=3)
    # Notified Fri 18 Dec: Mon 21 .. Wed 30 Dec (25 Dec off) are the 7 full days; customers from Thu 31.
    assert by_party(deadlines(RULE_2007, notified, NY))["customers"].local_date == "2026-12-31"


def test_2007_text_agency_instructions_move_the_customer_date():
    base = dict(discovered_at=at(2026, 11, 20), determined_at=at(2026, 11, 25), agencies_notified_at=at(2026, 11, 30))
    early = by_party(deadlines(RULE_2007, IncidentFacts(**base, agency_allows_early=True), NY))["customers"]
    assert early.local_date == "2026-11-30" and "urgent" in early.note
    late = by_party(deadlines(RULE_2007, IncidentFacts(**base, agency_delay_until=date(2027, 2, 1)), NY))["customers"]
    assert late.local_date == "2027-02-01" and "delay" in late.note


def test_fcc_23_111_agencies_7_business_days_customers_30_days():
    facts = IncidentFacts(discovered_at=at(2026, 12, 20), determined_at=at(2026, 12, 23), customers=800)
    block = by_party(deadlines(RULE_FCC_23_111, facts, NY))
    agencies = block["FCC, USSS and FBI (central reporting facility)"]
    assert agencies.local_date == "2027-01-05"  # 24,28,29,30 Dec, 4,5 Jan... Christmas and New Year's Day off
    assert block["customers"].local_date == "2027-01-22" and block["customers"].kind == "due_by"


@pytest.mark.parametrize("customers, harm, summary", [(499, False, True), (500, False, False), (499, True, False)])
def test_fcc_23_111_the_500_customer_threshold(customers, harm, summary):
    facts = IncidentFacts(discovered_at=at(2026, 3, 2), determined_at=at(2026, 3, 3), customers=customers, harm_likely=harm)
    block = by_party(deadlines(RULE_FCC_23_111, facts, NY))
    assert ("FCC (annual summary)" in block) is summary
    if summary:
        assert block["FCC (annual summary)"].local_date == "2027-02-01"  # a Monday
    else:
        assert block["FCC, USSS and FBI (central reporting facility)"].local_date == "2026-03-12"
    assert (block["customers"].kind == "not_required") is (not harm)


def test_annual_summary_due_date_moves_off_a_weekend():
    facts = IncidentFacts(discovered_at=at(2026, 6, 1), determined_at=at(2027, 6, 1), customers=10, harm_likely=False)
    summary = by_party(deadlines(RULE_FCC_23_111, facts, NY))["FCC (annual summary)"]
    assert summary.local_date == "2028-02-01"  # a Tuesday
    facts_2031 = IncidentFacts(discovered_at=at(2031, 6, 1), determined_at=at(2031, 6, 1), customers=10, harm_likely=False)
    assert by_party(deadlines(RULE_FCC_23_111, facts_2031, NY))["FCC (annual summary)"].local_date == "2032-02-02"  # 1 Feb 2032 is a Sunday


def test_a_candidate_counts_from_discovery_and_says_so():
    facts = IncidentFacts(discovered_at=at(2026, 11, 25))
    block = deadlines(RULE_2007, facts, NY)
    assert block.provisional and "provisional" in block.deadlines[0].basis
    assert block.deadlines[0].local_date == "2026-12-07"


def test_the_day_is_the_zone_s_day():
    # 03:00 UTC on Tuesday 1 Dec is still Monday 30 Nov in New York.
    facts = IncidentFacts(discovered_at=at(2026, 12, 1, 3), determined_at=at(2026, 12, 1, 3))
    assert deadlines(RULE_2007, facts, NY).deadlines[0].local_date == "2026-12-09"
    assert deadlines(RULE_2007, facts, ZoneInfo("UTC")).deadlines[0].local_date == "2026-12-10"


def test_the_setting_picks_the_text_in_force_and_shows_the_other():
    facts = IncidentFacts(discovered_at=at(2026, 11, 25))
    first, second = both_texts(BreachOptions().rule_text, facts, NY)
    assert (first.rule_text, first.in_force, second.rule_text, second.in_force) == (RULE_2007, True, RULE_FCC_23_111, False)
    amended = BreachOptions.from_table({"rule_text": "fcc-23-111"})
    first, second = both_texts(amended.rule_text, facts, amended.zone)
    assert (first.rule_text, second.rule_text) == (RULE_FCC_23_111, RULE_2007)


@pytest.mark.parametrize("table, words", [
    ({"rule_text": "2024"}, "rule_text"), ({"timezone": "Mars/Olympus"}, "IANA"), ({"carrier": "x"}, "unknown"),
])
def test_bad_breach_settings_are_clear_errors(table, words):
    with pytest.raises(ConfigError, match=words):
        BreachOptions.from_table(table)
