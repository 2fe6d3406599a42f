"""Every example file in consents/examples/ imports as documented (issue 17): each layout's
students, contacts, priorities, parental responsibility and dates of birth arrive whole; the
bad files are refused with every reason and write nothing."""

from pathlib import Path

import pytest

from consents.imports import column_mapping_save, import_confirm, import_preview
from consents.mis_columns import resolve
from consents.mis_rows import read
from consents.mis_values import normalise_year, parse_date, years_taught
from consents.models import ColumnMapping, ImportBatch, Student, StudentCarer

EXAMPLES = Path(__file__).resolve().parents[2] / "consents" / "examples"
SECONDARY = (11, 18)
PRIMARY = (4, 11)
# file -> (ages of the school, students, contacts linked)
GOOD = {
    "sims-students.csv": (SECONDARY, 5, 7),
    "sims-students.xlsx": (SECONDARY, 3, 3),
    "sims-contacts-report.csv": (SECONDARY, 4, 6),
    "arbor-guardians.csv": (SECONDARY, 3, 5),
    "bromcom-contacts.csv": (PRIMARY, 3, 4),
    "scholarpack-contacts.csv": (PRIMARY, 2, 3),
    "parent-carer-numbered.csv": (SECONDARY, 2, 3),
    "wonde-flattened.csv": (SECONDARY, 2, 3),
    "parentmail-template.csv": (SECONDARY, 1, 2),
}


def test_every_example_file_is_covered_here():
    named = set(GOOD) | {
        "sims-students-with-errors.csv",
        "sims-contacts-report-with-errors.csv",
        "unknown-columns.csv",
    }
    assert {p.name for p in EXAMPLES.iterdir()} == named


def preview(world, name, ages=SECONDARY):
    school = world.school_a
    school.age_from, school.age_to = ages
    school.save()
    return import_preview(
        actor=world.office_a,
        school=school,
        file_name=name,
        data=(EXAMPLES / name).read_bytes(),
    )


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_good_layout_imports_whole(world, name):
    ages, students, links = GOOD[name]
    batch = preview(world, name, ages)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    import_confirm(actor=world.office_a, batch=batch)
    assert Student.objects.filter(school=world.school_a).count() == students
    assert StudentCarer.objects.filter(student__school=world.school_a).count() == links
    # Every student has a date of birth and a year group the school teaches.
    taught = years_taught(*ages)
    for s in Student.objects.filter(school=world.school_a):
        assert s.date_of_birth is not None and s.year_group in taught


def test_the_sims_report_that_used_to_drop_every_contact_keeps_them(world):
    """One row per student and contact, "Contact Forename", "Relationship", "Priority",
    "Parental Responsibility", "Primary Email": the old reader saw no contact at all."""
    import_confirm(actor=world.office_a, batch=preview(world, "sims-contacts-report.csv"))
    amara = Student.objects.get(mis_id="001234")
    assert (amara.year_group, amara.date_of_birth.isoformat()) == ("7", "2014-05-12")
    links = {
        (k.carer.name, k.relationship, k.priority, k.parental_responsibility, k.carer.email)
        for k in amara.carer_links.select_related("carer")
    }
    assert links == {
        ("Ngozi Okafor", "Mother", 1, True, "ngozi.okafor@example.org"),
        ("Chidi Okafor", "Father", 2, True, "chidi.okafor@example.org"),
        ("Grace Adeyemi", "Grandmother", 3, False, ""),
    }
    # Siblings share one carer record; the cell with two emails keeps the first.
    anna = StudentCarer.objects.filter(carer__name="Anna Kowalska")
    assert anna.count() == 2 and len({k.carer_id for k in anna}) == 1
    assert Student.objects.get(mis_id="001237").carers.get().email == "morag@example.org"


def test_preview_warns_about_what_it_read_with_care(world):
    batch = preview(world, "sims-contacts-report.csv")
    notes = " ".join(note for _, note in batch.warnings)
    assert "2 email addresses" in notes
    assert batch.summary["not_kept"] == ["UPN", "Gender"]
    shared = preview(world, "arbor-guardians.csv")
    assert any("shared family email" in note for _, note in shared.warnings)
    xlsx = preview(world, "sims-students.xlsx")
    assert xlsx.summary["kind"] == "xlsx"
    assert any("spreadsheet date number: 30/09/2014" in n for _, n in xlsx.warnings)


def test_the_bad_contacts_report_is_refused_with_every_reason(world):
    batch = preview(world, "sims-contacts-report-with-errors.csv")
    assert batch.status == ImportBatch.Status.REJECTED
    reasons = dict(batch.errors)
    assert "bad date '31/02/2013' for date of birth" in reasons[2]
    assert "unknown year group 'Year 14'" in reasons[3]
    assert "parental responsibility 'maybe'" in reasons[4]
    assert "bad email 'not-an-email'" in reasons[5] and "priority 'first'" in reasons[5]
    assert "is in the future" in reasons[7] and "the contact has no name" in reasons[7]
    with pytest.raises(Exception):  # noqa: B017 - ImportRefused
        import_confirm(actor=world.office_a, batch=batch)
    assert not Student.objects.exists()


def test_a_year_group_the_school_does_not_teach_is_a_row_error(world):
    batch = preview(world, "bromcom-contacts.csv", SECONDARY)
    assert batch.status == ImportBatch.Status.REJECTED
    assert "year group 'R' is not taught at this school (7–13)" in dict(batch.errors)[2]


def test_unknown_columns_are_asked_for_then_remembered_for_the_school(world):
    batch = preview(world, "unknown-columns.csv")
    assert batch.status == ImportBatch.Status.REJECTED
    assert [r for _, r in batch.errors] == [
        "The column 'Dietary Needs' is not recognised: choose what it holds, or ignore it.",
        "The column 'Photo Opt Out' is not recognised: choose what it holds, or ignore it.",
    ]
    again = column_mapping_save(
        actor=world.office_a,
        batch=batch,
        decisions={"Dietary Needs": "ignore", "Photo Opt Out": "ignore"},
    )
    assert again.status == ImportBatch.Status.PREVIEWED
    assert again.summary["ignored"] == ["Dietary Needs", "Photo Opt Out"]
    assert ColumnMapping.objects.get(school=world.school_a).mapping["Dietary Needs"] == "ignore"
    third = preview(world, "unknown-columns.csv")
    assert third.status == ImportBatch.Status.PREVIEWED  # remembered


def test_missing_students_are_listed_and_left_only_with_their_own_confirmation(world):
    for i in range(10):
        Student.objects.create(
            school=world.school_a, mis_id=f"OLD{i}", given_name="Old", family_name=f"S{i}",
            year_group="9",
        )  # fmt: skip
    batch = preview(world, "sims-students.csv")
    assert len(batch.leavers) == 10 and batch.summary["partial"] is True
    import_confirm(actor=world.office_a, batch=batch)  # no tick: nobody leaves
    assert Student.objects.filter(left_on__isnull=True).count() == 15
    batch = preview(world, "sims-students.csv")
    import_confirm(actor=world.office_a, batch=batch, mark_left=True)
    assert set(Student.objects.filter(left_on__isnull=False).values_list("mis_id", flat=True)) == {
        f"OLD{i}" for i in range(10)
    }


def test_a_formula_name_is_kept_and_flagged(world):
    data = (
        b"UPN,Surname,Forename,Year\r\n"
        b'F1,"=HYPERLINK(""http://x.example"",""Click"")",Ann,9\r\n'
        b"F2,-Smith,@Bob,9\r\n"
    )
    reading = read(data, years=years_taught(*SECONDARY))
    assert reading.ok
    assert reading.students[0][3] == '=HYPERLINK("http://x.example","Click")'
    assert [w.line for w in reading.warnings if w.line] == [2, 3, 3]


def test_one_row_per_contact_must_agree_on_the_student():
    data = (
        b"UPN,Surname,Forename,Year,Contact Forename,Contact Surname,Relationship\r\n"
        b"1,Ali,Sara,8,Huda,Ali,Mother\r\n"
        b"1,Ali,Sara,9,Omar,Ali,Father\r\n"
    )
    reasons = {e.line: e.reason for e in read(data).errors}
    assert reasons == {3: "the student's details differ from line 2 (year group)"}


@pytest.mark.parametrize(
    "raw, year",
    [
        ("Year  7", "7"), ("Year 10", "10"), ("Y10", "10"), ("7", "7"), ("R", "R"),
        ("Reception", "R"), ("Rec", "R"), ("N1", "N1"), ("Nursery 2", "N2"), ("FS1", "N2"),
        ("13", "13"), ("L6", "12"), ("U6", "13"),
    ],
)  # fmt: skip
def test_year_groups_in_the_forms_mis_write_them(raw, year):
    assert normalise_year(raw) == year


@pytest.mark.parametrize("raw", ["Year 14", "Year 15", "0", "X", "Nursery", "Class 3", ""])
def test_anything_else_is_not_a_year_group(raw):
    assert normalise_year(raw) is None


@pytest.mark.parametrize(
    "raw, iso, serial",
    [
        ("14/03/2015", "2015-03-14", False),
        ("2015-03-14", "2015-03-14", False),
        ("2012-09-29 00:00:00.000000", "2012-09-29", False),
        ("Tue, 14 Mar 2014", "2014-03-14", False),
        ("Wed, 09 Sep 2026, 11:20", "2026-09-09", False),
        ("42912", "2017-06-26", True),
    ],
)
def test_dates_as_mis_and_spreadsheets_write_them(raw, iso, serial):
    day, was_serial = parse_date(raw)
    assert (day.isoformat(), was_serial) == (iso, serial)


@pytest.mark.parametrize("raw", ["31/02/2026", "29/02/2025", "2026", "12", "next week"])
def test_impossible_dates_are_refused(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize(
    "headers, expected",
    [
        (["Contact 1 Parental Responsibility"], ["contact1:responsibility"]),
        (["Parent/Carer 2 Email Address"], ["contact2:email"]),
        (["Email (Contact 3)"], ["contact3:email"]),
        (["Legal_x0020_Surname"], ["family_name"]),
        (["ContactForename", "Relationship", "Priority"], ["contact:forename",
         "contact:relationship", "contact:priority"]),
        (["Gender", "Mobile Number"], ["not_kept", "not_kept"]),
        (["Dietary Needs"], [None]),
    ],
)  # fmt: skip
def test_columns_are_recognised_by_alias(headers, expected):
    assert resolve(headers).targets == expected


def test_duplicate_headers_are_told_apart_by_position():
    headers = ["ID", "Forename", "Surname", "ID", "Priority", "Forename", "Surname", "Year"]
    cols = resolve(headers)
    assert cols.keys[3] == "ID #2"
    assert cols.targets == [
        "mis_id", "given_name", "family_name", "not_kept", "contact:priority",
        "contact:forename", "contact:surname", "year_group",
    ]  # fmt: skip


def test_workbooks_are_parsed_with_defusedxml_and_bad_ones_refused():
    import openpyxl.xml

    from consents.mis_files import FileUnreadable, open_table

    assert openpyxl.xml.DEFUSEDXML  # openpyxl hands its XML to defusedxml
    with pytest.raises(FileUnreadable):
        open_table(b"PK\x03\x04 not really a zip")
    reading = read(b"PK\x03\x04 broken")
    assert reading.errors and "cannot be opened" in reading.errors[0].reason
