"""Reading a MIS export fast (issue 9): `mis_rows.read`, the import's path, checks every row as
`parse` always did, and reports what the database would refuse as a bad row of the preview."""

import pytest

from consents.mis_rows import CARER_MAX_LENGTHS, MAX_LENGTHS, STUDENT_COLUMNS, read
from consents.models import Carer, Student, StudentCarer

HEAD = "UPN,Surname,Forename,Year,Admission Date,Contact 1 Name,Contact 1 Email\r\n"


def test_length_limits_are_the_models_column_sizes():
    assert {f: Student._meta.get_field(f).max_length for f in MAX_LENGTHS} == MAX_LENGTHS
    assert {
        "name": Carer._meta.get_field("name").max_length,
        "email": Carer._meta.get_field("email").max_length,
        "relationship": StudentCarer._meta.get_field("relationship").max_length,
    } == CARER_MAX_LENGTHS


def test_read_gives_tuples_with_iso_dates():
    data = (
        HEAD + "1,Ó Sé,Dáithí,Year 3,1/9/2025,Mam,mam@example.org\r\n2,Li,Wei,R,,,\r\n"
    ).encode()
    reading = read(data)
    assert reading.ok
    assert dict(zip(STUDENT_COLUMNS, reading.students[0], strict=True)) == {
        "line": 2,
        "mis_id": "1",
        "given_name": "Dáithí",
        "family_name": "Ó Sé",
        "preferred_name": "",
        "year_group": "3",
        "form": "",
        "on_roll_from": "2025-09-01",
        "left_on": None,
        "date_of_birth": None,
    }
    assert reading.carers == [(2, "1", 1, "Mam", "", "mam@example.org", None, None)]
    assert [(s[1], s[7]) for s in reading.students] == [("1", "2025-09-01"), ("2", None)]


def test_blank_lines_and_empty_rows_are_skipped_but_keep_their_line_numbers():
    data = (HEAD + "\r\n,,,,,,\r\n1,A,B,7,,,\r\n2,A,,7,,,\r\n").encode()
    reading = read(data)
    assert [s[0] for s in reading.students] == [4]
    assert [(e.line, e.reason) for e in reading.errors] == [(5, "missing given name")]


def test_every_reason_of_a_bad_row_is_given_in_order():
    data = (HEAD + "1,A,B,7,,,\r\n1,,B,Year 20,31/02/2026,Mam,x@y\r\n,A\r\n").encode()
    reasons = {e.line: e.reason for e in read(data).errors}
    assert reasons == {
        3: "missing family name; unknown year group 'Year 20' (use N1, N2, R or 1 to 13); "
        "bad date '31/02/2026' for on-roll date (use DD/MM/YYYY); "
        "duplicate MIS id '1' (first on line 2); bad email 'x@y' for contact 1",
        4: "has 2 fields, the header has 7; missing MIS identifier (UPN); missing given name; "
        "missing year group",
    }


def test_a_bad_row_still_counts_as_the_first_of_its_mis_id():
    data = (HEAD + "1,A,,7,,,\r\n1,A,B,7,,,\r\n").encode()
    reasons = {e.line: e.reason for e in read(data).errors}
    assert reasons == {2: "missing given name", 3: "duplicate MIS id '1' (first on line 2)"}


@pytest.mark.parametrize(
    "cells, reason",
    [
        ("X" * 33 + ",A,B,7,,,", "MIS identifier (UPN) longer than 32 characters"),
        ("1," + "A" * 101 + ",B,7,,,", "family name longer than 100 characters"),
        ("1,A,B,7,," + "M" * 201 + ",", "contact 1 name longer than 200 characters"),
        (
            "1,A,B,7,,Mam," + "m" * 250 + "@example.org",
            "contact 1 email longer than 254 characters",
        ),
        ("1,A\x00,B,7,,,", "contains a NUL character"),
    ],
)
def test_what_the_database_would_refuse_is_a_bad_row(cells, reason):
    reading = read((HEAD + cells + "\r\n").encode())
    assert [(e.line, e.reason) for e in reading.errors] == [(2, reason)]
    assert reading.students == [] and reading.carers == []


def test_a_nul_elsewhere_in_the_file_does_not_spoil_good_rows():
    reading = read((HEAD + "1,A,B,7,,,\r\n2,A\x00,B,7,,,\r\n").encode())
    assert [s[1] for s in reading.students] == ["1"]
    assert [e.line for e in reading.errors] == [3]
