"""Official accounts through the browser's eyes (HTTP): forms, access, list query counts."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from channels.models import CommentReport, OfficialAccount
from notifications.emails import build_message
from notifications.models import Notification

from .factories import PURPOSE, make_account, platform

S = OfficialAccount.Status
pytestmark = pytest.mark.django_db


def _image(fmt: str) -> bytes:
    """A real image: uploads are decoded and re-encoded (issue 14)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), "navy").save(out, fmt)
    return out.getvalue()


PNG = _image("PNG")


def form_data(world, **overrides) -> dict:
    data = {
        "school": world.school_a.pk,
        "platform": platform("Instagram").pk,
        "handle": "@alderpe",
        "url": "https://www.instagram.com/alderpe/",
        "purpose": PURPOSE,
        "audience_year_groups": ["9", "10"],
        "audience_adults": "on",
        "students_can_comment": "on",
        "login_email": "pe@alder.example",
        "owner": world.teacher_a.pk,
        "deputies": [world.staff_a.pk],
        "attest_dedicated": "on",
        "attest_no_private_messages": "on",
        "attest_no_follow_back": "on",
        "attest_strongest_privacy": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_registration(client_for, world, **overrides):
    return client_for("teacher_a").post(
        reverse("channels:account_create"), form_data(world, **overrides)
    )


# --- registration ---------------------------------------------------------------------------


def test_teacher_registers_a_draft_and_submits_it(world, client_for):
    response = post_registration(client_for, world)
    account = OfficialAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("channels:account_detail", args=[account.pk])
    assert account.status == S.DRAFT and account.school == world.school_a
    client = client_for("teacher_a")
    client.post(reverse("channels:account_submit", args=[account.pk]))
    account.refresh_from_db()
    assert account.status == S.SUBMITTED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"login_email": "pe@gmail.com"}, "must be an official Alder Academy address"),
        ({"audience_year_groups": ["7", "9"]}, "Year 7 pupils are aged 11–12"),
        ({"audience_year_groups": ["7", "9"]}, "minimum age is 13"),
        ({"purpose": "PE stuff"}, "at least 40"),
        ({"deputies": None}, "Choose at least one deputy"),
        ({"owner": "__teacher_b__"}, "Choose the owner from the staff of Alder Academy"),
        ({"attest_no_follow_back": None}, "Tick to confirm this"),
        ({"audience_year_groups": None, "audience_adults": None}, "Tick the year groups"),
    ],
)
def test_registration_errors_re_render_and_nothing_is_saved(world, client_for, overrides, message):
    if overrides.get("owner") == "__teacher_b__":
        overrides = {"owner": world.teacher_b.pk}
    response = post_registration(client_for, world, **overrides)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    # The error summary: the title says so, and the message links to its field.
    assert re.search(r"<title>\s*Error: ", body)
    assert 'id="error-summary-title"' in body
    assert not OfficialAccount.objects.exists()


def test_duplicate_handle_elsewhere_in_the_trust_is_refused_in_the_form(world, client_for):
    make_account(world.school_b, requested_by=world.teacher_b, handle="@ALDERPE")
    response = post_registration(client_for, world)
    assert response.status_code == 200
    assert "already registered in the trust" in response.content.decode()
    assert OfficialAccount.objects.count() == 1


def test_owner_choices_are_the_schools_staff_only(world, client_for):
    body = client_for("teacher_a").get(reverse("channels:account_create")).content.decode()
    assert world.staff_a.email in body
    assert world.teacher_b.email not in body


def test_teacher_of_two_schools_chooses_the_school_first(world, client_for):
    from accounts.services import role_assign

    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role="teacher")
    body = client_for("teacher_a").get(reverse("channels:account_create")).content.decode()
    assert "Choose the school" in body
    assert "Birch Academy" in body


# --- decisions ------------------------------------------------------------------------------


def test_leader_of_the_same_school_approves(world, client_for):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.SUBMITTED
    )
    client = client_for("leader_a")
    page = client.get(reverse("channels:account_detail", args=[account.pk])).content.decode()
    assert "Approve" in page
    client.post(reverse("channels:account_approve", args=[account.pk]))
    account.refresh_from_db()
    assert account.status == S.APPROVED


def test_leader_of_another_school_gets_404_exactly_like_a_missing_account(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    client = client_for("leader_b")
    hidden = client.get(reverse("channels:account_detail", args=[account.pk]))
    missing = client.get(reverse("channels:account_detail", args=[account.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert client.post(reverse("channels:account_approve", args=[account.pk])).status_code == 404
    account.refresh_from_db()
    assert account.status == S.SUBMITTED


def test_requester_cannot_approve_their_own(world, client_for):
    account = make_account(
        world.school_a,
        requested_by=world.leader_a,
        owner=world.teacher_a,
        deputies=[world.staff_a],
        status=S.SUBMITTED,
    )
    client = client_for("leader_a")
    page = client.get(reverse("channels:account_detail", args=[account.pk])).content.decode()
    assert 'id="decision-form"' not in page
    assert "another leader of the school decides" in page
    response = client.post(reverse("channels:account_approve", args=[account.pk]))
    assert response.status_code == 403
    assert "another leader must decide" in response.content.decode()
    account.refresh_from_db()
    assert account.status == S.SUBMITTED


def test_reject_without_a_reason_changes_nothing_and_says_why(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    response = client_for("leader_a").post(
        reverse("channels:account_reject", args=[account.pk]), {"reason": ""}, follow=True
    )
    assert "Give a reason" in response.content.decode()
    account.refresh_from_db()
    assert account.status == S.SUBMITTED


def test_activation_without_escrow_shows_the_blocker(world, client_for):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.head_a
    )
    client = client_for("teacher_a")
    page = client.get(reverse("channels:account_detail", args=[account.pk])).content.decode()
    assert 'id="activation-blockers"' in page
    response = client.post(reverse("channels:account_activate", args=[account.pk]), follow=True)
    assert "escrow" in response.content.decode()
    account.refresh_from_db()
    assert account.status == S.APPROVED


def test_activation_with_escrow_ready(world, client_for, escrow_ready):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.head_a
    )
    client_for("teacher_a").post(reverse("channels:account_activate", args=[account.pk]))
    account.refresh_from_db()
    assert account.status == S.ACTIVE


def test_review_form_records_a_review(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    response = client_for("head_a").post(
        reverse("channels:account_review", args=[account.pk]),
        {"still_needed": "on", "content_professional": "on", "notes": ""},
    )
    assert response.status_code == 200
    assert "Say what is wrong" in response.content.decode()
    assert not account.reviews.exists()


def test_handover_form_offers_only_the_schools_staff(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    client = client_for("leader_a")
    response = client.post(
        reverse("channels:account_handover", args=[account.pk]),
        {"owner": world.teacher_b.pk, "deputies": [world.staff_a.pk]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    client.post(
        reverse("channels:account_handover", args=[account.pk]),
        {"owner": world.office_a.pk, "deputies": [world.staff_a.pk]},
    )
    account.refresh_from_db()
    assert account.owner == world.office_a


# --- the public register --------------------------------------------------------------------


def test_public_register_shows_an_account_only_once_active(world, client):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, handle="@alder_pe"
    )
    url = reverse("register:index")
    assert "@alder_pe" not in client.get(url).content.decode()
    OfficialAccount.objects.filter(pk=account.pk).update(status=S.ACTIVE)
    body = client.get(url).content.decode()
    assert "@alder_pe" in body and account.url in body
    assert world.teacher_a.full_name not in body
    assert account.login_email not in body
    assert "Alder Academy" in body and "Birch Academy" in body


def test_public_register_hides_suspended_and_closed_accounts(world, client):
    for status in (S.SUSPENDED, S.CLOSED, S.SUBMITTED):
        make_account(world.school_a, requested_by=world.teacher_a, status=status)
    body = client.get(reverse("register:index")).content.decode()
    assert "@school" not in body


# --- query counts of the list pages -----------------------------------------------------------


def _many(world, n: int) -> None:
    for status in [S.ACTIVE, S.SUBMITTED, S.DRAFT] * n:
        make_account(
            world.school_a,
            requested_by=world.teacher_a,
            deputies=[world.staff_a, world.office_a],
            status=status,
            decided_by=world.head_a,
        )


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("teacher_a", "channels:account_list"),
        ("leader_a", "channels:account_list"),
        ("leader_a", "channels:queue"),
        ("anonymous", "register:index"),
        ("leader_a", "channels:fake_report_list"),
    ],
)
def test_list_query_count_does_not_grow_with_accounts(
    world, client_for, count_queries, persona, url_name
):
    client = client_for(persona)
    url = reverse(url_name)
    _many(world, 1)
    before = count_queries(client, url)
    _many(world, 4)
    after = count_queries(client, url)
    assert after == before


# --- inappropriate comments (4.5h) ------------------------------------------------------------


@pytest.fixture
def active(world):
    return make_account(
        world.school_a,
        requested_by=world.teacher_a,
        deputies=[world.staff_a],
        status=S.ACTIVE,
        decided_by=world.head_a,
    )


def _report(client, account, screenshot):
    return client.post(
        reverse("channels:comment_report_create", args=[account.pk]),
        {
            "comment_url": "https://instagram.com/p/abc/c/9",
            "was_removed": "yes",
            "description": "Abusive comment about a teacher.",
            "screenshot": screenshot,
        },
    )


def test_comment_report_with_screenshot_reaches_the_leadership_team(
    world, client_for, active, media
):
    response = _report(
        client_for("staff_a"), active, SimpleUploadedFile("pupil-name.png", PNG, "image/png")
    )
    report = CommentReport.objects.get()
    assert response.status_code == 302
    assert report.was_removed and report.screenshot_type == "image/png"
    assert report.screenshot.path.startswith(str(media))
    assert "pupil-name" not in report.screenshot.name  # stored under a random name
    recipients = set(
        Notification.objects.filter(kind="channels.comment_reported").values_list(
            "recipient__email", flat=True
        )
    )
    assert recipients == {world.leader_a.email, world.head_a.email}
    download = client_for("leader_a").get(
        reverse("channels:comment_report_screenshot", args=[report.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    other = client_for("leader_b").get(
        reverse("channels:comment_report_screenshot", args=[report.pk])
    )
    assert other.status_code == 404


def test_a_text_file_named_png_is_refused(world, client_for, active, media):
    fake = SimpleUploadedFile("shot.png", b"<script>alert(1)</script>", "image/png")
    response = _report(client_for("teacher_a"), active, fake)
    assert response.status_code == 200
    assert "must be a PNG, JPEG or WebP image" in response.content.decode()
    assert not CommentReport.objects.exists()


def test_webp_and_jpeg_are_accepted_by_their_bytes(world, client_for, active, media):
    webp = _image("WEBP")
    from tests.breaches.test_views import jpeg_with_gps

    jpeg = jpeg_with_gps()  # a well-formed JPEG: its metadata is stripped on the way in
    client = client_for("teacher_a")
    _report(client, active, SimpleUploadedFile("a.bin", webp, "application/octet-stream"))
    _report(client, active, SimpleUploadedFile("b", jpeg, "text/plain"))
    assert sorted(CommentReport.objects.values_list("screenshot_type", flat=True)) == [
        "image/jpeg",
        "image/webp",
    ]


def test_oversized_screenshot_is_refused(world, client_for, active, media, settings):
    settings.CHANNELS = {"SCREENSHOT_MAX_BYTES": 50}
    response = _report(
        client_for("teacher_a"), active, SimpleUploadedFile("shot.png", PNG, "image/png")
    )
    assert "too large" in response.content.decode()
    assert not CommentReport.objects.exists()


# --- suspected fake accounts (4.1) ------------------------------------------------------------


def test_anyone_signed_in_reports_a_fake_and_follows_it(world, client_for):
    client = client_for("office_b")
    response = client.post(
        reverse("channels:fake_report_create"),
        {
            "school": world.school_a.pk,
            "handle": "@alder_academy_real",
            "description": "Uses the school logo and asks pupils to follow it.",
        },
    )
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "Open" in detail.content.decode()
    leader_page = client_for("leader_a").get(reverse("channels:queue")).content.decode()
    assert "@alder_academy_real" in leader_page


# --- emails -----------------------------------------------------------------------------------


def test_every_channels_email_renders_with_its_context(world):
    from channels.apps import notification_kinds

    context = {
        "account": "@alderpe on Instagram",
        "school": "Alder Academy",
        "reason": "Needs a deputy",
        "decided_by": "Leader A",
        "requester": "Teacher A",
        "outcome": "passed",
        "next_due": "2027-11-26",
        "owner": "Office A",
        "leaver": "Teacher A",
        "role": "owner",
        "school_days": 11,
        "due": "2026-11-10",
        "removed": "yes",
        "handle": "@alderpe",
    }
    for kind in notification_kinds():
        n = Notification.objects.create(
            recipient=world.leader_a, kind=kind, context=context, link="/official-accounts/1/"
        )
        message = build_message(n)
        assert "Alder Academy" in message.body, kind
        assert "/official-accounts/1/" in message.body, kind


def test_trust_admin_adds_a_platform_through_the_form(world, client_for):
    response = client_for("trust_admin").post(
        reverse("channels:platform_create"),
        {"name": "Mastodon", "min_age": "16", "terms_url": "https://mastodon.social/terms"},
    )
    assert response.status_code == 302
    from channels.models import Platform

    added = Platform.objects.get(name="Mastodon")
    assert added.min_age == 16 and not added.is_active  # unticked box: not open yet


def test_account_list_flags_an_overdue_review(world, client_for):
    from datetime import date

    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    account.next_review_due = date(2020, 1, 1)
    account.save()
    body = client_for("leader_a").get(reverse("channels:account_list")).content.decode()
    assert "Review overdue" in body


def test_comment_screenshot_loses_its_location_data(world, client_for, active, media):
    from tests.breaches.test_views import jpeg_with_gps

    _report(
        client_for("staff_a"),
        active,
        SimpleUploadedFile("IMG_1.jpg", jpeg_with_gps(), "image/jpeg"),
    )
    stored = CommentReport.objects.get().screenshot.read()
    assert stored.startswith(b"\xff\xd8") and b"GPSLatitude" not in stored


def test_webp_exif_and_xmp_chunks_are_removed():
    import struct

    from breaches.evidence import strip_webp_metadata

    def chunk(kind, data):
        return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")

    vp8x = chunk(b"VP8X", bytes([0x0C]) + b"\x00" * 9)
    body = vp8x + chunk(b"VP8 ", b"image") + chunk(b"EXIF", b"GPS 51.5N") + chunk(b"XMP ", b"<x/>")
    webp = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body
    out = strip_webp_metadata(webp)
    assert b"GPS" not in out and b"<x/>" not in out and b"image" in out
    assert struct.unpack("<I", out[4:8])[0] == len(out) - 8
    assert out[20] & 0x0C == 0  # VP8X no longer announces EXIF or XMP


def test_trust_admin_reads_every_account_of_the_trust_but_cannot_act(world, client_for):
    a = make_account(world.school_a, requested_by=world.teacher_a, handle="@alder_pe")
    b = make_account(
        world.school_b, requested_by=world.teacher_b, handle="@birch_pe", status=S.SUBMITTED
    )
    client = client_for("trust_admin")
    body = client.get(reverse("channels:account_list")).content.decode()
    assert "@alder_pe" in body and "@birch_pe" in body
    detail = client.get(reverse("channels:account_detail", args=[b.pk])).content.decode()
    assert "@birch_pe" in detail
    assert "Approve" not in detail  # the school's leaders decide (4.2)
    response = client.post(reverse("channels:account_approve", args=[b.pk]))
    assert response.status_code == 404
    b.refresh_from_db()
    assert b.status == S.SUBMITTED
    assert a.pk  # both schools' accounts listed


# --- search, filters and pages (issue 18) -----------------------------------------------------


def test_account_list_searches_filters_and_pages(world, client_for):
    for i in range(27):
        make_account(world.school_a, requested_by=world.teacher_a, handle=f"@alder{i:02d}")
    make_account(
        world.school_a, requested_by=world.teacher_a, handle="@chess_club", status=S.SUBMITTED
    )
    client = client_for("leader_a")
    url = reverse("channels:account_list")
    first = client.get(url).content.decode()
    assert "28 accounts" in first and "Page 1 of 2" in first
    found = client.get(url, {"q": "chess"}).content.decode()
    assert "@chess_club" in found and "@alder01" not in found and "1 account match" in found
    submitted = client.get(url, {"status": S.SUBMITTED}).content.decode()
    assert "@chess_club" in submitted and "@alder01" not in submitted
    # A bad filter value is an error on the form, never a 500.
    assert client.get(url, {"status": "nonsense", "school": "x", "page": "9"}).status_code == 200


def test_filtered_account_list_query_count_does_not_grow(world, client_for, count_queries):
    client = client_for("leader_a")
    url = reverse("channels:account_list") + "?q=pe&status=draft&page=1"
    _many(world, 1)
    before = count_queries(client, url)
    _many(world, 30)
    assert count_queries(client, url) == before
