"""Checking every row of a MIS export (issue 17): values as the MIS write them, every bad row
reported with every reason, nothing written (that is `imports`).

`read` opens the file (`mis_files`), finds the columns (`mis_columns`) and checks each row.
The good rows come back as plain tuples ready to stream into the database (STUDENT_COLUMNS,
CARER_COLUMNS); `errors` stop the import; `warnings` are shown in the preview and do not:
names that look like spreadsheet formulas, dates read from spreadsheet serial numbers, several
emails in one cell, one email shared by several people, students with no contact.

Files with one row per student and contact (the student's columns repeated, as MIS reports
with contacts give them) and files with numbered contacts ("Contact 1 ...", "Parent/Carer 2
...") read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter

from .mis_columns import CONTACT_PARTS, REQUIRED_FIELDS, STUDENT_FIELDS, Columns, resolve
from .mis_files import FileUnreadable, open_table
from .mis_values import (
    FORMULA_START,
    PLAIN_EMAIL,
    Memo,
    date_or_error,
    email_ok,
    flag_or_bad,
    looks_like_formula,
    normalise_year,
    parse_flag,
    priority_or_bad,
    split_emails,
    year_range_label,
)

# Columns of Student an import sets from the file (besides the school and the MIS id).
STUDENT_DB_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "year_group",
    "form",
    "on_roll_from",
    "left_on",
    "date_of_birth",
)
STUDENT_COLUMNS = ("line", "mis_id", *STUDENT_DB_FIELDS)
# One per named contact of a good row: `position` orders a student's contacts (the n of
# "Contact n", else the priority, else the order in the file); priority and parental
# responsibility are None when the file does not say.
CARER_COLUMNS = (
    "line",
    "mis_id",
    "position",
    "name",
    "relationship",
    "email",
    "priority",
    "responsibility",
)
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

# --- reading ----------------------------------------------------------------------------------


@dataclass
class RowError:
    line: int  # line of the file as a spreadsheet shows it (header is line 1); 0: whole file
    reason: str


@dataclass
class Reading:
    """Every row checked: the good ones as tuples (STUDENT_COLUMNS, CARER_COLUMNS), the bad
    ones as errors. Nothing is good unless `errors` is empty."""

    headers: list[str]
    columns: Columns | None
    kind: str
    encoding: str
    errors: list[RowError]
    warnings: list[RowError] = field(default_factory=list)
    students: list[tuple] = field(default_factory=list)
    carers: list[tuple] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def mapping(self) -> dict[str, str]:
        return self.columns.decisions() if self.columns else {}


def read(
    data: bytes,
    mapping: dict[str, str] | None = None,
    *,
    years: tuple[str, ...] | None = None,
    today: date | None = None,
) -> Reading:
    """Check every row and report every bad one with its line and reasons.

    `mapping`: the school's remembered answers (column name -> target, `mis_columns`).
    `years`: the year groups the school teaches (`years_taught`); None accepts all.
    """
    try:
        table = open_table(data)
    except FileUnreadable as exc:
        return Reading([], None, "", "", [RowError(0, str(exc))])
    cols = resolve(table.headers, mapping)
    reading = Reading(table.headers, cols, table.kind, table.encoding, [])
    if cols.problems:
        reading.errors = [RowError(0, p) for p in cols.problems]
        return reading
    if "date_of_birth" not in cols.student:
        reading.warnings.append(
            RowError(
                0,
                "The file has no date of birth: parents and carers confirm it before they "
                "answer the consent round, so export it from the MIS if you can.",
            )
        )
    _Rows(reading, cols, len(table.headers), years, today or date.today(), table.has_nul).run(
        table.rows
    )
    return reading


class _Rows:
    """The row checks of one file; state shared across rows (ids seen, emails seen)."""

    def __init__(
        self, reading: Reading, cols: Columns, width: int, years, today: date, has_nul: bool
    ):
        self.reading, self.cols, self.width = reading, cols, width
        self.has_nul = has_nul
        self.bad_width: int | None = None
        self.age_of = Memo(lambda born: (today - date.fromisoformat(born)).days // 365)
        self.years = years
        self.today = today
        self.year_of = Memo(normalise_year)
        self.date_of = Memo(date_or_error)
        self.email_ok = Memo(email_ok)
        self.first_line: dict[str, int] = {}  # MIS id -> first line
        self.student_of: dict[str, tuple] = {}  # MIS id -> its student tuple
        self.order: dict[str, int] = {}  # MIS id -> contacts so far (row-contact files)
        # An email in any case -> the first name and line it came with; the names of an email
        # given for several people, only for those (a dict per email would cost a file of
        # 200,000 contacts as many dicts).
        self.first_name_by_email: dict[str, tuple[str, int]] = {}
        self.names_by_email: dict[str, dict[str, int]] = {}  # email -> name -> first line
        self.with_contact: set[str] = set()
        # Column indexes, a missing column pointing at the empty cell every row gets at
        # `width` (rows are padded): a 100,000-row file then costs a few look-ups a row.
        self.pick = [(fld, cols.student.get(fld, width)) for fld in STUDENT_FIELDS]
        self.slots = [
            (
                slot,
                {p: idx[0] for p, idx in parts.items() if p != "email"},
                parts.get("email", []),
            )
            for slot, parts in sorted(cols.contacts.items())
        ]
        self.fast_pick = itemgetter(*[i for _, i in self.pick])
        # Per contact: name, forename, surname, relationship, priority, responsibility and
        # the one email column (None: several email columns, the checked path reads them).
        self.fast_slots = [
            (
                slot,
                (
                    *(single.get(p, width) for p in ("name", "forename", "surname")),
                    *(single.get(p, width) for p in ("relationship", "priority")),
                    single.get("responsibility", width),
                    emails[0] if len(emails) == 1 else (width if not emails else None),
                ),
            )
            for slot, single, emails in self.slots
        ]
        self.priority_of = Memo(priority_or_bad)
        self.flag_of = Memo(flag_or_bad)

    def run(self, rows) -> None:
        reading = self.reading
        width = self.width
        for line, raw in rows:
            if not (raw and raw[0].strip()) and not "".join(raw).strip():
                continue  # a blank line, or a row of empty cells
            if len(raw) != width:
                self.bad_width = len(raw)
                raw = raw + [""] * (width + 1 - len(raw)) if len(raw) < width else raw + [""]
            else:
                self.bad_width = None
                raw.append("")
            problems: list[str] = []
            warnings: list[str] = []
            student = self.student(line, raw, problems, warnings)
            contacts = self.contacts(line, raw, student[1] if student else "", problems, warnings)
            if problems:
                reading.errors.append(RowError(line, "; ".join(problems)))
                continue
            for w in warnings:
                reading.warnings.append(RowError(line, w))
            mis_id = student[1]
            if mis_id not in self.student_of:
                self.student_of[mis_id] = student
                reading.students.append(student)
            reading.carers.extend(contacts)
            if contacts:
                self.with_contact.add(mis_id)
            for contact in contacts:
                email = contact[5].lower()
                if email:
                    first = self.first_name_by_email.setdefault(email, (contact[3], line))
                    if first[0] != contact[3]:
                        names = self.names_by_email.setdefault(email, dict((first,)))
                        names.setdefault(contact[3], line)
        self.finish()

    def student(self, line: int, raw: list[str], problems: list[str], warnings: list[str]):
        """The student tuple of a row. Most rows are good: they pass one chain of cheap checks
        (values worked out once per distinct date or year group); any other row takes
        `_student_checked`, which gives every reason and every note."""
        if self.bad_width is None and not self.has_nul:
            mis_id, family, given, preferred, born_raw, year_raw, form, roll_raw, left_raw = map(
                str.strip, self.fast_pick(raw)
            )
            year = self.year_of[year_raw]
            roll, left, born = (
                self.date_of[roll_raw],
                self.date_of[left_raw],
                self.date_of[born_raw],
            )
            if (
                mis_id
                and family
                and given
                and year
                and (self.years is None or year in self.years)
                and mis_id not in self.first_line
                and roll is not None
                and left is not None
                and born is not None
                and not (roll[1] or left[1] or born[1])
                and (born[0] is None or 1 <= self.age_of[born[0]] <= 25)
                and len(mis_id) <= 32
                and len(given) <= 100
                and len(family) <= 100
                and len(preferred) <= 100
                and len(form) <= 20
                and not given.startswith(FORMULA_START)
                and not family.startswith(FORMULA_START)
                and not preferred.startswith(FORMULA_START)
            ):
                self.first_line[mis_id] = line
                return (
                    line,
                    mis_id,
                    given,
                    family,
                    preferred,
                    year,
                    form,
                    roll[0],
                    left[0],
                    born[0],
                )
        return self._student_checked(line, raw, problems, warnings)

    def _student_checked(self, line: int, raw: list[str], problems: list[str], warnings: list[str]):
        if self.bad_width is not None:
            problems.append(f"has {self.bad_width} fields, the header has {self.width}")
        if self.has_nul and "\x00" in "".join(raw):
            problems.append("contains a NUL character")
        values = {fld: raw[i].strip() for fld, i in self.pick}
        for fld in REQUIRED_FIELDS:
            if not values[fld]:
                problems.append(f"missing {STUDENT_FIELDS[fld]}")
        year = self.year_of[values["year_group"]] if values["year_group"] else None
        if values["year_group"] and year is None:
            problems.append(
                f"unknown year group {values['year_group']!r} (use N1, N2, R or 1 to 13)"
            )
        elif year and self.years is not None and year not in self.years:
            problems.append(
                f"year group {values['year_group']!r} is not taught at this school "
                f"({year_range_label(self.years)})"
            )
        dates: dict[str, str | None] = {}
        for fld in ("on_roll_from", "left_on", "date_of_birth"):
            got = self.date_of[values[fld]]
            if got is None:
                problems.append(
                    f"bad date {values[fld]!r} for {STUDENT_FIELDS[fld]} (use DD/MM/YYYY)"
                )
                dates[fld] = None
                continue
            dates[fld], serial = got
            if serial:
                shown = date.fromisoformat(got[0]).strftime("%d/%m/%Y")
                warnings.append(
                    f"{STUDENT_FIELDS[fld]} {values[fld]!r} read as a spreadsheet date "
                    f"number: {shown}; check it"
                )
        born = dates.get("date_of_birth")
        if born:
            age = self.age_of[born]
            if age < 0:
                problems.append(f"date of birth {values['date_of_birth']!r} is in the future")
            elif not 1 <= age <= 25:
                problems.append(
                    f"date of birth {values['date_of_birth']!r} gives an age of {age}: "
                    "check the column"
                )
        for fld, limit in MAX_LENGTHS.items():
            if len(values[fld]) > limit:
                problems.append(f"{STUDENT_FIELDS[fld]} longer than {limit} characters")
        for fld in ("given_name", "family_name", "preferred_name"):
            if looks_like_formula(values[fld]):
                warnings.append(
                    f"{STUDENT_FIELDS[fld]} {values[fld]!r} looks like a spreadsheet formula: "
                    "kept as written, made safe in every export"
                )
        mis_id = values["mis_id"]
        student = (
            line,
            mis_id,
            values["given_name"],
            values["family_name"],
            values["preferred_name"],
            year or "",
            values["form"],
            dates.get("on_roll_from"),
            dates.get("left_on"),
            born,
        )
        first = self.first_line.get(mis_id)
        if mis_id and first is None:
            self.first_line[mis_id] = line
        elif mis_id and not self.cols.one_row_per_contact:
            problems.append(f"duplicate MIS id {mis_id!r} (first on line {first})")
        elif mis_id and mis_id in self.student_of and not problems:
            earlier = self.student_of[mis_id]
            differ = [
                STUDENT_FIELDS.get(f, f)
                for f, a, b in zip(STUDENT_COLUMNS[2:], student[2:], earlier[2:], strict=True)
                if a != b
            ]
            if differ:
                problems.append(
                    f"the student's details differ from line {first} ({', '.join(differ)})"
                )
        return student

    def contacts(
        self, line: int, raw: list[str], mis_id: str, problems: list[str], warnings: list[str]
    ) -> list[tuple]:
        """The contacts of a row. A plain contact (one email, priority and responsibility as
        expected, no formula) takes the quick path; any other, `_contacts_checked`."""
        found = []
        width = self.width
        plain_email = PLAIN_EMAIL.fullmatch
        for slot, (name_i, fore_i, sur_i, rel_i, pri_i, resp_i, email_i) in self.fast_slots:
            if email_i is None:
                return self._contacts_checked(line, raw, mis_id, problems, warnings)
            name = raw[name_i].strip()
            if not name and (fore_i != width or sur_i != width):
                fore, sur = raw[fore_i].strip(), raw[sur_i].strip()
                name = f"{fore} {sur}" if fore and sur else fore or sur
            email = raw[email_i].strip()
            relationship = raw[rel_i].strip()
            if not name:
                if email or relationship:
                    return self._contacts_checked(line, raw, mis_id, problems, warnings)
                continue
            priority = self.priority_of[raw[pri_i].strip()]
            responsibility = self.flag_of[raw[resp_i].strip()]
            # A plain address (the quick pattern: one address, no separator) passes here;
            # any other takes the checked path, which decides with Django's validator.
            if (
                priority is False
                or responsibility == "bad"
                or (
                    email
                    and not (
                        plain_email(email)
                        and ".." not in email
                        and email[0] != "."
                        and len(email) <= 254
                    )
                )
                or len(name) > 200
                or len(relationship) > 50
                or name.startswith(FORMULA_START)
            ):
                return self._contacts_checked(line, raw, mis_id, problems, warnings)
            if slot:
                position = slot
            else:
                self.order[mis_id] = self.order.get(mis_id, 0) + 1
                position = priority or self.order[mis_id]
            found.append(
                (line, mis_id, position, name, relationship, email, priority, responsibility)
            )
        return found

    def _contacts_checked(
        self, line: int, raw: list[str], mis_id: str, problems: list[str], warnings: list[str]
    ) -> list[tuple]:
        found = []
        for slot, single, email_columns in self.slots:
            one = {p: raw[i].strip() for p, i in single.items()}
            cells = [raw[i].strip() for i in email_columns]
            emails = [e for c in cells for e in split_emails(c)]
            name = one.get("name") or " ".join(
                x for x in (one.get("forename", ""), one.get("surname", "")) if x
            )
            who = f"contact {slot}" if slot else "the contact"
            if not name:
                if emails or one.get("relationship"):
                    problems.append(f"{who} has no name")
                continue
            for address in emails:
                if len(address) > CARER_MAX_LENGTHS["email"]:
                    problems.append(f"{who} email longer than 254 characters")
                elif not self.email_ok[address]:
                    problems.append(f"bad email {address!r} for {who}")
            distinct = list(dict.fromkeys(e.lower() for e in emails))
            if len(distinct) > 1:
                warnings.append(
                    f"{who} has {len(distinct)} email addresses ({', '.join(distinct)}): "
                    f"the first, {emails[0]}, is used"
                )
            priority = None
            if one.get("priority"):
                try:
                    priority = int(float(one["priority"]))
                    if not 1 <= priority <= 99:
                        raise ValueError
                except ValueError:
                    problems.append(f"priority {one['priority']!r} for {who} is not 1 to 99")
            try:
                responsibility = parse_flag(one.get("responsibility", ""))
            except ValueError:
                problems.append(
                    f"parental responsibility {one['responsibility']!r} for {who}: use Yes or No"
                )
                responsibility = None
            relationship = one.get("relationship", "")
            for what, got in (("name", name), ("relationship", relationship)):
                if len(got) > CARER_MAX_LENGTHS[what]:
                    limit = CARER_MAX_LENGTHS[what]
                    problems.append(f"{who} {what} longer than {limit} characters")
            if looks_like_formula(name):
                warnings.append(
                    f"{who} name {name!r} looks like a spreadsheet formula: kept as written, "
                    "made safe in every export"
                )
            if slot:
                position = slot
            else:
                self.order[mis_id] = self.order.get(mis_id, 0) + 1
                position = priority or self.order[mis_id]
            found.append(
                (
                    line,
                    mis_id,
                    position,
                    name,
                    relationship,
                    emails[0] if emails else "",
                    priority,
                    responsibility,
                )
            )
        return found

    def finish(self) -> None:
        """File-wide warnings: one email for several people, students with no contact."""
        reading = self.reading
        shared = self.names_by_email
        if shared:  # in the order the emails first came
            shared = {e: shared[e] for e in self.first_name_by_email if e in shared}
        for email, names in shared.items():
            if len(names) > 1:
                line = min(names.values())
                reading.warnings.append(
                    RowError(
                        line,
                        f"{email} is the email of {len(names)} people ({', '.join(names)}): "
                        "a shared family email; each gets the same messages",
                    )
                )
        if self.cols.contacts and not reading.errors:
            without = [s[1] for s in reading.students if s[1] not in self.with_contact]
            if without:
                reading.warnings.append(
                    RowError(
                        0,
                        f"{len(without)} students have no parent or carer in the file "
                        f"(first: MIS id {without[0]}).",
                    )
                )
        reading.warnings.sort(key=lambda w: w.line)


__all__ = [
    "CARER_COLUMNS",
    "CONTACT_PARTS",
    "STUDENT_COLUMNS",
    "Reading",
    "RowError",
    "read",
]
