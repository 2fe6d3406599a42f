"""Reading a student CSV exported from the school's MIS (issue: consent, "Import from the MIS").

Pure parsing and validation, no database: the import service previews the result, and writes
nothing unless every row is good. Files come as the MIS exports them: UTF-8 with or without a
byte-order mark or Windows-1252, CRLF line ends, quoted fields with commas, names with accents
and apostrophes (kept exactly as given).

`read` is the import's path (issue 9, 100,000 rows): every row is checked, and the good ones come
back as plain tuples ready to stream into the database. `parse` gives the same result as
`StudentRow` objects, for callers that want to look at rows one by one.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter

# Our field -> header names used by common MIS exports (SIMS, Arbor, Bromcom), compared after
# normalisation (lower case, letters and digits only).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "mis_id": (
        "UPN",
        "Unique Pupil Number",
        "Admission Number",
        "Adno",
        "MIS ID",
        "Student ID",
        "Pupil ID",
        "Student Id",
    ),
    "family_name": ("Legal Surname", "Surname", "Last Name", "Legal Last Name", "Family Name"),
    "given_name": ("Legal Forename", "Forename", "First Name", "Legal First Name", "Given Name"),
    "preferred_name": ("Preferred Forename", "Preferred First Name", "Preferred Name", "Known As"),
    "year_group": ("Year", "Year Group", "NC Year", "National Curriculum Year", "Curriculum Year"),
    "form": (
        "Reg",
        "Reg Group",
        "Registration Group",
        "Form",
        "Form Group",
        "Tutor Group",
        "Class",
    ),
    "on_roll_from": (
        "Admission Date",
        "Date of Admission",
        "Start Date",
        "Enrolment Date",
        "Entry Date",
    ),
    "left_on": ("Leaving Date", "Date of Leaving", "End Date", "Leave Date"),
}
REQUIRED_FIELDS = ("mis_id", "family_name", "given_name", "year_group")
# The longest value each column of consents.models holds (a test checks they agree): a longer
# value is a bad row in the preview, not a failed import.
MAX_LENGTHS = {
    "mis_id": 32,
    "given_name": 100,
    "family_name": 100,
    "preferred_name": 100,
    "form": 20,
}
CARER_MAX_LENGTHS = {"name": 200, "relationship": 50, "email": 254}
FIELD_LABELS = {
    "mis_id": "MIS identifier (UPN)",
    "family_name": "family name",
    "given_name": "given name",
    "preferred_name": "preferred name",
    "year_group": "year group",
    "form": "class or form",
    "on_roll_from": "on-roll date",
    "left_on": "leaving date",
}
# Carer columns: "Contact 1 Name", "Primary Contact Email", "Guardian 2 Relationship", ...
CARER_HEADER = re.compile(
    r"^(?:contact|carer|parent|guardian|priority\s*contact)\s*(?P<n>\d)\s*(?P<what>name|full name"
    r"|relationship|email|email address)$",
    re.IGNORECASE,
)
MAX_CARERS = 4


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


_ALIAS_INDEX = {_norm(alias): fld for fld, aliases in FIELD_ALIASES.items() for alias in aliases}


@dataclass
class CarerRow:
    name: str
    relationship: str
    email: str


@dataclass
class StudentRow:
    line: int
    mis_id: str
    given_name: str
    family_name: str
    preferred_name: str
    year_group: str  # "N", "R", "1".."14"
    form: str
    on_roll_from: date | None
    left_on: date | None
    carers: list[CarerRow] = field(default_factory=list)


@dataclass
class RowError:
    line: int  # line of the file as a spreadsheet shows it (header is line 1); 0: whole file
    reason: str


@dataclass
class ParseResult:
    headers: list[str]
    mapping: dict[str, str]  # our field -> header in the file
    rows: list[StudentRow]
    errors: list[RowError]
    encoding: str

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then Windows-1252, as MIS exports come."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict"), "windows-1252"


def detect_mapping(headers: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for header in headers:
        fld = _ALIAS_INDEX.get(_norm(header))
        if fld and fld not in mapping:
            mapping[fld] = header
    return mapping


YEAR_PATTERN = re.compile(r"^(?:y(?:ear)?\s*)?(\d{1,2})$", re.IGNORECASE)
RECEPTION = {"r", "rec", "reception", "yr", "year r", "yearr", "fs2", "f2"}
NURSERY = {"n", "n1", "n2", "nur", "nursery", "fs1", "f1"}


def normalise_year(value: str) -> str | None:
    v = value.strip().lower()
    if v in RECEPTION:
        return "R"
    if v in NURSERY:
        return "N"
    m = YEAR_PATTERN.match(v)
    if m and 1 <= int(m.group(1)) <= 14:
        return str(int(m.group(1)))
    return None


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


def parse_date(value: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def _carer_columns(headers: list[str]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    for header in headers:
        m = CARER_HEADER.match(header.strip())
        if m:
            what = {"full name": "name", "email address": "email"}.get(
                m.group("what").lower(), m.group("what").lower()
            )
            found.setdefault(int(m.group("n")), {})[what] = header
    return {n: cols for n, cols in sorted(found.items()) if "name" in cols and n <= MAX_CARERS}


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Student tuples from `read`, in this order; dates as ISO text ("2026-09-01") or None.
# Columns of Student an import sets from the file (besides the school and the MIS id).
STUDENT_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "year_group",
    "form",
    "on_roll_from",
    "left_on",
)
STUDENT_COLUMNS = ("line", "mis_id", *STUDENT_FIELDS)
# Carer tuples: one per named contact of a good row; `position` is the n of "Contact n".
CARER_COLUMNS = ("line", "mis_id", "position", "name", "relationship", "email")
# Our fields in the order `read` picks them from a row.
_PICKED = ("mis_id", *STUDENT_FIELDS)


@dataclass
class Reading:
    """Every row checked: the good ones as tuples (STUDENT_COLUMNS, CARER_COLUMNS), the bad ones
    as errors. Nothing is good unless `errors` is empty."""

    headers: list[str]
    mapping: dict[str, str]
    encoding: str
    errors: list[RowError]
    students: list[tuple] = field(default_factory=list)
    carers: list[tuple] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Memo(dict):
    """value -> fn(value), computed once: a file has a few distinct dates and year groups."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        value = self[key] = self.fn(key)
        return value


def _iso_date(value: str) -> str | None | bool:
    """ISO text of a date cell; None when empty; False when it is not a date."""
    if not value:
        return None
    try:
        return parse_date(value).isoformat()
    except ValueError:
        return False


def read(data: bytes, mapping: dict[str, str] | None = None) -> Reading:
    """Check every row and report every bad one with its line and reasons.

    Kept lean for 100,000-row files: a good row costs a few string strips, dictionary look-ups
    and comparisons (dates and year groups are worked out once per distinct value); the
    reasons are worked out (by `_row_problems`) only for a row that fails a check.
    """
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        return Reading([], {}, "", [RowError(0, "The file is not text in UTF-8 or Windows-1252.")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        return Reading([], {}, encoding, [RowError(0, "The file is empty.")])
    except csv.Error as exc:
        return Reading([], {}, encoding, [RowError(1, f"Not a readable CSV file: {exc}.")])
    mapping = dict(mapping) if mapping else detect_mapping(headers)
    errors: list[RowError] = []
    for header in [h for h in mapping.values() if h not in headers]:
        errors.append(RowError(0, f"The column {header!r} is not in this file."))
    for fld in [f for f in REQUIRED_FIELDS if f not in mapping]:
        errors.append(RowError(0, f"Missing column: {FIELD_LABELS[fld]}."))
    if errors:
        return Reading(headers, mapping, encoding, errors)

    width = len(headers)
    index = {h: i for i, h in enumerate(headers)}
    # A good row gets one empty cell appended at `width`: a column the file lacks reads it.
    pick = itemgetter(*[index[mapping[f]] if f in mapping else width for f in _PICKED])
    contacts = [
        (
            n,
            index[cols["name"]],
            index.get(cols.get("relationship"), width),
            index.get(cols.get("email"), width),
        )
        for n, cols in _carer_columns(headers).items()
    ]
    max_id, max_given, max_family, max_preferred, max_form = (
        MAX_LENGTHS[f] for f in ("mis_id", "given_name", "family_name", "preferred_name", "form")
    )
    max_carer, max_rel, max_email = (
        CARER_MAX_LENGTHS[f] for f in ("name", "relationship", "email")
    )
    email_ok = EMAIL.fullmatch
    strip = str.strip
    years = _Memo(normalise_year)
    dates = _Memo(_iso_date)
    check_nul = "\x00" in text  # PostgreSQL text cannot hold it
    seen: dict[str, int] = {}  # MIS id -> line where it first appears
    students: list[tuple] = []
    carers: list[tuple] = []
    try:
        for line, raw in enumerate(reader, start=2):
            if len(raw) != width or (check_nul and "\x00" in "".join(raw)):
                if not "".join(raw).strip():
                    continue  # a blank line
                errors.append(RowError(line, _row_problems(line, raw, headers, mapping, seen)))
                continue
            raw.append("")
            mis_id, given, family, preferred, year_raw, form, roll_raw, left_raw = map(
                strip, pick(raw)
            )
            year = years[year_raw]
            on_roll = dates[roll_raw]
            left = dates[left_raw]
            row_carers = []
            good = not (
                not mis_id
                or not given
                or not family
                or year is None
                or on_roll is False
                or left is False
                or mis_id in seen
                or len(mis_id) > max_id
                or len(given) > max_given
                or len(family) > max_family
                or len(preferred) > max_preferred
                or len(form) > max_form
            )
            for n, name_i, rel_i, email_i in contacts:
                name = raw[name_i].strip()
                if name:
                    email = raw[email_i].strip()
                    rel = raw[rel_i].strip()
                    if (
                        (email and not email_ok(email))
                        or len(name) > max_carer
                        or len(rel) > max_rel
                        or len(email) > max_email
                    ):
                        good = False
                    row_carers.append((line, mis_id, n, name, rel, email))
            if not good:
                if not "".join(raw).strip():
                    continue  # a row of empty cells
                del raw[width:]
                errors.append(RowError(line, _row_problems(line, raw, headers, mapping, seen)))
                continue
            seen[mis_id] = line
            students.append((line, mis_id, given, family, preferred, year, form, on_roll, left))
            carers.extend(row_carers)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"Not a readable CSV line: {exc}."))
    return Reading(headers, mapping, encoding, errors, students, carers)


def _row_problems(
    line: int, raw: list[str], headers: list[str], mapping: dict[str, str], seen: dict[str, int]
) -> str:
    """Every reason a row is bad, in the order the office reads them. Registers the row's MIS
    id as seen: a later row with the same id is reported as a duplicate of this one."""
    index = {h: i for i, h in enumerate(headers)}

    def cell(i: int | None) -> str:
        return raw[i].strip() if i is not None and i < len(raw) else ""

    def value(fld: str) -> str:
        header = mapping.get(fld)
        return cell(index[header]) if header is not None else ""

    problems: list[str] = []
    if len(raw) != len(headers):
        problems.append(f"has {len(raw)} fields, the header has {len(headers)}")
    for fld in REQUIRED_FIELDS:
        if not value(fld):
            problems.append(f"missing {FIELD_LABELS[fld]}")
    year_raw = value("year_group")
    if year_raw and normalise_year(year_raw) is None:
        problems.append(f"unknown year group {year_raw!r}")
    for fld in ("on_roll_from", "left_on"):
        if _iso_date(value(fld)) is False:
            problems.append(f"bad date {value(fld)!r} for {FIELD_LABELS[fld]} (use DD/MM/YYYY)")
    mis_id = value("mis_id")
    if mis_id in seen:
        problems.append(f"duplicate MIS id {mis_id!r} (first on line {seen[mis_id]})")
    elif mis_id:
        seen[mis_id] = line
    for fld, limit in MAX_LENGTHS.items():
        if len(value(fld)) > limit:
            problems.append(f"{FIELD_LABELS[fld]} longer than {limit} characters")
    for n, cols in _carer_columns(headers).items():
        name = cell(index[cols["name"]])
        if not name:
            continue
        email = cell(index.get(cols.get("email")))
        if email and not EMAIL.fullmatch(email):
            problems.append(f"bad email {email!r} for contact {n}")
        for what, got in (
            ("name", name),
            ("relationship", cell(index.get(cols.get("relationship")))),
            ("email", email),
        ):
            if len(got) > CARER_MAX_LENGTHS[what]:
                limit = CARER_MAX_LENGTHS[what]
                problems.append(f"contact {n} {what} longer than {limit} characters")
    if "\x00" in "".join(raw):
        problems.append("contains a NUL character")
    return "; ".join(problems)


def parse(data: bytes, mapping: dict[str, str] | None = None) -> ParseResult:
    """Parse and validate every row; report every bad row with its reason."""
    reading = read(data, mapping)
    carers_of: dict[int, list[CarerRow]] = defaultdict(list)
    for line, _mis_id, _n, name, relationship, email in reading.carers:
        carers_of[line].append(CarerRow(name=name, relationship=relationship, email=email))
    rows = [
        StudentRow(
            line=line,
            mis_id=mis_id,
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            year_group=year,
            form=form,
            on_roll_from=date.fromisoformat(on_roll) if on_roll else None,
            left_on=date.fromisoformat(left) if left else None,
            carers=carers_of.get(line, []),
        )
        for line, mis_id, given, family, preferred, year, form, on_roll, left in reading.students
    ]
    return ParseResult(reading.headers, reading.mapping, rows, reading.errors, reading.encoding)
