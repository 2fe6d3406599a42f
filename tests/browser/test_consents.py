"""Issue 6 in Chromium: office staff import the example file, fix the errors file and see the
coverage; a teacher's check with one student without consent is blocked; a withdrawal becomes
a takedown task for the account's owner."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from channels.models import OfficialAccount
from consents.models import Student

from .test_channels import sign_in

EXAMPLES = Path(settings.BASE_DIR) / "consents" / "examples"
OFFICE = "office@northfield.starmat.example"
# The example files are of a secondary school (years 7 to 11): Riverside's office imports them.
SECONDARY_OFFICE = "office@riverside.starmat.example"
TEACHER = "teacher@northfield.starmat.example"


def upload(visitor, path: Path, slug: str) -> None:
    visitor.goto("consents:import_start", slug=f"{slug}-form")
    visitor.page.locator('[name="file"]').set_input_files(str(path))
    visitor.submit("Check the file", slug=slug)


def test_office_imports_fixes_errors_and_sees_coverage(new_visitor, tmp_path):
    call_command("load_demo", stdout=StringIO())
    office = new_visitor("office")
    sign_in(office, SECONDARY_OFFICE)

    upload(office, EXAMPLES / "sims-students.csv", "good-preview")
    assert (
        "New students" in office.text()
        and "5" in office.page.locator("#import-summary").inner_text()
    )
    office.submit("Import these students", slug="good-imported")
    assert "Import complete" in office.text()
    assert Student.objects.filter(mis_id="A123456789012").exists()

    upload(office, EXAMPLES / "sims-students-with-errors.csv", "errors-preview")
    errors = office.page.locator("#import-errors").inner_text()
    for reason in (
        "duplicate MIS id",
        "missing given name",
        "unknown year group",
        "bad date",
        "bad email",
    ):
        assert reason in errors
    assert office.page.get_by_role("button", name="Import these students").count() == 0

    # The office fixes the file (as they would in a spreadsheet) and uploads it again.
    text = (EXAMPLES / "sims-students-with-errors.csv").read_bytes().decode("cp1252")
    fixed = (
        text.replace("A123456789012,Twice", "K123456789012,Twice")
        .replace("Nobody,,", "Nobody,Nadia,")
        .replace("Year 15", "Year 10")
        .replace("31/02/2026", "28/02/2026")
        .replace("not-an-email", "someone@example.org")
    )
    path = tmp_path / "fixed.csv"
    path.write_bytes(fixed.encode("cp1252"))
    upload(office, path, "fixed-preview")
    assert office.page.locator("#import-errors").count() == 0
    office.submit("Import these students", slug="fixed-imported")
    assert Student.objects.filter(mis_id="K123456789012", given_name="Same").exists()

    office.goto("consents:coverage", slug="coverage")
    coverage = office.page.locator("#coverage").inner_text()
    assert "Riverside Secondary Academy" in coverage and "%" in coverage


def test_office_maps_an_unknown_column_and_confirms_leavers_on_their_own(new_visitor):
    """Issue 17: a column the portal does not know is asked about, not dropped; the answer is
    remembered; students missing from the file are listed by name and stay on roll unless the
    office ticks its own confirmation."""
    call_command("load_demo", stdout=StringIO())
    office = new_visitor("office")
    sign_in(office, SECONDARY_OFFICE)
    upload(office, EXAMPLES / "unknown-columns.csv", "unknown-columns")
    errors = office.page.locator("#import-errors").inner_text()
    assert "'Dietary Needs' is not recognised" in errors
    assert office.page.get_by_role("button", name="Import these students").count() == 0
    office.page.get_by_label("Column “Dietary Needs”").select_option("ignore")
    office.page.get_by_label("Column “Photo Opt Out”").select_option("ignore")
    office.submit("Check again with these columns", slug="mapped")
    assert office.page.locator("#import-errors").count() == 0
    assert (
        "Dietary Needs, Photo Opt Out"
        in office.page.locator("#import-columns-not-read").inner_text()
    )
    # Riverside's 20 demo students are not in this two-student file: listed by name, and the
    # file looks partial.
    assert office.page.locator("#import-partial").is_visible()
    leavers = office.page.locator("#import-leavers").inner_text()
    on_roll = Student.objects.filter(school__name__startswith="Riverside", left_on=None)
    assert all(s.family_name in leavers for s in on_roll)
    office.submit("Import these students", slug="imported-without-leavers")
    assert "Import complete" in office.text()
    assert Student.objects.filter(mis_id="U100000000001", date_of_birth__isnull=False).exists()
    assert on_roll.all().count() == 22  # nobody marked as left without the tick
    # Remembered for the school: the same layout is ready at once next time.
    upload(office, EXAMPLES / "unknown-columns.csv", "remembered")
    assert office.page.get_by_role("button", name="Import these students").count() == 1


def test_check_blocks_a_student_without_consent_and_withdrawal_makes_a_takedown(new_visitor):
    call_command("load_demo", stdout=StringIO())
    account = OfficialAccount.objects.filter(
        school__name__startswith="Northfield", status="active"
    ).first()
    allowed = Student.objects.get(school=account.school, mis_id=f"{account.school.urn}0002")
    without = Student.objects.get(school=account.school, mis_id=f"{account.school.urn}0006")

    teacher = new_visitor("teacher")
    sign_in(teacher, account.owner.email)
    teacher.goto(f"/consents/check/?account={account.pk}&form={without.form}", slug="check-class")
    for student in (allowed, without):
        teacher.page.locator(f"#student-{student.pk}").check()
    teacher.submit("Check consent", slug="blocked")
    assert teacher.page.locator("#check-blocked").is_visible()
    assert teacher.page.get_by_role("button", name="Record the post").count() == 0

    teacher.goto(f"/consents/check/?account={account.pk}&form={allowed.form}", slug="check-again")
    teacher.page.locator(f"#student-{allowed.pk}").check()
    teacher.submit("Check consent", slug="allowed")
    assert teacher.page.locator("#check-allowed").is_visible()
    teacher.fill("post_url", "https://www.example.org/posts/science-week")
    teacher.fill("published_on", "2026-11-20")
    teacher.submit("Record the post", slug="recorded")

    office = new_visitor("office")
    sign_in(office, OFFICE)
    office.goto("consents:decision_create", allowed.pk, slug="withdraw-form")
    carer = allowed.carer_links.first().carer
    office.page.locator('[name="carer"]').select_option(value=str(carer.pk))
    office.page.locator('[name="method"]').select_option(value="phone")
    office.page.locator('[name="wording"]').select_option(index=1)
    office.fill("given_on", "2026-11-21")
    office.submit("Record decision", slug="withdrawn")

    teacher.goto("consents:takedown_list", slug="takedowns")
    assert "science-week" in teacher.page.locator("#takedowns").inner_text()
