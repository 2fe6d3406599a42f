"""The bell, the list, open, mark as read: a person sees only their own notifications."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from notifications.models import Notification


def _make(user, n=1, **kw):
    return [
        Notification.objects.create(
            recipient=user, kind=kw.get("kind", "accounts.role_changed"), link=kw.get("link", "/")
        )
        for _ in range(n)
    ]


def test_bell_in_the_navbar_shows_the_unread_count(world, client_for):
    _make(world.teacher_a, 3)
    Notification.objects.filter(pk=_make(world.teacher_a)[0].pk).update(read_at="2026-01-01T00:00Z")
    _make(world.teacher_b, 5)  # someone else's do not count
    body = client_for("teacher_a").get(reverse("dashboard:home")).content.decode()
    assert 'data-unread="3"' in body


def test_bell_fragment_for_htmx_returns_the_count_alone(world, client_for):
    _make(world.leader_a, 2)
    response = client_for("leader_a").get(reverse("notifications:bell"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-unread="2"' in body
    assert "<html" not in body


def test_the_bell_stops_counting_at_a_hundred_and_says_99_plus(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Notification.objects.bulk_create(
        Notification(recipient=world.leader_a, kind="accounts.role_changed", link="/")
        for _ in range(150)
    )
    client = client_for("leader_a")
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-unread="100"' in body
    assert ">99+<span" in body
    count = [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(count) == 1 and "LIMIT 100" in count[0]
    _make(world.teacher_a, 99)
    assert ">99<span" in client_for("teacher_a").get(reverse("dashboard:home")).content.decode()


def test_list_shows_only_my_notifications(world, client_for):
    (mine,) = _make(world.teacher_a)
    (theirs,) = _make(world.teacher_b)
    body = client_for("teacher_a").get(reverse("notifications:list")).content.decode()
    assert f'id="notification-{mine.pk}"' in body
    assert f'id="notification-{theirs.pk}"' not in body


def test_list_query_count_does_not_grow_with_notifications(world, client_for, count_queries):
    client = client_for("head_a")
    url = reverse("notifications:list")
    _make(world.head_a, 2)
    before = count_queries(client, url)
    _make(world.head_a, 20)
    Notification.objects.filter(recipient=world.head_a).update(school=world.school_a)
    after = count_queries(client, url)
    assert after == before


def test_list_is_paginated(world, client_for):
    _make(world.teacher_a, 30)
    client = client_for("teacher_a")
    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert first.count('id="notification-') == 25
    assert second.count('id="notification-') == 5
    assert "Page 2 of 2" in second


def test_open_marks_read_and_redirects_to_the_link(world, client_for):
    (n,) = _make(world.teacher_a, link="/policies/")
    response = client_for("teacher_a").get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/policies/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_open_never_redirects_off_site(world, client_for):
    (n,) = _make(world.teacher_a, link="https://evil.example/phish")
    response = client_for("teacher_a").get(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_leader_of_same_school_gets_404_for_a_teachers_notification_and_it_is_audited(
    world, client_for
):
    (n,) = _make(world.teacher_a)
    client = client_for("leader_a")
    hidden = client.get(reverse("notifications:open", args=[n.pk]))
    missing = client.get(reverse("notifications:open", args=[n.pk + 10_000]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    n.refresh_from_db()
    assert n.read_at is None
    assert AuditEntry.objects.filter(action="access.denied", data__lookup__pk=str(n.pk)).exists()


def test_mark_read_with_htmx_returns_the_row_and_refreshes_the_bell(world, client_for):
    (n,) = _make(world.teacher_a)
    response = client_for("teacher_a").post(
        reverse("notifications:mark_read", args=[n.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    body = response.content.decode()
    assert f'id="notification-{n.pk}"' in body
    assert "Mark as read" not in body
    n.refresh_from_db()
    assert n.read_at is not None


def test_other_person_cannot_mark_my_notification_read(world, client_for):
    (n,) = _make(world.teacher_a)
    response = client_for("teacher_b").post(reverse("notifications:mark_read", args=[n.pk]))
    assert response.status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_touches_only_my_notifications(world, client_for):
    _make(world.teacher_a, 3)
    _make(world.teacher_b, 2)
    response = client_for("teacher_a").post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.teacher_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.teacher_b, read_at__isnull=True).count() == 2


@pytest.mark.parametrize("value,expected", [("on", True), ("", False)])
def test_preferences_form_saves_the_weekly_digest_choice(world, client_for, value, expected):
    from notifications.models import NotificationPreference

    client = client_for("teacher_a")
    if not expected:
        NotificationPreference.objects.create(user=world.teacher_a, weekly_digest=True)
    data = {"weekly_digest": value} if value else {}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=world.teacher_a).weekly_digest is expected
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert ("checked" in page.split('name="weekly_digest"')[1].split(">")[0]) is expected
    assert AuditEntry.objects.filter(action="notifications.preferences_changed").count() == 1


def test_bell_costs_the_same_queries_with_none_or_many_unread(world, client_for, count_queries):
    client = client_for("teacher_a")
    url = reverse("notifications:bell")
    before = count_queries(client, url)
    _make(world.teacher_a, 40)
    after = count_queries(client, url)
    assert after == before
    assert 'data-unread="40"' in client.get(url).content.decode()


def test_signed_out_page_renders_no_bell(world, client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "notifications-bell" not in body


# --- naming and grouping (issue 18) ----------------------------------------------------------


def test_each_notification_names_its_object_and_repeats_group(world, client_for):
    for title in ("Social Media Policy", "Online Safety Policy", "Staff Code of Conduct"):
        Notification.objects.create(
            recipient=world.staff_a,
            kind="policies.acknowledge_requested",
            context={"policy_title": title, "version": 2},
            link="/policies/",
        )
    _make(world.staff_a)  # one of another kind stays on its own
    body = client_for("staff_a").get(reverse("notifications:list")).content.decode()
    for title in ("Social Media Policy", "Online Safety Policy", "Staff Code of Conduct"):
        assert f"Please read and acknowledge a policy: {title}, version 2" in body
    assert body.count('class="list-group-item notification-group') == 1
    assert "(3, 3 new)" in body
    assert "Mark all as read" in body


def test_a_confidential_notification_names_nothing(world, client_for):
    Notification.objects.create(
        recipient=world.head_a,
        kind="breaches.reported",
        context={"reference": "secret-ref", "policy_title": "should not show"},
        link="/",
    )
    body = client_for("head_a").get(reverse("notifications:list")).content.decode()
    assert "should not show" not in body and "secret-ref" not in body
