"""US federal holidays and business-day arithmetic for the 64.2011 clocks.

Holidays are computed from their rules (5 U.S.C. 6103), never listed by year:
fixed dates move to the observed day (Saturday to the Friday before, Sunday to
the Monday after, Executive Order 11582), floating ones are the nth or last
weekday of their month. A fixed holiday observed in the year before (New
Year's Day on a Saturday is observed on 31 December) belongs to that year.
Inauguration Day (a holiday only around Washington, DC) is left out.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

MONDAY, THURSDAY = 0, 3


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def observed(day: date) -> date:
    """The day a fixed-date holiday is observed: Saturday → Friday, Sunday → Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _holidays_of(year: int) -> dict[date, str]:
    """The observed days of the holidays *named for* ``year`` (one may fall in year - 1)."""
    fixed = {"New Year's Day": (1, 1), "Independence Day": (7, 4), "Veterans Day": (11, 11), "Christmas Day": (12, 25)}
    if year >= 2021:  # Juneteenth National Independence Day Act, 2021
        fixed["Juneteenth National Independence Day"] = (6, 19)
    days = {observed(date(year, m, d)): name for name, (m, d) in fixed.items()}
    days[_nth_weekday(year, 1, MONDAY, 3)] = "Birthday of Martin Luther King, Jr."
    days[_nth_weekday(year, 2, MONDAY, 3)] = "Washington's Birthday"
    days[_last_weekday(year, 5, MONDAY)] = "Memorial Day"
    days[_nth_weekday(year, 9, MONDAY, 1)] = "Labor Day"
    days[_nth_weekday(year, 10, MONDAY, 2)] = "Columbus Day"
    days[_nth_weekday(year, 11, THURSDAY, 4)] = "Thanksgiving Day"
    return days


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[date, str]:
    """Observed federal holidays that fall in calendar year ``year``, by date."""
    both = {**_holidays_of(year), **_holidays_of(year + 1)}
    return dict(sorted((d, name) for d, name in both.items() if d.year == year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (``day`` itself never counts)."""
    if count < 1:
        raise ValueError("count business days from 1")
    while count:
        day += timedelta(days=1)
        count -= is_business_day(day)
    return day


def next_business_day(day: date) -> date:
    """``day`` when it is a business day, else the first business day after it."""
    while not is_business_day(day):
        day += timedelta(days=1)
    return day
