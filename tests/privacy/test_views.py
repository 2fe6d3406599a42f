"""The data protection officer's pages (issue 19)."""

from __future__ import annotations

import io
import zipfile

from django.urls import reverse

from audit.models import AuditEntry
from privacy.models import RightsRequest, SubjectAccessRequest
from tests.consents.factories import student_with_carers


def test_a_request_without_a_matching_person_re_renders_with_the_error(client_for):
    response = client_for("dpo").post(
        reverse("privacy:sar_list"),
        {"kind": "student", "identifier": "NOPE", "received_on": "3/12/2026"},
    )
    assert response.status_code == 200
    assert b"Choose the school of the student or carer" in response.content
    assert response.content.count(b"Error:") >= 1
    assert not SubjectAccessRequest.objects.exists()


def test_dpo_records_a_request_and_downloads_the_bundle(world, client_for):
    student, _ = student_with_carers(world.school_a)
    client = client_for("dpo")
    response = client.post(
        reverse("privacy:sar_list"),
        {
            "kind": "student",
            "school": world.school_a.pk,
            "identifier": student.mis_id,
            "received_on": "1/12/2026",
        },
    )
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and sar.due_on.isoformat() == "2027-01-01"
    page = client.get(reverse("privacy:sar_detail", args=[sar.pk]))
    assert b"1 January 2027" in page.content
    bundle = client.post(reverse("privacy:sar_download", args=[sar.pk]))
    assert bundle["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zf:
        names = zf.namelist()
        assert "index.html" in names and any(n.endswith(".csv") for n in names)
        assert student.family_name in zf.read("index.html").decode()
    assert AuditEntry.objects.filter(action="privacy.sar_produced", actor=world.dpo).exists()


def test_a_refusal_needs_its_reason(world, client_for):
    client = client_for("dpo")
    client.post(
        reverse("privacy:rights_list"),
        {
            "kind": "staff",
            "identifier": world.teacher_a.email,
            "received_on": "1/12/2026",
            "request_kind": "erasure",
            "details": "Delete everything",
        },
    )
    req = RightsRequest.objects.get()
    response = client.post(reverse("privacy:rights_detail", args=[req.pk]), {"outcome": "refused"})
    assert response.status_code == 200 and b"Give the reason" in response.content
    client.post(
        reverse("privacy:rights_detail", args=[req.pk]),
        {"outcome": "refused", "reason": "KCSIE"},
    )
    req.refresh_from_db()
    assert req.outcome == "refused" and req.outcome_reason == "KCSIE"


def test_list_pages_query_counts_do_not_grow_with_requests(world, client_for, count_queries):
    from privacy.selectors import find_person
    from privacy.services import sar_create

    client = client_for("dpo")
    person = find_person("staff", world.teacher_a.email)
    import datetime

    sar_create(actor=world.dpo, person=person, received_on=datetime.date.today())
    few = count_queries(client, reverse("privacy:sar_list"))
    for _ in range(5):
        sar_create(actor=world.dpo, person=person, received_on=datetime.date.today())
    assert count_queries(client, reverse("privacy:sar_list")) == few
    retention = count_queries(client, reverse("privacy:retention"))
    student_with_carers(world.school_a)
    assert count_queries(client, reverse("privacy:retention")) == retention
