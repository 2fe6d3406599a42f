"""Follow-ups of annual reviews that found a concern (4.5d, 4.5j; issue 15): opened with an owner
and a due date, shown on the account until resolved (not while suspended), reminded once per due
date, counted on the leaders' home and the trustees' dashboard."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from channels import followups, services
from channels.models import OfficialAccount, ReviewFollowUp
from channels.services import ChannelError
from channels.tasks import remind_due_followups
from dashboard.figures import dashboard_scope
from notifications.models import Notification

from .factories import make_account

S = OfficialAccount.Status
LONDON = ZoneInfo("Europe/London")
ALL_GOOD = {
    "still_needed": True,
    "content_professional": True,
    "privacy_strictest": True,
    "no_private_messaging": True,
    "owner_deputy_right": True,
    "no_follow_back": True,
}


def at(y, m, d, h=9):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=LONDON), tick=False)


def _active(world):
    return make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )


def _concern(world, account, *, due=None, check="no_follow_back"):
    return services.account_review(
        actor=world.leader_a,
        account=account,
        checks={**ALL_GOOD, check: False},
        notes="The account follows three pupils: unfollow them this week (4.5j).",
        followup_owner=world.teacher_a,
        followup_due=due or date.today() + timedelta(days=7),
    ).followup


def test_review_form_asks_about_following_back_students(world, client_for):
    account = _active(world)
    page = client_for("leader_a").get(reverse("channels:account_review", args=[account.pk]))
    body = page.content.decode()
    assert "Student accounts are not followed back or viewed (4.5j)" in body
    # The proposed due date is filled in, in the form a date input reads.
    proposed = (date.today() + timedelta(days=followups.DEFAULT_DAYS)).isoformat()
    assert f'value="{proposed}"' in body


def test_concern_without_owner_or_due_date_is_refused_and_nothing_saved(world):
    account = _active(world)
    with pytest.raises(ChannelError) as exc:
        services.account_review(
            actor=world.leader_a,
            account=account,
            checks={**ALL_GOOD, "no_follow_back": False},
            notes="Follows pupils.",
        )
    assert exc.value.field == "followup_owner"
    assert not account.reviews.exists()
    with pytest.raises(ChannelError) as exc:
        services.account_review(
            actor=world.leader_a,
            account=account,
            checks={**ALL_GOOD, "no_follow_back": False},
            notes="Follows pupils.",
            followup_owner=world.teacher_b,  # another school's teacher
            followup_due=date.today() + timedelta(days=3),
        )
    assert exc.value.field == "followup_owner"
    assert not ReviewFollowUp.objects.exists()


def test_concern_opens_a_followup_shown_on_the_account_until_resolved(world, client_for):
    account = _active(world)
    followup = _concern(world, account)
    assert followup.owner == world.teacher_a and followup.status == "open"
    assert Notification.objects.filter(
        kind="channels.followup_assigned", recipient=world.teacher_a
    ).exists()
    assert AuditEntry.objects.filter(action="account.followup_opened").exists()
    url = reverse("channels:account_detail", args=[account.pk])
    page = client_for("head_a").get(url).content.decode()
    assert "unfollow them this week" in page and 'id="followups"' in page
    # The owner resolves it; the account page no longer shows it.
    response = client_for("teacher_a").post(
        reverse("channels:followup_resolve", args=[followup.pk]),
        {"resolution": "Unfollowed all three; checked the following list."},
    )
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.status == "resolved" and followup.resolved_by == world.teacher_a
    assert 'id="followups"' not in client_for("head_a").get(url).content.decode()
    history = client_for("head_a").get(url).content.decode()
    assert "Follow-up resolved" in history and "followup_resolved" not in history


def test_suspended_account_shows_no_waiting_followup(world, client_for):
    account = _active(world)
    _concern(world, account)
    services.account_suspend(actor=world.head_a, account=account, reason="Follows pupils.")
    page = client_for("head_a").get(reverse("channels:account_detail", args=[account.pk]))
    assert 'id="followups"' not in page.content.decode()
    assert followups.followups_for(world.leader_a).count() == 0


def test_other_school_cannot_resolve_and_gets_404(world, client_for):
    followup = _concern(world, _active(world))
    for persona in ("leader_b", "teacher_b"):
        response = client_for(persona).post(
            reverse("channels:followup_resolve", args=[followup.pk]), {"resolution": "x"}
        )
        assert response.status_code == 404
    # A member of staff of the school who is neither owner nor leader: 404 too (not visible).
    response = client_for("office_a").post(
        reverse("channels:followup_resolve", args=[followup.pk]), {"resolution": "x"}
    )
    assert response.status_code == 404
    followup.refresh_from_db()
    assert followup.status == "open"


def test_leaders_and_owner_are_reminded_once_per_due_date(world):
    account = _active(world)
    with at(2026, 11, 2):
        followup = _concern(world, account, due=date(2026, 11, 10))
    with at(2026, 11, 9):
        assert remind_due_followups() == 0
    with at(2026, 11, 10):
        assert remind_due_followups() == 3  # leader_a, head_a and the owner
        assert remind_due_followups() == 0  # safe to run again
    with at(2026, 11, 20):
        assert remind_due_followups() == 0
    keys = set(
        Notification.objects.filter(kind="channels.followup_due").values_list(
            "dedupe_key", flat=True
        )
    )
    assert keys == {f"channels.followup_due:{followup.pk}:2026-11-10"}
    # Suspended: no reminder for a new due date while it is out of use.
    ReviewFollowUp.objects.filter(pk=followup.pk).update(due_date=date(2026, 11, 21))
    services.account_suspend(actor=world.head_a, account=account, reason="Out of use.")
    with at(2026, 11, 22):
        assert remind_due_followups() == 0


def test_home_card_and_dashboard_count_open_followups(world, client_for):
    account = _active(world)
    _concern(world, account, due=date.today() + timedelta(days=1))
    home = client_for("leader_a").get(reverse("dashboard:home")).content.decode()
    found = re.search(
        r"Account review follow-ups open</span>\s*<span class=\"home-card-count\">(\d+)<", home
    )
    assert found and found.group(1) == "1"
    assert followups.open_count([world.school_a.pk]) == 1
    assert followups.open_count([world.school_b.pk]) == 0
    scope = dashboard_scope(world.trustee)
    table = next(
        t
        for t in followups.followup_dashboard_figures(scope)
        if t.key == "channels-review-followups"
    )
    by_school = {r.label: [c.text for c in r.cells] for r in table.rows}
    assert by_school[world.school_a.name] == ["1", "0"]
    assert by_school[world.school_b.name] == ["0", "0"]


def test_queue_query_count_does_not_grow_with_followups(world, client_for, count_queries):
    client = client_for("leader_a")
    url = reverse("channels:queue")
    _concern(world, _active(world))
    one = count_queries(client, url)
    for _ in range(4):
        _concern(world, _active(world))
    assert count_queries(client, url) == one
    assert client.get(url).content.decode().count("#followups") == 5
