"""Reading a student CSV exported from the school's MIS (issue: consent, "Import from the MIS").

Pure parsing and validation, no database: the import service previews the result, and writes
nothing unless every row is good. Files come as the MIS exports them: UTF-8 with or without a
byte-order mark or Windows-1252, CRLF line ends, quoted fields with commas, names with accents
and apostrophes (kept exactly as given).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

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


def parse(data: bytes, mapping: dict[str, str] | None = None) -> ParseResult:
    """Parse and validate every row; report every bad row with its reason."""
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        return ParseResult(
            [], {}, [], [RowError(0, "The file is not text in UTF-8 or Windows-1252.")], ""
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        return ParseResult([], {}, [], [RowError(0, "The file is empty.")], encoding)
    except csv.Error as exc:
        return ParseResult([], {}, [], [RowError(1, f"Not a readable CSV file: {exc}.")], encoding)
    mapping = dict(mapping) if mapping else detect_mapping(headers)
    errors: list[RowError] = []
    unknown = [h for h in mapping.values() if h not in headers]
    for header in unknown:
        errors.append(RowError(0, f"The column {header!r} is not in this file."))
    missing = [f for f in REQUIRED_FIELDS if f not in mapping]
    for fld in missing:
        errors.append(RowError(0, f"Missing column: {FIELD_LABELS[fld]}."))
    if errors:
        return ParseResult(headers, mapping, [], errors, encoding)

    index = {h: i for i, h in enumerate(headers)}
    carers = _carer_columns(headers)
    rows: list[StudentRow] = []
    first_line_of: dict[str, int] = {}
    try:
        for line, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            row_errors: list[str] = []

            def cell(fld: str, raw=raw) -> str:
                header = mapping.get(fld)
                if header is None:
                    return ""
                i = index[header]
                return raw[i].strip() if i < len(raw) else ""

            if len(raw) != len(headers):
                row_errors.append(f"has {len(raw)} fields, the header has {len(headers)}")
            for fld in REQUIRED_FIELDS:
                if not cell(fld):
                    row_errors.append(f"missing {FIELD_LABELS[fld]}")
            year_raw = cell("year_group")
            year = normalise_year(year_raw) if year_raw else None
            if year_raw and year is None:
                row_errors.append(f"unknown year group {year_raw!r}")
            dates: dict[str, date | None] = {}
            for fld in ("on_roll_from", "left_on"):
                value = cell(fld)
                try:
                    dates[fld] = parse_date(value) if value else None
                except ValueError:
                    row_errors.append(
                        f"bad date {value!r} for {FIELD_LABELS[fld]} (use DD/MM/YYYY)"
                    )
                    dates[fld] = None
            mis_id = cell("mis_id")
            if mis_id:
                if mis_id in first_line_of:
                    row_errors.append(
                        f"duplicate MIS id {mis_id!r} (first on line {first_line_of[mis_id]})"
                    )
                else:
                    first_line_of[mis_id] = line
            row_carers: list[CarerRow] = []
            for n, cols in carers.items():
                name = raw[index[cols["name"]]].strip() if index[cols["name"]] < len(raw) else ""
                if not name:
                    continue
                email = (
                    raw[index[cols["email"]]].strip()
                    if "email" in cols and index[cols["email"]] < len(raw)
                    else ""
                )
                if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                    row_errors.append(f"bad email {email!r} for contact {n}")
                rel = (
                    raw[index[cols["relationship"]]].strip()
                    if "relationship" in cols and index[cols["relationship"]] < len(raw)
                    else ""
                )
                row_carers.append(CarerRow(name=name, relationship=rel, email=email))
            if row_errors:
                errors.append(RowError(line, "; ".join(row_errors)))
                continue
            rows.append(
                StudentRow(
                    line=line,
                    mis_id=mis_id,
                    given_name=cell("given_name"),
                    family_name=cell("family_name"),
                    preferred_name=cell("preferred_name"),
                    year_group=year or "",
                    form=cell("form"),
                    on_roll_from=dates["on_roll_from"],
                    left_on=dates["left_on"],
                    carers=row_carers,
                )
            )
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, f"Not a readable CSV line: {exc}."))
    return ParseResult(headers, mapping, rows, errors, encoding)
