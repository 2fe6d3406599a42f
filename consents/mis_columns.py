"""Which column of a MIS export holds what (issue 17: real MIS files import whole).

No MIS has one fixed layout (docs/mis-import.md; the research is in shared/mis-formats.md):
SIMS, Arbor and Bromcom export the fields a school chose, under their display names, so columns
are matched by alias after normalisation (case, spaces, punctuation and SIMS's `_x0020_` do not
matter). Every column gets a *target*:

- a student field (`mis_id`, `given_name`, ... see STUDENT_FIELDS);
- a part of a contact: `contact:email` is the contact of this row (files with one row per
  student and contact, the student repeated), `contact2:email` the second of numbered contacts
  ("Contact 2 Email", "Parent/Carer 2 Email", "Email (Contact 2)");
- `not_kept`: recognised, and deliberately not kept (least data: gender, phones, addresses...);
- `ignore`: the school said so for this column;
- None: not recognised. Such a column is never dropped silently: the preview asks the office to
  map or ignore it, and the answer is remembered for the school (`ColumnMapping`).

A school's remembered answers (column name -> target) win over the aliases.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

STUDENT_FIELDS: dict[str, str] = {
    "mis_id": "MIS identifier (UPN)",
    "family_name": "family name",
    "given_name": "given name",
    "preferred_name": "preferred name",
    "date_of_birth": "date of birth",
    "year_group": "year group",
    "form": "class or form",
    "on_roll_from": "on-roll date",
    "left_on": "leaving date",
}
REQUIRED_FIELDS = ("mis_id", "family_name", "given_name", "year_group")
CONTACT_PARTS: dict[str, str] = {
    "name": "full name",
    "forename": "forename",
    "surname": "surname",
    "relationship": "relationship",
    "email": "email",
    "priority": "priority",
    "responsibility": "parental responsibility",
}
MAX_NUMBERED_CONTACTS = 6  # Arbor caps priorities at 6; the form offers this many
IGNORE = "ignore"
NOT_KEPT = "not_kept"


def _compact(header: str) -> str:
    """Lower case, letters and digits only; SIMS CommandReporter's `_x0020_` is a space."""
    return re.sub(r"[^a-z0-9]", "", header.lower().replace("_x0020_", " "))


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_compact(alias): target for target, aliases in table.items() for alias in aliases}


# Student columns (FOUND in SIMS, Arbor/Bromcom via SchoolCloud, iSAMS, Wonde, ParentMail,
# ParentPay; see shared/mis-formats.md).
_STUDENT_ALIASES = _index(
    {
        "mis_id": (
            "UPN", "Unique Pupil Number", "Admission Number", "Adno", "MIS ID", "Student ID",
            "Pupil ID", "Person ID", "Person_id", "ID", "StudentID", "mis_id", "Pupil Ref",
        ),
        "family_name": (
            "Legal Surname", "Surname", "Last Name", "Legal Last Name", "Family Name",
            "Student Surname", "Pupil Surname", "Lastname", "legal_surname",
        ),
        "given_name": (
            "Legal Forename", "Forename", "First Name", "Legal First Name", "Given Name",
            "Student Forename", "Pupil Forename", "Firstname", "legal_forename",
        ),
        "preferred_name": (
            "Preferred Forename", "Preferred First Name", "Preferred Name", "Known As",
            "Chosen name", "Preferred Firstname", "preferred_forename",
        ),
        "date_of_birth": ("Date of Birth", "DOB", "Birth Date", "Birthdate", "date_of_birth"),
        "year_group": (
            "Year", "Year Group", "NC Year", "National Curriculum Year", "Curriculum Year",
            "NCyearActual", "Year taught in Code", "Student Year",
        ),
        "form": (
            "Reg", "Reg Group", "Registration Group", "Form", "Form Group", "Tutor Group",
            "Class", "Form/Tutor Group", "Registration", "RegGroup", "Class Name",
        ),
        "on_roll_from": (
            "Admission Date", "Date of Admission", "Start Date", "Enrolment Date", "Entry Date",
        ),
        "left_on": ("Leaving Date", "Date of Leaving", "End Date", "Leave Date"),
    }
)  # fmt: skip
# Recognised student columns the portal does not keep (least data, 4.5e needs none of them).
_STUDENT_NOT_KEPT = {
    _compact(h)
    for h in (
        "Gender", "Sex", "House", "Academic House", "Boarding House", "Ethnicity",
        "Ethnic Group", "EthnicitySource", "Religion", "Language", "Nationality", "FSM",
        "Free_meal", "FSMeligible", "Pupil Premium Indicator", "Pupil Premium", "SEN Status",
        "SEN", "SENProvision", "Looked After", "ULN", "UniqueLearnerNumber", "UCI",
        "Exam No.", "Exam Candidate Number", "Exam UCI Number", "Middle Names",
        "Legal Middle Names", "Initials", "Name Initials", "Preferred Surname",
        "Preferred Lastname", "Full Name", "FullName", "Name", "School Email Address",
        "AD Username", "Year of entry", "Enrolment NC Year", "Enrolment Form", "Group_code",
        "Enrolment Mode", "EnrolStatus", "Parental Consent", "Status", "Reason",
        "Primary_id", "Description", "Tutor", "Mobile Number", "Upi", "Student Email",
        "Primary Email", "Email", "Email Address",
    )
}  # fmt: skip
# Parts of a contact, named after "Contact 1", "Parent/Carer 1", ... or alone on a row.
_CONTACT_PART_ALIASES = _index(
    {
        "name": ("Name", "Full Name", "FullName", "Contact Name"),
        "forename": ("Forename", "First Name", "Firstname", "Given Name", "Legal Forename"),
        "surname": ("Surname", "Last Name", "Lastname", "Family Name", "Legal Surname"),
        "relationship": (
            "Relationship", "Relation", "Relationship to Student", "Relationship to Pupil",
            "Relationship Name", "Relationship Type", "Contact Type", "Relationship Description",
        ),
        "email": (
            "Email", "Email Address", "E-mail", "Primary Email", "Home Email", "Personal Email",
            "Personal Email Address", "Main Email", "Work Email", "Default Email",
        ),
        "priority": (
            "Priority", "Contact Priority", "Contact Order", "Order", "Priority Order",
            "Emergency Contact",
        ),
        "responsibility": (
            "Parental Responsibility", "Responsibility", "Has Parental Responsibility",
            "Parental Resp", "PR", "Legal Guardian",
        ),
    }
)  # fmt: skip
_CONTACT_NOT_KEPT = {
    _compact(h)
    for h in (
        "ID", "Person ID", "Contact ID", "Title", "Prefix", "Salutation", "Gender", "Sex",
        "Middle Names", "Initials", "Mobile", "Mobile Number", "Mobile Phone",
        "Mobile Telephone", "Home Telephone", "Work Telephone", "Telephone", "Phone",
        "Main Telephone", "Main Phone", "Address", "Home Address", "Postcode", "Home Postcode",
        "House Name", "House Number", "Street", "District", "Town", "County",
        "Lives with Pupil", "Lives with Student", "Lives With", "Address as Pupil",
        "Court Order", "Court Order Restricted Access", "Court Order Preventing Communication",
        "Correspondence", "Student Reports", "Reports", "Billing", "Bill Payer",
        "Preferred Email Type", "Preferred Telephone Type", "Related Students",
    )
}  # fmt: skip
_WHO = (
    r"(?:primary)?(?:contact|carer|parentcarer|parentorcarer|parent|guardian|prioritycontact|adult)"
)
_NUMBERED_BEFORE = re.compile(rf"^{_WHO}(\d{{1,2}})(.+)$")  # Contact 1 Email
_NUMBERED_AFTER = re.compile(rf"^(.+?){_WHO}(\d{{1,2}})$")  # Email (Contact 1)
_ROW_PREFIX = re.compile(rf"^{_WHO}(.+)$")  # Contact Email, Parent Forename
# Columns that only a contact has: their presence means a file of student-contact rows.
_CONTACT_ONLY = {"relationship", "priority", "responsibility"}
# Student columns a contact has too: after a contact column, they are the contact's.
_NAMES = ("given_name", "family_name", "mis_id")


def part_label(target: str) -> str:
    """How a target reads in the preview ("Contact 2: email", "Date of birth")."""
    if target == IGNORE:
        return "Ignore this column"
    if target == NOT_KEPT:
        return "Recognised, not kept"
    if target in STUDENT_FIELDS:
        return f"Student: {STUDENT_FIELDS[target]}"
    slot, _, part = target.partition(":")
    number = slot.removeprefix("contact")
    who = f"Contact {number}" if number else "Contact on this row"
    return f"{who}: {CONTACT_PARTS.get(part, part)}"


def valid_targets() -> list[str]:
    """Every target a column may be mapped to, in the order the form offers them."""
    slots = [""] + [str(n) for n in range(1, MAX_NUMBERED_CONTACTS + 1)]
    return [
        IGNORE,
        *STUDENT_FIELDS,
        *[f"contact{n}:{part}" for n in slots for part in CONTACT_PARTS],
    ]


_VALID = frozenset(valid_targets()) | {NOT_KEPT}


def column_keys(headers: list[str]) -> list[str]:
    """A name per column: the header, or "Forename #2" for the second of two columns with the
    same header (the SchoolBooking layout has `ID`, `Forename` and `Surname` twice)."""
    totals = Counter(headers)
    seen: Counter[str] = Counter()
    keys = []
    for h in headers:
        seen[h] += 1
        keys.append(h if totals[h] == 1 else f"{h} #{seen[h]}")
    return keys


def _contact_part(compact: str) -> str | None:
    if compact in _CONTACT_PART_ALIASES:
        return _CONTACT_PART_ALIASES[compact]
    if compact in _CONTACT_NOT_KEPT:
        return NOT_KEPT
    return None


def _numbered(compact: str) -> str | None:
    for pattern, slot_group, rest_group in ((_NUMBERED_BEFORE, 1, 2), (_NUMBERED_AFTER, 2, 1)):
        m = pattern.match(compact)
        if m and 1 <= int(m.group(slot_group)) <= MAX_NUMBERED_CONTACTS:
            part = _contact_part(m.group(rest_group))
            if part == NOT_KEPT:
                return NOT_KEPT
            if part:
                return f"contact{int(m.group(slot_group))}:{part}"
    return None


def _row_contact(compact: str) -> str | None:
    m = _ROW_PREFIX.match(compact)
    part = _contact_part(m.group(1)) if m else None
    if part:
        return NOT_KEPT if part == NOT_KEPT else f"contact:{part}"
    part = _CONTACT_PART_ALIASES.get(compact)
    return f"contact:{part}" if part in _CONTACT_ONLY else None


def detect(headers: list[str], saved: dict[str, str] | None = None) -> list[str | None]:
    """The target of each column: the school's saved answer, else the aliases, else None."""
    saved = {k: v for k, v in (saved or {}).items() if v in _VALID}
    keys = column_keys(headers)
    compacts = [_compact(h) for h in headers]
    row_contacts = any(
        (t := _row_contact(c)) and t != NOT_KEPT and saved.get(k) is None
        for c, k in zip(compacts, keys, strict=True)
    ) or any(v.startswith("contact:") for v in saved.values())
    targets: list[str | None] = []
    taken: set[str] = set()
    contact_seen = False  # a contact column came before: repeated names are the contact's
    for key, compact in zip(keys, compacts, strict=True):
        target = saved.get(key) or _numbered(compact)
        if target is None:
            student = _STUDENT_ALIASES.get(compact)
            row = _row_contact(compact)
            if row:
                target = row
            elif student and student not in taken and not (contact_seen and student in _NAMES):
                target = student
            elif student in _NAMES and contact_seen and row_contacts:
                part = {"given_name": "forename", "family_name": "surname"}.get(student)
                target = f"contact:{part}" if part else NOT_KEPT
            elif student == "mis_id":
                target = NOT_KEPT  # a second identifier (UPN and Adno): one is enough
            elif row_contacts and _CONTACT_PART_ALIASES.get(compact) == "email":
                target = "contact:email"
            elif compact in _STUDENT_NOT_KEPT or (row_contacts and compact in _CONTACT_NOT_KEPT):
                target = NOT_KEPT
            elif student and student in taken:
                target = None  # say which of the two it is
        if target and target.startswith("contact:") and target != "contact:email":
            contact_seen = True
        if target in STUDENT_FIELDS and target in taken and key not in saved:
            target = None
        if target in STUDENT_FIELDS:
            taken.add(target)
        targets.append(target)
    return targets


@dataclass
class Columns:
    """Where each field is: student fields and contact parts as column indexes."""

    headers: list[str]
    keys: list[str]
    targets: list[str | None]
    student: dict[str, int] = field(default_factory=dict)
    # slot -> part -> columns; slot 0 is the contact of the row, 1.. numbered contacts. Only
    # an email may have several columns (Home Email and Primary Email): all are read.
    contacts: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        return [k for k, t in zip(self.keys, self.targets, strict=True) if t is None]

    @property
    def not_kept(self) -> list[str]:
        return [k for k, t in zip(self.keys, self.targets, strict=True) if t == NOT_KEPT]

    @property
    def ignored(self) -> list[str]:
        return [k for k, t in zip(self.keys, self.targets, strict=True) if t == IGNORE]

    @property
    def one_row_per_contact(self) -> bool:
        return 0 in self.contacts

    def decisions(self) -> dict[str, str]:
        """Column name -> target, for every recognised or decided column (remembered)."""
        return {k: t for k, t in zip(self.keys, self.targets, strict=True) if t}


def resolve(headers: list[str], saved: dict[str, str] | None = None) -> Columns:
    """Detect each column's target and check the whole: every required field once, every
    column decided, no field given two columns, each contact with a name."""
    keys = column_keys(headers)
    targets = detect(headers, saved)
    cols = Columns(headers, keys, targets)
    where: dict[str, list[str]] = {}
    for i, (key, target) in enumerate(zip(keys, targets, strict=True)):
        if target is None or target in (IGNORE, NOT_KEPT):
            continue
        where.setdefault(target, []).append(key)
        if target in STUDENT_FIELDS:
            cols.student.setdefault(target, i)
        else:
            slot, _, part = target.partition(":")
            number = int(slot.removeprefix("contact") or 0)
            cols.contacts.setdefault(number, {}).setdefault(part, []).append(i)
    for target, keys_of in where.items():
        if len(keys_of) > 1 and not target.endswith(":email"):
            shown = ", ".join(repr(k) for k in keys_of)
            cols.problems.append(f"Columns {shown} are all mapped to {part_label(target)}.")
    for fld in REQUIRED_FIELDS:
        if fld not in cols.student:
            cols.problems.append(f"Missing column: {STUDENT_FIELDS[fld]}.")
    for number, parts in sorted(cols.contacts.items()):
        if not {"name", "forename", "surname"} & set(parts):
            who = f"contact {number}" if number else "the contact on each row"
            cols.problems.append(
                f"There is no name column for {who}: map the column with their name."
            )
    for key in cols.unknown:
        cols.problems.append(
            f"The column {key!r} is not recognised: choose what it holds, or ignore it."
        )
    return cols
