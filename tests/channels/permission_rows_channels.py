"""Official accounts: URL × persona × expected status.

School A's account is requested and owned by teacher_a with staff_a as deputy, so teacher_a
and staff_a are its team, leader_a and head_a decide, and school B's people get 404.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from channels.models import CommentReport, FakeAccountReport, OfficialAccount
from tests.conftest import PERSONA_NAMES
from tests.permissions import Row

from .factories import make_account
from .factories import platform as seeded_platform

S = OfficialAccount.Status
SIGNED_IN = [p for p in PERSONA_NAMES if p != "anonymous"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def account(status: str, requested_by: str = "teacher_a"):
    def build(w) -> dict:
        made = make_account(
            w.school_a,
            requested_by=getattr(w, requested_by),
            owner=w.teacher_a,
            deputies=[w.staff_a],
            status=status,
            decided_by=None if status in (S.DRAFT, S.SUBMITTED) else w.head_a,
        )
        return {"pk": made.pk}

    return build


def comment_report(w) -> dict:
    acc = make_account(
        w.school_a,
        requested_by=w.teacher_a,
        deputies=[w.staff_a],
        status=S.ACTIVE,
        decided_by=w.head_a,
    )
    report = CommentReport(
        account=acc,
        school=w.school_a,
        reporter=w.teacher_a,
        comment_url="https://instagram.com/p/abc/c/1",
        was_removed=True,
        screenshot_type="image/png",
        screenshot_ext=".png",
    )
    report.screenshot.save("x", ContentFile(PNG), save=False)
    report.save()
    return {"pk": report.pk}


def fake_report(w) -> dict:
    report = FakeAccountReport.objects.create(
        school=w.school_a, reporter=w.staff_b, handle="@alder_fake", description="Fake"
    )
    return {"pk": report.pk}


def platform_pk(w) -> dict:
    return {"pk": seeded_platform("TikTok").pk}


REVIEW_OK = {
    "still_needed": "on",
    "content_professional": "on",
    "privacy_strictest": "on",
    "no_private_messaging": "on",
    "owner_deputy_right": "on",
    "no_follow_back": "on",
}


def _reason(w) -> dict:
    return {"reason": "Not the right platform for Year 9."}


def _school_b(w) -> dict:
    return {"school": w.school_b.pk}


def rows_for(url_name, kwargs, expected: dict[str, int], method="get", data=None) -> list[Row]:
    return [
        Row(url_name, p, s, method=method, kwargs=kwargs, data=data) for p, s in expected.items()
    ]


ROWS: list[Row] = [
    # --- lists and registration
    *[Row("channels:account_list", p, 200) for p in SIGNED_IN],
    Row("channels:account_list", "anonymous", 302),
    *rows_for(
        "channels:account_create",
        None,
        {
            "teacher_a": 200,
            "leader_a": 200,
            "head_a": 200,
            "teacher_b": 200,
            "staff_a": 403,
            "office_a": 403,
            "dsl_a": 403,
            "trust_admin": 403,
            "trust_hr": 403,
            "trustee": 403,
            "anonymous": 302,
        },
    ),
    Row(
        "channels:account_create",
        "teacher_a",
        404,
        data=_school_b,
        note="another school in the query string is not found",
    ),
    Row(
        "channels:account_create",
        "teacher_a",
        404,
        method="post",
        data=_school_b,
        note="posting for another school is not found",
    ),
    *rows_for(
        "channels:queue",
        None,
        {
            "leader_a": 200,
            "head_a": 200,
            "leader_b": 200,
            "teacher_a": 403,
            "staff_a": 403,
            "dsl_a": 403,
            "office_a": 403,
            "trust_admin": 403,
            "trustee": 403,
            "anonymous": 302,
        },
    ),
    # --- one account
    *rows_for(
        "channels:account_detail",
        account(S.SUBMITTED),
        {
            "teacher_a": 200,
            "staff_a": 200,
            "leader_a": 200,
            "head_a": 200,
            "office_a": 404,
            "dsl_a": 404,
            "teacher_b": 404,
            "leader_b": 404,
            "head_b": 404,
            "trust_admin": 200,  # the whole trust's accounts, to read (issue 18)
            "trust_hr": 404,
            "trustee": 404,
            "anonymous": 302,
        },
    ),
    *rows_for(
        "channels:account_edit",
        account(S.DRAFT),
        {"teacher_a": 200, "staff_a": 200, "leader_a": 403, "leader_b": 404, "anonymous": 302},
    ),
    Row("channels:account_edit", "teacher_a", 403, kwargs=account(S.ACTIVE), note="not a draft"),
    *rows_for(
        "channels:account_submit",
        account(S.DRAFT),
        {"teacher_a": 302, "leader_a": 403, "leader_b": 404, "staff_b": 404, "anonymous": 302},
        method="post",
    ),
    *rows_for(
        "channels:account_approve",
        account(S.SUBMITTED),
        {
            "leader_a": 302,
            "head_a": 302,
            "teacher_a": 403,
            "staff_a": 403,
            "leader_b": 404,
            "head_b": 404,
            "anonymous": 302,
        },
        method="post",
    ),
    Row(
        "channels:account_approve",
        "leader_a",
        403,
        method="post",
        kwargs=account(S.SUBMITTED, requested_by="leader_a"),
        note="the requester cannot approve their own",
    ),
    *rows_for(
        "channels:account_reject",
        account(S.SUBMITTED),
        {"leader_a": 302, "teacher_a": 403, "leader_b": 404, "anonymous": 302},
        method="post",
        data=_reason,
    ),
    *rows_for(
        "channels:account_request_changes",
        account(S.SUBMITTED),
        {"head_a": 302, "staff_a": 403, "leader_b": 404, "anonymous": 302},
        method="post",
        data=_reason,
    ),
    *rows_for(
        "channels:account_activate",
        account(S.APPROVED),
        {"teacher_a": 302, "leader_a": 302, "office_a": 404, "leader_b": 404, "anonymous": 302},
        method="post",
    ),
    *rows_for(
        "channels:account_suspend",
        account(S.ACTIVE),
        {"leader_a": 302, "teacher_a": 403, "leader_b": 404, "anonymous": 302},
        method="post",
        data=_reason,
    ),
    *rows_for(
        "channels:account_reinstate",
        account(S.SUSPENDED),
        {"leader_a": 302, "teacher_a": 403, "leader_b": 404, "anonymous": 302},
        method="post",
    ),
    *rows_for(
        "channels:account_close",
        account(S.ACTIVE),
        {"teacher_a": 302, "leader_a": 302, "staff_a": 403, "leader_b": 404, "anonymous": 302},
        method="post",
        data=_reason,
    ),
    *rows_for(
        "channels:account_review",
        account(S.ACTIVE),
        {"leader_a": 200, "head_a": 200, "teacher_a": 403, "leader_b": 404, "anonymous": 302},
    ),
    Row(
        "channels:account_review",
        "leader_a",
        302,
        method="post",
        kwargs=account(S.ACTIVE),
        data=lambda w: REVIEW_OK,
    ),
    *rows_for(
        "channels:account_handover",
        account(S.ACTIVE),
        {"leader_a": 200, "head_a": 200, "teacher_a": 403, "leader_b": 404, "anonymous": 302},
    ),
    # --- comment reports (4.5h)
    *rows_for(
        "channels:comment_report_create",
        account(S.ACTIVE),
        {"teacher_a": 200, "staff_a": 200, "leader_a": 200, "leader_b": 404, "anonymous": 302},
    ),
    *rows_for(
        "channels:comment_report_detail",
        comment_report,
        {
            "leader_a": 200,
            "head_a": 200,
            "teacher_a": 200,
            "staff_a": 404,
            "office_a": 404,
            "leader_b": 404,
            "anonymous": 302,
        },
    ),
    *rows_for(
        "channels:comment_report_screenshot",
        comment_report,
        {"leader_a": 200, "teacher_a": 200, "staff_a": 404, "leader_b": 404, "anonymous": 302},
    ),
    *rows_for(
        "channels:comment_report_close",
        comment_report,
        {"leader_a": 302, "teacher_a": 403, "leader_b": 404, "anonymous": 302},
        method="post",
        data=lambda w: {"note": "Blocked the commenter."},
    ),
    # --- suspected fake accounts (4.1)
    *[Row("channels:fake_report_list", p, 200) for p in SIGNED_IN],
    Row("channels:fake_report_list", "anonymous", 302),
    *[Row("channels:fake_report_create", p, 200) for p in SIGNED_IN],
    Row("channels:fake_report_create", "anonymous", 302),
    *rows_for(
        "channels:fake_report_detail",
        fake_report,
        {
            "leader_a": 200,
            "head_a": 200,
            "staff_b": 200,
            "teacher_a": 404,
            "leader_b": 404,
            "trustee": 404,
            "anonymous": 302,
        },
    ),
    *rows_for(
        "channels:fake_report_resolve",
        fake_report,
        {"leader_a": 302, "staff_b": 403, "leader_b": 404, "anonymous": 302},
        method="post",
        data=lambda w: {"resolution": "Reported to the platform."},
    ),
    # --- platform catalogue (trust administrators edit)
    *[Row("channels:platform_list", p, 200) for p in ("teacher_a", "leader_a", "trust_admin")],
    Row("channels:platform_list", "anonymous", 302),
    *rows_for(
        "channels:platform_create",
        None,
        {"trust_admin": 200, "leader_a": 403, "head_a": 403, "trustee": 403, "anonymous": 302},
    ),
    *rows_for(
        "channels:platform_edit",
        platform_pk,
        {"trust_admin": 200, "teacher_a": 403, "trust_hr": 403, "anonymous": 302},
    ),
    # --- the public register (4.1): no sign-in
    Row("register:index", "anonymous", 200),
    Row("register:index", "teacher_a", 200),
    Row("register:index", "trustee", 200),
]
