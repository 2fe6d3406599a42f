"""School days for the approval queue (4.2: requests must not wait indefinitely).

A school day is Monday to Friday. Holidays and INSET days are not modelled: a request made
before half term shows more school days than pupils were in school, which errs towards
reminding leaders early rather than late.
"""

from __future__ import annotations

from datetime import date, timedelta


def is_school_day(day: date) -> bool:
    return day.weekday() < 5


def school_days_between(start: date, end: date) -> int:
    """School days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if is_school_day(start + timedelta(days=full_weeks * 7 + offset)):
            count += 1
    return count


def add_school_days(start: date, n: int) -> date:
    """The date on which `n` school days have passed since `start`."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_school_day(day):
            n -= 1
    return day
