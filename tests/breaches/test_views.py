"""Reporting and handling through the pages; evidence checked by content (issue 7)."""

import re
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from breaches.evidence import strip_jpeg_metadata
from breaches.models import BreachCase

from .factories import report


def jpeg_with_gps() -> bytes:
    """A real photo (Pillow) carrying EXIF: a GPS position and a description naming it."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = "GPSLatitude51.5074N-GPSLongitude0.1278W"  # ImageDescription
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 26.64)  # GPSInfo: GPSLatitude
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert b"GPSLatitude" in data
    return data


def form_data(world, **extra):
    return {
        "school": world.school_a.pk,
        "category": "student_contact",
        "seen_at": "2026-11-20T10:00",
        "description": "A student sent me a friend request on a personal account.",
        **extra,
    }


def test_teacher_reports_with_a_photo_and_location_data_is_removed(world, client_for):
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), "image/jpeg")
    response = client_for("teacher_a").post(
        reverse("breaches:report"), form_data(world, evidence=[upload])
    )
    case = BreachCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "breaches:my_report", args=[case.pk]
    )
    stored = case.evidence.get()
    data = stored.file.read()
    assert b"GPSLatitude" not in data and data.startswith(b"\xff\xd8") and b"JFIF" in data
    assert stored.content_type == "image/jpeg"
    download = client_for("dsl_a").get(reverse("breaches:evidence", args=[case.pk, stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "no-store"


def test_renamed_executable_is_refused_and_nothing_saved(world, client_for):
    exe = SimpleUploadedFile(
        "photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00", "image/jpeg"
    )
    response = client_for("teacher_a").post(
        reverse("breaches:report"), form_data(world, evidence=[exe])
    )
    assert response.status_code == 200
    assert "Only photos (JPEG or PNG) and PDF documents" in response.content.decode()
    assert not BreachCase.objects.exists()


@override_settings(BREACH_EVIDENCE_MAX_BYTES=1000)
def test_oversize_file_is_refused(world, client_for):
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")
    response = client_for("teacher_a").post(
        reverse("breaches:report"), form_data(world, evidence=[big])
    )
    assert "must be under" in response.content.decode()
    assert not BreachCase.objects.exists()


def test_png_text_and_exif_chunks_are_removed():
    from breaches.evidence import strip_png_metadata

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + b"\x00\x00\x00\x00"

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", b"\x00" * 13)
        + chunk(b"eXIf", b"GPS here")
        + chunk(b"tEXt", b"Location\x00home")
        + chunk(b"IDAT", b"\x00")
        + chunk(b"IEND", b"")
    )
    out = strip_png_metadata(png)
    assert (
        b"GPS here" not in out
        and b"Location" not in out
        and b"IDAT" in out
        and out.endswith(b"IEND\x00\x00\x00\x00")
    )


def test_exif_segment_is_removed_whatever_it_holds():
    plain = jpeg_with_gps().replace(b"GPS", b"abc")
    assert strip_jpeg_metadata(plain).count(b"\xff\xe1") == 0


def test_another_schools_headteacher_gets_404_same_as_missing(world, client_for):
    case = report(world, category="student_contact")
    client = client_for("head_b")
    hidden = client.get(reverse("breaches:case_detail", args=[case.pk]))
    missing = client.get(
        reverse("breaches:case_detail", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert AuditEntry.objects.filter(action="access.denied", actor=world.head_b).exists()


def test_every_opening_of_a_case_is_audited(world, client_for):
    case = report(world)
    client_for("head_a").get(reverse("breaches:case_detail", args=[case.pk]))
    client_for("head_a").get(reverse("breaches:case_detail", args=[case.pk]))
    assert AuditEntry.objects.filter(action="breach.viewed", actor=world.head_a).count() == 2


def test_head_handles_a_case_to_closure_through_the_pages(world, client_for):
    case = report(world)
    client = client_for("head_a")
    for name, data in [
        ("case_acknowledge", {}),
        ("case_investigate", {}),
        ("case_note", {"text": "Met the member of staff."}),
        ("case_action", {"action": "content_removed", "text": ""}),
        ("case_outcome", {"outcome": "informal_advice", "summary": "Advice given about 5.12."}),
        ("case_close", {}),
    ]:
        client.post(reverse(f"breaches:{name}", args=[case.pk]), data)
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "informal_advice"
    page = client.get(reverse("breaches:case_detail", args=[case.pk])).content.decode()
    assert "Met the member of staff." in page and "Advice given" in page


@pytest.mark.parametrize("persona", ["head_a", "trust_hr"])
def test_case_list_query_count_does_not_grow(world, client_for, count_queries, persona):
    """The head sees cases routed to them (per-case grants), trust HR every case."""
    report(world)
    client = client_for(persona)
    few = count_queries(client, reverse("breaches:case_list"))
    for _ in range(10):
        report(world)
    _cases(world, 60)
    _cases(world, 5, status=BreachCase.Status.CLOSED)
    assert count_queries(client, reverse("breaches:case_list")) == few
    assert count_queries(client, reverse("breaches:case_list") + "?status=") == few


def _cases(world, n, **fields):
    """Cases straight into the table (no routing): only trust HR sees them."""
    now = timezone.now()
    return BreachCase.objects.bulk_create(
        BreachCase(
            school=world.school_a,
            category="other",
            seen_at=now,
            description=f"Case {i}",
            **fields,
        )
        for i in range(n)
    )


CASE_LINK = re.compile(r'href="/breaches/cases/[0-9a-f-]{36}/"')


def test_case_list_pages_through_the_open_cases_newest_first(world, client_for):
    _cases(world, 51)
    _cases(world, 3, status=BreachCase.Status.CLOSED)
    client = client_for("trust_hr")
    first = client.get(reverse("breaches:case_list")).content.decode()
    assert len(CASE_LINK.findall(first)) == 50
    assert "Page 1 of 2" in first and "?status=open&amp;page=2" in first
    second = client.get(reverse("breaches:case_list") + "?status=open&page=2").content.decode()
    assert len(CASE_LINK.findall(second)) == 1
    for case in BreachCase.objects.all():
        assert (case.reference in first + second) == (case.status != "closed")
    everything = client.get(reverse("breaches:case_list") + "?status=&page=2").content.decode()
    assert len(CASE_LINK.findall(everything)) == 4


@pytest.mark.parametrize("persona", ["teacher_a", "staff_a"])
def test_staff_declare_and_head_acknowledges(world, client_for, persona):
    client_for(persona).post(
        reverse("breaches:declaration_list"),
        {
            "school": world.school_a.pk,
            "site": "Personal blog",
            "link": "https://blog.example.org",
            "disclaimer_present": "on",
        },
    )
    from breaches.models import Declaration

    declaration = Declaration.objects.get()
    client_for("head_a").post(reverse("breaches:declaration_acknowledge", args=[declaration.pk]))
    declaration.refresh_from_db()
    assert declaration.acknowledged_by == world.head_a


def test_leader_turns_a_comment_report_into_a_case_with_the_screenshot(world, client_for):
    from django.core.files.base import ContentFile

    from channels.models import CommentReport
    from tests.channels.permission_rows_channels import comment_report

    report = CommentReport.objects.get(pk=comment_report(world)["pk"])
    report.screenshot.save("shot.jpg", ContentFile(jpeg_with_gps()))
    client = client_for("leader_a")
    response = client.post(reverse("breaches:from_comment_report", args=[report.pk]))
    case = BreachCase.objects.get(comment_report=report)
    assert response["Location"] == reverse("breaches:case_detail", args=[case.pk])
    assert case.category == "inappropriate_comment" and case.account == report.account
    assert case.evidence.count() == 1
    assert b"GPSLatitude" not in case.evidence.get().file.read()
    client.post(reverse("breaches:from_comment_report", args=[report.pk]))
    assert BreachCase.objects.filter(comment_report=report).count() == 1
    page = client.get(reverse("channels:comment_report_detail", args=[report.pk])).content.decode()
    assert "A breach case was opened" in page


def test_naming_an_account_of_another_school_is_refused(world, client_for):
    from tests.channels.factories import make_account

    other = make_account(world.school_b, requested_by=world.teacher_b, status="active")
    response = client_for("teacher_a").post(
        reverse("breaches:report"), form_data(world, account=other.pk)
    )
    assert response.status_code == 200 and not BreachCase.objects.exists()


def test_naming_an_account_in_the_report_form_keeps_it_on_the_case(world, client_for):
    from tests.channels.factories import make_account

    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    response = client_for("staff_a").post(
        reverse("breaches:report"), form_data(world, account=account.pk)
    )
    assert response.status_code == 302
    assert BreachCase.objects.get().account == account
