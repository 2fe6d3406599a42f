"""The public register's search, contacts for concerns and the report of an account pretending
to be a school (4.1; issue 15): no sign-in, flood limits, nothing learnable about other
reports, the register check for the public and for staff."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from channels.fake_reports import concerns_contact_set
from channels.models import FakeAccountReport, OfficialAccount
from notifications.models import Notification

from .factories import make_account
from .factories import platform as seeded_platform

S = OfficialAccount.Status
REPORT = reverse("register:report")


def _post(client: Client, data: dict, address: str = "198.51.100.7"):
    return client.post(REPORT, data, REMOTE_ADDR=address)


def _report(world, **extra) -> dict:
    return {
        "school": world.school_a.pk,
        "platform": seeded_platform().pk,
        "handle": "@alder_academy_offical",
        "url": "",
        "description": "Uses the school badge and asks parents for money.",
        "reply_to": "",
        "website": "",
        **extra,
    }


@pytest.fixture
def live(world):
    return make_account(
        world.school_a,
        requested_by=world.teacher_a,
        deputies=[world.staff_a],
        status=S.ACTIVE,
        handle="@alderpe",
        url="https://www.instagram.com/alderpe/",
    )


def test_register_search_finds_schools_and_accounts(world, live):
    client = Client()
    page = client.get(reverse("register:index"), {"q": "alderpe"}).content.decode()
    assert "@alderpe" in page and world.school_a.name in page
    assert world.school_b.name not in page
    page = client.get(reverse("register:index"), {"q": "birch"}).content.decode()
    assert world.school_b.name in page and "@alderpe" not in page
    page = client.get(reverse("register:index"), {"q": "nothing-like-this"}).content.decode()
    assert "Nothing on the register matches" in page


@pytest.mark.parametrize("q", ["x" * 4000, "%00", "'; drop table", "\u202e"])
def test_no_search_string_breaks_the_register(world, q):
    assert Client().get(reverse("register:index"), {"q": q}).status_code == 200


def test_a_query_string_over_the_limit_gets_the_plain_400_page(world):
    """Longer than any search needs (accounts/query_guard.py): refused before the view runs."""
    response = Client().get(reverse("register:index"), {"q": "x" * 5000})
    assert response.status_code == 400


def test_register_shows_each_schools_contact_for_concerns(world, client_for):
    concerns_contact_set(
        actor=world.leader_a,
        school=world.school_a,
        name="School office",
        email="office@alder.example",
    )
    page = Client().get(reverse("register:index")).content.decode()
    assert "office@alder.example" in page
    # The leaders' page sets it; another school's page is a 404.
    url = reverse("channels:concerns_contact_edit", args=[world.school_a.pk])
    response = client_for("leader_a").post(url, {"name": "Reception", "email": "hi@alder.example"})
    assert response.status_code == 302
    assert "hi@alder.example" in Client().get(reverse("register:index")).content.decode()
    assert client_for("leader_b").get(url).status_code == 404
    assert client_for("teacher_a").get(reverse("channels:concerns_contacts")).status_code == 403


def test_public_report_reaches_the_schools_leaders_as_a_fake_account_report(world):
    response = _post(Client(), _report(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "your report was sent" in page and "register-warning" not in page
    report = FakeAccountReport.objects.get()
    assert report.source == "public" and report.reporter is None
    assert report.client_key and "198.51.100.7" not in report.client_key
    recipients = set(
        Notification.objects.filter(kind="channels.fake_reported").values_list(
            "recipient__email", flat=True
        )
    )
    assert {world.leader_a.email, world.head_a.email} <= recipients
    assert not recipients & {world.leader_b.email, world.head_b.email}


def test_reporter_and_leaders_are_told_when_the_address_is_on_the_register(world, live, client_for):
    response = _post(Client(), _report(world, handle="", url="https://instagram.com/AlderPE"))
    page = response.content.decode()
    assert "register-warning" in page and "is on the public register" in page
    report = FakeAccountReport.objects.get()
    assert report.matched_account == live
    detail = client_for("leader_a").get(reverse("channels:fake_report_detail", args=[report.pk]))
    assert 'id="on-register"' in detail.content.decode()


def test_staff_reporting_from_inside_get_the_same_warning(world, live, client_for):
    response = client_for("teacher_b").post(
        reverse("channels:fake_report_create"),
        {
            "school": world.school_a.pk,
            "platform": seeded_platform().pk,
            "handle": "@AlderPE",
            "url": "",
            "description": "Looks odd.",
        },
        follow=True,
    )
    assert "is on the public register" in response.content.decode()
    assert FakeAccountReport.objects.get().matched_account == live


def test_a_flood_from_one_address_is_refused_and_others_still_report(world):
    client = Client()
    for _ in range(3):
        assert _post(client, _report(world)).status_code == 200
    refused = _post(client, _report(world))
    assert refused.status_code == 429
    assert "several reports in a short time" in refused.content.decode()
    assert FakeAccountReport.objects.count() == 3
    # Another address is not held back by the first one's flood.
    assert _post(Client(), _report(world), address="203.0.113.9").status_code == 200
    # The leaders got one email for the hour, not one per report.
    assert (
        Notification.objects.filter(kind="channels.fake_reported", recipient=world.leader_a).count()
        == 1
    )


def test_honeypot_is_thanked_and_nothing_is_stored(world):
    response = _post(Client(), _report(world, website="http://spam.example"))
    assert response.status_code == 200 and "your report was sent" in response.content.decode()
    assert not FakeAccountReport.objects.exists()
    assert not Notification.objects.exists()


def test_oversized_reports_are_refused(world):
    too_long = _post(Client(), _report(world, description="x" * 2001))
    assert too_long.status_code == 200
    assert "Shorten what you saw" in too_long.content.decode()
    huge = _post(Client(), _report(world, description="x" * 20000))
    assert huge.status_code == 413
    assert not FakeAccountReport.objects.exists()


def test_answers_say_nothing_about_other_reports(world):
    first = _post(Client(), _report(world), address="203.0.113.1").content.decode()
    second = _post(Client(), _report(world), address="203.0.113.2").content.decode()
    # The same page for every accepted report (the csrf token aside): no number, no count.
    main = lambda page: page.split("<main")[1].split("</main>")[0]  # noqa: E731
    assert main(first) == main(second)
    assert "#" not in main(second)


def test_public_cannot_read_reports(world):
    _post(Client(), _report(world))
    report = FakeAccountReport.objects.get()
    response = Client().get(reverse("channels:fake_report_detail", args=[report.pk]))
    assert response.status_code == 302  # sign in first


def test_register_query_count_does_not_grow_with_accounts_or_contacts(world, count_queries):
    client = Client()
    url = reverse("register:index") + "?q=academy"
    make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    first = count_queries(client, url)
    for _ in range(4):
        make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
        make_account(world.school_b, requested_by=world.teacher_b, status=S.ACTIVE)
    concerns_contact_set(
        actor=world.leader_b, school=world.school_b, name="Office", email="office@birch.example"
    )
    assert count_queries(client, url) == first
