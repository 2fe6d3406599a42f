"""Reading MIS exports as they come (issue 6, Import from the MIS)."""

from pathlib import Path

import pytest

from consents.mis_csv import detect_mapping, normalise_year, parse

EXAMPLES = Path(__file__).resolve().parents[2] / "consents" / "examples"


def test_good_example_file_parses_with_names_unchanged():
    result = parse((EXAMPLES / "sims-students.csv").read_bytes())
    assert result.ok, result.errors
    assert result.encoding == "utf-8"
    by_id = {r.mis_id: r for r in result.rows}
    assert by_id["A123456789012"].given_name == "Siobhán"
    assert by_id["A123456789012"].family_name == "O'Brien"
    assert by_id["C123456789012"].family_name == "Smith, Jr"  # quoted field with a comma
    assert by_id["B123456789012"].family_name == "Nguyễn"
    assert by_id["D123456789012"].year_group == "R"
    assert by_id["C123456789012"].year_group == "8"
    assert [c.name for c in by_id["A123456789012"].carers] == ["Máire O'Brien", "Liam O'Brien"]
    assert by_id["A123456789012"].on_roll_from.isoformat() == "2026-09-01"


def test_errors_example_reports_every_bad_row_with_its_reason():
    result = parse((EXAMPLES / "sims-students-with-errors.csv").read_bytes())
    assert result.encoding == "windows-1252"
    reasons = {e.line: e.reason for e in result.errors}
    assert "duplicate MIS id 'A123456789012' (first on line 2)" in reasons[3]
    assert "missing given name" in reasons[4]
    assert "unknown year group 'Year 15'" in reasons[5]
    assert "bad date '31/02/2026'" in reasons[6]
    assert "bad email 'not-an-email'" in reasons[7]
    assert [r.mis_id for r in result.rows] == ["A123456789012"]
    assert result.rows[0].given_name == "Siobhán"  # Windows-1252 decoded correctly


def test_missing_required_column_is_a_file_error():
    result = parse(b"UPN,Surname,Year\r\n1,A,7\r\n")
    assert [e.reason for e in result.errors] == ["Missing column: given name."]
    assert result.rows == []


@pytest.mark.parametrize(
    "headers, expected",
    [
        (["UPN", "Legal Surname", "Legal Forename", "Year", "Reg"], "SIMS"),
        (["Student ID", "Last Name", "First Name", "Year Group", "Registration Group"], "Arbor"),
        (["Adno", "Surname", "Forename", "NC Year", "Tutor Group"], "Bromcom"),
    ],
)
def test_common_mis_headers_are_recognised(headers, expected):
    mapping = detect_mapping(headers)
    assert set(mapping) == {"mis_id", "family_name", "given_name", "year_group", "form"}, expected


def test_a_saved_mapping_reads_any_layout():
    mapping = {"mis_id": "Pupil Ref", "family_name": "Fam", "given_name": "Giv", "year_group": "Yr"}
    result = parse("Pupil Ref,Fam,Giv,Yr\nP1,Ó Sé,Dáithí,Year 3\n".encode(), mapping)
    assert result.ok and result.rows[0].family_name == "Ó Sé"
    unknown = parse(b"Pupil Ref,Fam,Giv,Yr\n", {**mapping, "form": "Nope"})
    assert unknown.errors[0].reason == "The column 'Nope' is not in this file."


def test_bom_crlf_lf_and_windows_1252_give_the_same_rows():
    body = "UPN,Surname,Forename,Year\r\n1,Ní Bhriain,Aoife,5\r\n"
    variants = [
        body.encode("utf-8-sig"),
        body.encode("utf-8"),
        body.replace("\r\n", "\n").encode("utf-8"),
        body.encode("cp1252"),
    ]
    for data in variants:
        assert [(r.mis_id, r.family_name) for r in parse(data).rows] == [("1", "Ní Bhriain")]


@pytest.mark.parametrize(
    "raw, year",
    [("Year 7", "7"), ("Y10", "10"), ("R", "R"), ("Reception", "R"), ("N1", "N"), ("13", "13")],
)
def test_year_groups(raw, year):
    assert normalise_year(raw) == year


@pytest.mark.parametrize("raw", ["Year 15", "0", "Class 3", ""])
def test_unknown_year_groups(raw):
    assert normalise_year(raw) is None
