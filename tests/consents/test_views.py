"""Consent pages as office staff and teachers use them."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from audit.models import AuditEntry
from consents.models import ImportBatch, Medium, Naming, Publication, Purpose, Student
from tests.channels.factories import make_account

from .factories import StudentFactory, WordingFactory, student_with_carers
from .test_consent_records import allow_all, give

EXAMPLES = Path(__file__).resolve().parents[2] / "consents" / "examples"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 10, 0))


def test_student_list_query_count_does_not_grow_with_students(world, client_for, count_queries):
    client = client_for("teacher_a")
    StudentFactory(school=world.school_a)
    few = count_queries(client, reverse("consents:student_list"))
    for _ in range(30):
        student, (carer,) = student_with_carers(world.school_a)
    many = count_queries(client, reverse("consents:student_list"))
    assert many == few


def test_office_imports_the_example_file_through_the_pages(world, client_for):
    client = client_for("office_a")
    upload = SimpleUploadedFile(
        "students.csv", (EXAMPLES / "sims-students.csv").read_bytes(), "text/csv"
    )
    response = client.post(
        reverse("consents:import_start"), {"school": world.school_a.pk, "file": upload}
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "consents:import_detail", args=[batch.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Import these students" in page
    client.post(reverse("consents:import_confirm", args=[batch.pk]))
    assert Student.objects.filter(school=world.school_a).count() == 5


def test_the_errors_file_lists_every_bad_row_and_writes_nothing(world, client_for):
    client = client_for("office_a")
    upload = SimpleUploadedFile(
        "bad.csv", (EXAMPLES / "sims-students-with-errors.csv").read_bytes(), "text/csv"
    )
    response = client.post(
        reverse("consents:import_start"), {"school": world.school_a.pk, "file": upload}, follow=True
    )
    body = response.content.decode()
    for reason in [
        "duplicate MIS id",
        "missing given name",
        "unknown year group",
        "bad date",
        "bad email",
    ]:
        assert reason in body
    assert "Import these students" not in body
    assert not Student.objects.exists()


def test_a_binary_file_renamed_csv_is_refused_by_content(world, client_for):
    client = client_for("office_a")
    upload = SimpleUploadedFile("students.csv", b"MZ\x90\x00\x03\x00\x00\x00", "text/csv")
    response = client.post(
        reverse("consents:import_start"), {"school": world.school_a.pk, "file": upload}
    )
    assert response.status_code == 200
    assert "neither a CSV file nor an Excel .xlsx workbook" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_office_cannot_import_into_another_school(world, client_for):
    client = client_for("office_a")
    upload = SimpleUploadedFile("s.csv", b"UPN,Surname,Forename,Year\n1,A,B,7\n", "text/csv")
    response = client.post(
        reverse("consents:import_start"), {"school": world.school_b.pk, "file": upload}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_unknown_layout_is_mapped_once_and_remembered(world, client_for):
    client = client_for("office_a")
    data = "Pupil Ref,Fam,Giv,Yr\nP1,Ó Sé,Dáithí,Year 9\n".encode()
    client.post(
        reverse("consents:import_start"),
        {"school": world.school_a.pk, "file": SimpleUploadedFile("x.csv", data)},
    )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REJECTED
    response = client.post(
        reverse("consents:import_detail", args=[batch.pk]),
        {"col_0": "mis_id", "col_1": "family_name", "col_2": "given_name", "col_3": "year_group"},
    )
    mapped = ImportBatch.objects.latest("pk")
    assert mapped.status == ImportBatch.Status.PREVIEWED
    client.post(reverse("consents:import_confirm", args=[mapped.pk]))
    client.post(
        reverse("consents:import_start"),
        {"school": world.school_a.pk, "file": SimpleUploadedFile("y.csv", data)},
    )
    assert ImportBatch.objects.latest("pk").status == ImportBatch.Status.PREVIEWED  # remembered
    assert response.status_code == 302


def test_office_records_a_decision_and_a_withdrawal(world, client_for, clock):
    student, (carer,) = student_with_carers(world.school_a)
    wording = WordingFactory()
    client = client_for("office_a")
    url = reverse("consents:decision_create", args=[student.pk])
    data = {
        "carer": carer.pk,
        "method": "paper",
        "wording": wording.pk,
        "given_on": "2026-10-01",
        "naming": Naming.FIRST_NAME,
        "allow_social_media_photo": "on",
    }
    assert client.post(url, data).status_code == 302
    assert student.current.get(purpose="social_media", medium="photo").allowed
    del data["allow_social_media_photo"]
    client.post(url, data)
    assert not student.current.get(purpose="social_media", medium="photo").allowed
    assert student.decisions.count() == 2 and student.decisions.first().is_withdrawal


def test_teacher_is_blocked_for_a_student_without_consent(world, client_for, clock):
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    yes, (carer,) = student_with_carers(world.school_a, form="9Q")
    no, _ = student_with_carers(world.school_a, form="9Q")
    give(world, yes, carer, naming=Naming.INITIALS)
    client = client_for("teacher_a")
    page = client.get(
        reverse("consents:check"), {"account": account.pk, "form": "9Q"}
    ).content.decode()
    assert escape(str(no)) in page and escape(str(yes)) in page
    response = client.post(
        reverse("consents:check"),
        {"account": account.pk, "medium": "photo", "students": [yes.pk, no.pk]},
    )
    body = response.content.decode()
    assert 'id="check-blocked"' in body and "Record the post" not in body
    ok = client.post(
        reverse("consents:check"), {"account": account.pk, "medium": "photo", "students": [yes.pk]}
    )
    assert 'id="check-allowed"' in ok.content.decode() and yes.initials in ok.content.decode()
    client.post(
        reverse("consents:publication_create"),
        {
            "account": account.pk,
            "medium": "photo",
            "students": [yes.pk],
            "post_url": "https://instagram.com/p/9",
            "published_on": "2026-10-02",
        },
    )
    assert Publication.objects.get().appearances.get().student == yes


def test_the_check_for_thirty_students_uses_a_fixed_number_of_queries(
    world, client_for, clock, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    client = client_for("teacher_a")
    students = [student_with_carers(world.school_a)[0] for _ in range(30)]

    def post(ids):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                reverse("consents:check"),
                {"account": account.pk, "medium": "photo", "students": ids},
            )
        html = response.content.decode()
        # The check ran (a refused form would re-render in fewer queries and prove nothing).
        answers = html.count('text-bg-success">Yes') + html.count('text-bg-danger">No')
        assert 'id="verdicts"' in html and answers == len(ids)
        return len(ctx.captured_queries)

    post([s.pk for s in students[:3]])
    assert post([s.pk for s in students]) == post([s.pk for s in students[:3]])


def test_check_refuses_a_student_id_that_is_not_a_number(world, client_for, clock):
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    student, _ = student_with_carers(world.school_a)
    response = client_for("teacher_a").post(
        reverse("consents:check"),
        {"account": account.pk, "medium": "photo", "students": [student.pk, "1x"]},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="verdicts"' not in html
    assert escape("“1x” is not a valid value.") in html
    assert not AuditEntry.objects.filter(action="consent.checked").exists()


def test_check_refuses_an_account_the_teacher_does_not_run(world, client_for, clock):
    theirs = make_account(world.school_a, requested_by=world.leader_a, status="active")
    student, _ = student_with_carers(world.school_a)
    response = client_for("teacher_a").post(
        reverse("consents:check"),
        {"account": theirs.pk, "medium": "photo", "students": [student.pk]},
    )
    assert "Choose one of the official accounts in the list" in response.content.decode()
    assert not AuditEntry.objects.filter(action="consent.checked").exists()


def test_student_list_shows_each_students_social_media_photo_consent(world, client_for, clock):
    allowed, (carer,) = student_with_carers(world.school_a, family_name="Allowedson")
    refused, (other,) = student_with_carers(world.school_a, family_name="Refusedson")
    student_with_carers(world.school_a, family_name="Undecidedson")
    give(world, allowed, carer, naming=Naming.INITIALS)
    give(world, refused, other, allowed=allow_all({(Purpose.SOCIAL_MEDIA, Medium.PHOTO): False}))
    html = client_for("teacher_a").get(reverse("consents:student_list")).content.decode()
    rows = {row.split("</a>")[0].rsplit(" ", 1)[-1]: row for row in html.split("<tr>")[2:]}
    assert "Allowed</span> Initials only" in rows["Allowedson"]
    assert "Not allowed" in rows["Refusedson"]
    assert "No current decision" in rows["Undecidedson"]


def test_teacher_cannot_check_students_of_another_school(world, client_for, clock):
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    other, _ = student_with_carers(world.school_b)
    response = client_for("teacher_a").post(
        reverse("consents:check"),
        {"account": account.pk, "medium": "photo", "students": [other.pk]},
    )
    assert "Tick only students listed on this page" in response.content.decode()


def test_class_list_prints_who_may_be_photographed(world, client_for, clock):
    yes, (carer,) = student_with_carers(world.school_a, form="3B")
    no, _ = student_with_carers(world.school_a, form="3B")
    give(world, yes, carer)
    body = (
        client_for("teacher_a").get(reverse("consents:class_list"), {"form": "3B"}).content.decode()
    )
    assert escape(str(yes)) in body and escape(str(no)) in body and "data-print" in body


def test_coverage_shows_share_with_a_current_decision(world, client_for, clock):
    yes, (carer,) = student_with_carers(world.school_a, year_group="5")
    student_with_carers(world.school_a, year_group="5")
    give(world, yes, carer)
    body = client_for("office_a").get(reverse("consents:coverage")).content.decode()
    assert "50%" in body


def test_office_adds_a_carer_missing_from_the_mis_and_records_their_decision(
    world, client_for, clock
):
    student, _ = student_with_carers(world.school_a)
    client = client_for("office_a")
    response = client.post(
        reverse("consents:carer_create", args=[student.pk]),
        {"name": "Gran O'Neil", "relationship": "Grandparent"},
    )
    assert response.status_code == 302
    carer = student.carers.get(name="Gran O'Neil")
    empty = client.post(reverse("consents:carer_create", args=[student.pk]), {"name": ""})
    assert empty.status_code == 200 and student.carers.count() == 2
    data = {
        "carer": carer.pk,
        "method": "phone",
        "wording": WordingFactory().pk,
        "given_on": "2026-10-01",
        "naming": Naming.NONE,
        "allow_website_photo": "on",
    }
    assert (
        client.post(reverse("consents:decision_create", args=[student.pk]), data).status_code == 302
    )


def test_import_progress_is_said_in_a_live_region_at_each_tenth(world, client_for):
    from consents.models import ImportBatch

    batch = ImportBatch.objects.create(
        school=world.school_a,
        uploaded_by=world.office_a,
        file_name="x.csv",
        content=b"",
        mapping={},
        status=ImportBatch.Status.RUNNING,
        total_rows=200,
    )
    client = client_for("office_a")
    page = client.get(reverse("consents:import_detail", args=[batch.pk])).content.decode()
    assert 'id="import-progress-live"' in page and 'role="status"' in page
    fragment = client.get(reverse("consents:import_progress", args=[batch.pk])).content.decode()
    assert 'data-announce="Importing: 0% done."' in fragment
    assert 'data-announce-step="running-0"' in fragment


def test_takedown_list_takes_any_filter_without_failing(world, client_for):
    client = client_for("teacher_a")
    url = reverse("consents:takedown_list")
    for query in ({"status": "open"}, {"status": "bogus", "school": "x"}, {"q": "x", "page": "99"}):
        assert client.get(url, query).status_code == 200


def test_the_date_a_carer_decided_is_typed_as_people_write_it(world, client_for, clock):
    student, (carer,) = student_with_carers(world.school_a)
    wording = WordingFactory()
    url = reverse("consents:decision_create", args=[student.pk])
    data = {
        "carer": carer.pk,
        "method": "paper",
        "wording": wording.pk,
        "given_on": "1/10/2026",  # day first, as in the UK
        "naming": Naming.FIRST_NAME,
    }
    assert client_for("office_a").post(url, data).status_code == 302
    assert student.decisions.get().given_on == datetime.date(2026, 10, 1)


def test_failed_post_record_keeps_the_check_and_says_what_to_do(world, client_for, clock):
    """Issue 15: no "published_on: This field is required." and no empty check form."""
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    yes, (carer,) = student_with_carers(world.school_a, form="9Q")
    give(world, yes, carer, naming=Naming.INITIALS)
    response = client_for("teacher_a").post(
        reverse("consents:publication_create"),
        {
            "account": account.pk,
            "medium": "photo",
            "students": [yes.pk],
            "post_url": "https://instagram.com/p/10",
            "published_on": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter the date it was published, for example 3/12/2026" in body
    assert "published_on:" not in body and "This field is required" not in body
    assert 'id="check-allowed"' in body and "https://instagram.com/p/10" in body
    assert not Publication.objects.exists()


def test_decision_history_lists_what_was_allowed_without_a_stray_comma(world, client_for, clock):
    student, (carer,) = student_with_carers(world.school_a)
    give(world, student, carer, naming=Naming.INITIALS)
    page = client_for("office_a").get(reverse("consents:student_detail", args=[student.pk]))
    body = page.content.decode()
    assert "(photo)" in body
    assert not re.search(r",\s*</td>", body)
