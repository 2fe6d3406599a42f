"""Sessions end after 30 minutes idle and 12 hours at most (issue 3, Sign-in)."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

HOME = "dashboard:home"


def signed_in_teacher(world) -> Client:
    client = Client()
    client.post(
        reverse("accounts:login"), {"username": world.teacher_a.email, "password": TEST_PASSWORD}
    )
    assert SESSION_KEY in client.session
    return client


def assert_signed_out(response, client):
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?expired=1"
    assert SESSION_KEY not in client.session


def test_limits_are_thirty_minutes_idle_and_twelve_hours():
    idle, absolute = settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT
    assert idle == timedelta(minutes=30)
    assert absolute == timedelta(hours=12)


def test_session_survives_29_minutes_idle(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse(HOME)).status_code == 200


def test_session_ends_after_31_minutes_idle(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        assert client.get(reverse(HOME)).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse(HOME))
        assert_signed_out(response, client)
        page = client.get(response["Location"]).content.decode()
        assert "Your session ended" in page


def test_activity_keeps_the_session_alive_beyond_thirty_minutes(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        for _ in range(4):  # 4 × 20 minutes = 80 minutes, never 30 idle
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse(HOME)).status_code == 200


def test_session_ends_after_twelve_hours_even_when_active(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        for _ in range(35):  # every 20 minutes for 11h40
            traveller.shift(timedelta(minutes=20))
            assert client.get(reverse(HOME)).status_code == 200
        traveller.shift(timedelta(minutes=21))  # 12h01 after sign-in
        assert_signed_out(client.get(reverse(HOME)), client)


def test_twelve_hours_count_from_sign_in_not_from_the_first_page(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        started = client.session["portal_started_at"]
        traveller.shift(timedelta(minutes=10))
        client.get(reverse(HOME))
        assert client.session["portal_started_at"] == started


def test_session_made_without_the_sign_in_page_gets_a_clock_too(world, client_for):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for("teacher_a")  # force_login, as after an invitation
        assert client.get(reverse(HOME)).status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert_signed_out(client.get(reverse(HOME)), client)


def test_session_cookie_is_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_expired_htmx_request_is_told_to_load_the_sign_in_page(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse(HOME), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("accounts:login") + "?expired=1"
    assert SESSION_KEY not in client.session


# --- the time-out warning (WCAG 2.2.1, issue 18) ---------------------------------------------


def test_every_page_tells_the_warning_how_long_the_session_has_left(world):
    with time_machine.travel(timezone.now(), tick=False):
        client = signed_in_teacher(world)
        page = client.get(reverse(HOME)).content.decode()
    assert "data-session-timeout" in page
    assert 'data-expires-in="1800"' in page
    assert 'data-extendable="1"' in page
    assert reverse("accounts:session_extend") in page


def test_staying_signed_in_restarts_the_idle_clock(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        client.get(reverse(HOME))
        traveller.shift(timedelta(minutes=28))
        response = client.post(reverse("accounts:session_extend"))
        assert response.status_code == 200
        assert response.json() == {"expires_in": 1800, "extendable": True}
        # 28 + 29 minutes after the last page: alive, because the press counted.
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse(HOME)).status_code == 200


def test_staying_signed_in_is_refused_once_the_session_has_ended(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        traveller.shift(timedelta(minutes=31))
        response = client.post(reverse("accounts:session_extend"))
        assert_signed_out(response, client)


def test_near_the_twelve_hour_limit_the_warning_cannot_extend(world):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = signed_in_teacher(world)
        for _ in range(47):  # 11 h 45 min of activity every quarter of an hour
            traveller.shift(timedelta(minutes=15))
            client.get(reverse(HOME))
        response = client.post(reverse("accounts:session_extend"))
        assert response.json() == {"expires_in": 15 * 60, "extendable": False}


def test_htmx_requests_tell_the_page_the_time_left(world):
    with time_machine.travel(timezone.now(), tick=False):
        client = signed_in_teacher(world)
        response = client.get(reverse("notifications:bell"), headers={"HX-Request": "true"})
    assert response["X-Session-Expires-In"] == "1800"
    assert response["X-Session-Extendable"] == "1"
