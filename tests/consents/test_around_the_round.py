"""Around the consent round (issue 17): the printed class list says what it is, the posts
recorded for an account with their takedown state, the office's export of decisions
(formula-safe), and the rollover notice that sends the office to the MIS import."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from consents.models import Naming, Publication, PublicationStudent, Student, Takedown
from consents.retention import consent_rollover
from notifications.emails import build_message
from notifications.models import Notification
from tests.channels.factories import make_account

from .factories import student_with_carers
from .test_consent_records import give


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 10, 0))


def test_class_list_header_says_school_class_purpose_year_date_and_naming(world, client_for, clock):
    yes, (carer,) = student_with_carers(
        world.school_a, given_name="Amara", family_name="Okafor", form="7B"
    )
    give(world, yes, carer, naming=Naming.FIRST_NAME, day=datetime.date(2026, 10, 1))
    student_with_carers(world.school_a, form="7B")
    response = client_for("teacher_a").get(
        reverse("consents:class_list"), {"form": "7b", "purpose": "website"}
    )
    html = response.content.decode()
    header = html[html.index('id="class-list-header"') :]
    for text in (
        world.school_a.name,
        "7B",
        "School website: photo and video",
        "2026/27",
        "2 October 2026",
        "4.5(f)",
    ):
        assert text in header
    # The class filter ignores case, and each child's naming is spelled out.
    assert html.count("<tr>") == 3
    assert "First name only: Amara" in html


def test_year_filter_reads_the_year_as_the_mis_writes_it(world, client_for, clock):
    student_with_carers(world.school_a, year_group="9", form="9C")
    response = client_for("teacher_a").get(reverse("consents:class_list"), {"year": "year 9"})
    assert "9C" in response.content.decode()


def _post(account, day, url="https://example.org/p/1"):
    return Publication.objects.create(
        account=account,
        school=account.school,
        purpose="social_media",
        medium="photo",
        post_url=url,
        published_on=day,
        checked_by=account.owner or account.requested_by,
    )


def test_posts_recorded_per_account_show_their_takedown_state(world, client_for, clock):
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    owner = account.owner or world.teacher_a
    student, _ = student_with_carers(world.school_a)
    fine = _post(account, datetime.date(2026, 9, 20), "https://example.org/p/fine")
    gone = _post(account, datetime.date(2026, 9, 21), "https://example.org/p/gone")
    PublicationStudent.objects.create(publication=gone, student=student, naming="initials")
    Takedown.objects.create(publication=gone, student=student, school=world.school_a, owner=owner)
    client = client_for("leader_a")
    url = reverse("consents:account_publications", args=[account.pk])
    html = client.get(url).content.decode()
    assert "p/fine" in html and "p/gone" in html
    assert "To take down" in html and "None needed" in html
    assert fine.pk and student.given_name not in html  # counts, never names

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for i in range(10):
        _post(account, datetime.date(2026, 9, 1 + i), f"https://example.org/p/{i}")
    assert queries() == before
    assert client_for("leader_b").get(url).status_code == 404


def test_office_export_has_current_decisions_and_neutralises_formula_names(
    world, client_for, clock
):
    bad, (carer,) = student_with_carers(
        world.school_a, given_name='=HYPERLINK("http://x.example")', family_name="+Smith"
    )
    give(world, bad, carer, naming=Naming.INITIALS, day=datetime.date(2026, 10, 1))
    student_with_carers(world.school_a, given_name="Ben", family_name="Jones")
    student_with_carers(world.school_b, given_name="Other", family_name="School")
    response = client_for("office_a").get(reverse("consents:student_export"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert len(body) == 2 and "Other" not in response.content.decode()
    by_name = {r[header.index("family name")]: r for r in body}
    formula = by_name["'+Smith"]
    assert formula[header.index("given name")] == '\'=HYPERLINK("http://x.example")'
    assert formula[header.index("Official social media accounts: photo")] == "yes"
    assert formula[header.index("may be named")] == "Initials only"
    assert by_name["Jones"][header.index("School website: video")] == "no decision"
    assert AuditEntry.objects.filter(action="consent.students_exported").exists()
    # Stored as the MIS wrote it: only exports are neutralised.
    assert Student.objects.get(pk=bad.pk).family_name == "+Smith"


def test_rollover_tells_the_office_to_import_the_mis_file_and_start_the_round(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 9, 1, 6, 0))
    student, _ = student_with_carers(world.school_a, year_group="7")
    consent_rollover()
    note = Notification.objects.get(kind="consents.rollover", recipient=world.office_a)
    assert note.link == reverse("consents:import_start")
    body = build_message(note).body
    assert "import it" in body and "start the consent round" in body
    assert "does not guess" in body
    student.refresh_from_db()
    assert student.year_group == "7"  # year groups move on from the MIS file only
