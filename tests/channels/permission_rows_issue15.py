"""Issue 15's pages: review follow-ups, contacts for concerns, the public report form.

URL × persona × expected status, as in permission_rows_channels.py."""

from __future__ import annotations

from datetime import date, timedelta

from channels.models import OfficialAccount
from channels.services import account_review
from tests.permissions import Row

from .factories import make_account
from .permission_rows_channels import rows_for

S = OfficialAccount.Status


def followup(w) -> dict:
    account = make_account(
        w.school_a, requested_by=w.teacher_a, deputies=[w.staff_a], status=S.ACTIVE
    )
    review = account_review(
        actor=w.leader_a,
        account=account,
        checks={
            "still_needed": True,
            "content_professional": True,
            "privacy_strictest": False,
            "no_private_messaging": True,
            "owner_deputy_right": True,
            "no_follow_back": True,
        },  # fmt: skip
        notes="Privacy settings loosened: restore them.",
        followup_owner=w.teacher_a,
        followup_due=date.today() + timedelta(days=7),
    )
    return {"pk": review.followup.pk}


def school_a(w) -> dict:
    return {"school_pk": w.school_a.pk}


ROWS = [
    *rows_for(
        "channels:followup_resolve",
        followup,
        {
            "teacher_a": 302,  # the follow-up's owner
            "leader_a": 302,
            "staff_a": 404,  # on the account's team, but not the owner or a leader
            "leader_b": 404,
            "trustee": 404,
            "anonymous": 302,
        },
        method="post",
        data=lambda w: {"resolution": "Settings restored."},
    ),
    Row("channels:followup_resolve", "leader_a", 405, kwargs=followup),
    *rows_for(
        "channels:concerns_contacts",
        None,
        {"leader_a": 200, "head_b": 200, "teacher_a": 403, "trustee": 403, "anonymous": 302},
    ),
    *rows_for(
        "channels:concerns_contact_edit",
        school_a,
        {"leader_a": 200, "head_a": 200, "leader_b": 404, "teacher_a": 404, "anonymous": 302},
    ),
    Row("register:report", "anonymous", 200),
    Row("register:report", "teacher_a", 200),
    Row(
        "register:report",
        "anonymous",
        200,
        method="post",
        data=lambda w: {
            "school": w.school_a.pk,
            "handle": "@alder_fake",
            "description": "Pretends to be the school.",
        },
    ),
]
