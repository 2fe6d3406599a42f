"""Values as MIS write them (issue 17): year groups, dates (spreadsheet serial numbers
included), parental-responsibility flags, emails, formula-looking cells. Pure functions; the
row checks in `mis_rows` use them, memoised per distinct value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

YEAR_GROUPS = ("N1", "N2", "R", *[str(n) for n in range(1, 14)])
# Age at the start of the school year, to match a year group with the ages a school teaches.
START_AGE = {"N1": 2, "N2": 3, "R": 4, **{str(n): n + 4 for n in range(1, 14)}}
_YEAR_NUMBER = re.compile(r"^(?:year|yr|y|nc year|ncy)?\s*(\d{1,2})$")
_YEAR_WORDS = {
    **dict.fromkeys(("r", "rec", "reception", "year r", "yr r", "yearr", "yr", "f2", "fs2"), "R"),
    **dict.fromkeys(("n1", "nursery 1", "nur 1", "nur1", "year n1", "nursery1"), "N1"),
    **dict.fromkeys(("n2", "nursery 2", "nur 2", "nur2", "year n2", "nursery2", "fs1", "f1"), "N2"),
    **dict.fromkeys(("l6", "lower sixth", "year l6", "lower 6th"), "12"),
    **dict.fromkeys(("u6", "upper sixth", "year u6", "upper 6th"), "13"),
}


def normalise_year(value: str) -> str | None:
    """N1, N2, R or 1–13 from the forms MIS write ("Year  7" with SIMS's two spaces, "Y7",
    "7", "Rec", "Nursery 2", "L6"); None for anything else ("Year 14", "X", "Nursery")."""
    v = " ".join(value.lower().split())
    if v in _YEAR_WORDS:
        return _YEAR_WORDS[v]
    m = _YEAR_NUMBER.match(v)
    if m and 1 <= int(m.group(1)) <= 13:
        return str(int(m.group(1)))
    return None


def years_taught(age_from: int, age_to: int) -> tuple[str, ...]:
    """Year groups of a school teaching pupils aged age_from to age_to (a primary of 4–11
    teaches R–6; a secondary of 11–18, 7–13)."""
    last = max(age_from, age_to - 1)
    return tuple(y for y in YEAR_GROUPS if age_from <= START_AGE[y] <= last)


def year_range_label(years: tuple[str, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if years else "none"


DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%Y-%m-%d %H:%M:%S",  # Wonde, without the microseconds
    "%Y-%m-%dT%H:%M:%S",  # SIMS CommandReporter and Excel date-times
    "%d/%m/%Y %H:%M",
    "%a, %d %b %Y",  # Arbor "Wed, 09 Sep 2026" (the time cut off below)
    "%d %b %Y",
    "%d %B %Y",
)
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 60 is Excel's 29/02/1900, which never existed


def parse_date(value: str) -> tuple[date, bool]:
    """(date, read from a spreadsheet serial number). ValueError when it is not a real date:
    31/02/2026 is not a date. Serial numbers (Excel's days since 1900) are read when they have
    five digits (from 16/05/1927 on), so that no year or short number is mistaken for one."""
    text = value.strip()
    if _SERIAL.match(text):
        serial = int(float(text))
        if serial <= 80_000:
            return _EXCEL_EPOCH + timedelta(days=serial), True
        raise ValueError(value)
    text = re.sub(r"\.\d+$", "", text)  # Wonde's microseconds
    text = re.sub(r"^(\w{3}, \d{1,2} \w{3} \d{4}),.*$", r"\1", text)  # Arbor's ", 11:20"
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), False
        except ValueError:
            continue
    raise ValueError(value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    return value.startswith(FORMULA_START)


_TRUE = {"t", "true", "y", "yes", "1", "✓", "✔", "x", "tick", "ticked"}
_FALSE = {"f", "false", "n", "no", "0"}


def parse_flag(value: str) -> bool | None:
    """Parental responsibility as MIS write it (T/F, true/false, Yes/No, Y/N, 1/0, a tick);
    None when blank. ValueError for anything else."""
    v = value.strip().lower()
    if not v:
        return None
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(value)


_EMAIL_SPLIT = re.compile(r"[;,\s]+")
_validate_email = EmailValidator()
# Most addresses are plain: this quick pattern accepts them (every address it accepts,
# Django's validator accepts too); anything else is decided by Django's EmailValidator.
PLAIN_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def email_ok(address: str) -> bool:
    if PLAIN_EMAIL.fullmatch(address) and ".." not in address and not address.startswith("."):
        return True
    try:
        _validate_email(address)
    except ValidationError:
        return False
    return True


def split_emails(cell: str) -> list[str]:
    """The addresses in one cell: MIS users put several, separated by ; , or spaces."""
    if not cell:
        return []
    if "," not in cell and ";" not in cell and " " not in cell:
        return [cell]
    return [e for e in _EMAIL_SPLIT.split(cell.strip()) if e]


def priority_or_bad(value: str) -> int | None | bool:
    """A contact's priority: None when blank, False when not a whole number 1 to 99."""
    if not value:
        return None
    try:
        number = int(float(value))
    except ValueError:
        return False
    return number if 1 <= number <= 99 else False


def flag_or_bad(value: str) -> bool | None | str:
    try:
        return parse_flag(value)
    except ValueError:
        return "bad"


class Memo(dict):
    """value -> fn(value), computed once: a file has few distinct dates and year groups."""

    def __init__(self, fn: Callable[[str], Any]):
        super().__init__()
        self.fn = fn

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.fn(key)
        return value


def date_or_error(value: str) -> tuple[str | None, bool] | None:
    """(ISO text or None when empty, from a serial number); None when not a date."""
    if not value:
        return None, False
    try:
        day, serial = parse_date(value)
    except ValueError:
        return None
    return day.isoformat(), serial
