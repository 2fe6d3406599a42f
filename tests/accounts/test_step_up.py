"""Step-up: password and TOTP again before a sensitive action (issue 3, Sign-in)."""

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.stepup import (
    STEP_UP_SESSION_KEY,
    has_fresh_step_up,
    mark_step_up,
    step_up_required,
)
from audit.models import AuditEntry
from tests.factories import TEST_PASSWORD

STEP_UP = "accounts:step_up"
CALLS: list[str] = []


@step_up_required
def sensitive(request):
    """Stands in for e.g. revealing an escrowed password."""
    CALLS.append(request.method)
    return HttpResponse(f"done {request.method}")


# A test-only urlconf: the project's own URLs plus one guarded view.
urlpatterns = [
    path("sensitive/", sensitive, name="sensitive"),
    path("", include("config.urls")),
]


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


@pytest.fixture
def device(world):
    return TOTPDevice.objects.create(user=world.leader_a, name="phone", confirmed=True)


def code(device, steps_ahead: int = 0) -> str:
    # drift shifts the window: a later code is valid within the tolerance of one step.
    return f"{totp(device.bin_key, drift=steps_ahead):06d}"


def step_up(client, device, password=TEST_PASSWORD, token=None, next_url=None):
    url = reverse(STEP_UP) + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"password": password, "otp_token": token or code(device)})


def test_step_up_page_asks_for_password_and_code(world, client_for, device):
    html = client_for("leader_a").get(reverse(STEP_UP)).content.decode()
    assert 'name="password"' in html and 'name="otp_token"' in html


def test_right_password_and_code_pass_cycle_the_session_key_and_are_audited(
    world, client_for, device
):
    client = client_for("leader_a")
    before = client.session.session_key
    response = step_up(client, device, next_url="/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert client.session.session_key != before
    assert STEP_UP_SESSION_KEY in client.session
    assert AuditEntry.objects.filter(actor=world.leader_a, action="auth.step_up").exists()


def test_wrong_password_fails_clearly_and_is_audited(world, client_for, device):
    client = client_for("leader_a")
    response = step_up(client, device, password="not-my-password-at-all")
    assert response.status_code == 200
    assert "password or code was not right" in response.content.decode()
    assert STEP_UP_SESSION_KEY not in client.session
    entry = AuditEntry.objects.get(actor=world.leader_a, action="auth.step_up_failed")
    assert entry.data == {"reason": "password"}
    assert "not-my-password" not in str(entry.data)


def test_wrong_code_fails_and_is_audited(world, client_for, device):
    client = client_for("leader_a")
    response = step_up(client, device, token="000000" if code(device) != "000000" else "111111")
    assert response.status_code == 200
    assert STEP_UP_SESSION_KEY not in client.session
    entry = AuditEntry.objects.get(actor=world.leader_a, action="auth.step_up_failed")
    assert entry.data == {"reason": "code"}


def test_backup_code_is_not_accepted_for_step_up(world, client_for, device):
    from django_otp.plugins.otp_static.models import StaticDevice

    static = StaticDevice.objects.create(user=world.leader_a, name="backup", confirmed=True)
    static.token_set.create(token="abcd2345")
    client = client_for("leader_a")
    response = step_up(client, device, token="abcd2345")
    assert response.status_code == 200
    assert STEP_UP_SESSION_KEY not in client.session
    assert static.token_set.filter(token="abcd2345").exists()


def test_five_wrong_step_ups_sign_the_session_out(world, client_for, device):
    client = client_for("leader_a")
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            response = step_up(client, device, password="wrong-password-guess")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("dashboard:home"))["Location"].startswith(reverse("accounts:login"))


def test_person_without_an_authenticator_is_sent_to_set_one_up(world, client_for):
    response = client_for("teacher_a").get(reverse(STEP_UP))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


# --- the decorator, on a test-only URL --------------------------------------------------


@pytest.mark.urls(__name__)
def test_guarded_get_without_step_up_goes_to_step_up_and_back(world, client_for, device):
    client = client_for("leader_a")
    response = client.get("/sensitive/?x=1")
    assert response.status_code == 302
    assert response["Location"] == reverse(STEP_UP) + "?next=%2Fsensitive%2F%3Fx%3D1"
    assert CALLS == []
    back = step_up(client, device, next_url="/sensitive/%3Fx%3D1")
    assert back["Location"] == "/sensitive/?x=1"
    assert client.get(back["Location"]).content == b"done GET"


@pytest.mark.urls(__name__)
def test_guarded_post_without_step_up_is_not_run_and_returns_to_the_get_form(
    world, client_for, device
):
    client = client_for("leader_a")
    response = client.post("/sensitive/", {"confirm": "yes"})
    assert CALLS == []
    assert response.status_code == 302
    assert response["Location"] == reverse(STEP_UP) + "?next=%2Fsensitive%2F"
    page = client.get(response["Location"]).content.decode()
    assert "nothing was changed yet" in page
    back = step_up(client, device, next_url="/sensitive/")
    assert back["Location"] == "/sensitive/"
    assert client.post("/sensitive/").content == b"done POST"


@pytest.mark.urls(__name__)
def test_step_up_lasts_five_minutes(world, client_for, device):
    client = client_for("leader_a")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        step_up(client, device)
        traveller.shift(4 * 60 + 50)
        assert client.get("/sensitive/").status_code == 200
        traveller.shift(20)
        response = client.get("/sensitive/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(STEP_UP))


@pytest.mark.urls(__name__)
def test_anonymous_visitor_of_a_guarded_view_is_sent_to_sign_in(db, client):
    response = client.get("/sensitive/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert CALLS == []


# --- the helper on its own (RequestFactory) ---------------------------------------------


def _request(user, session=None):
    request = RequestFactory().post("/anything/")
    request.user = user
    request.session = session or SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_has_fresh_step_up_is_false_without_one_and_true_after(world):
    request = _request(world.leader_a)
    assert has_fresh_step_up(request) is False
    mark_step_up(request)
    assert has_fresh_step_up(request) is True


def test_has_fresh_step_up_is_false_for_anonymous_even_with_the_key(db):
    request = _request(AnonymousUser())
    request.session[STEP_UP_SESSION_KEY] = timezone.now().timestamp()
    assert has_fresh_step_up(request) is False


def test_decorated_view_runs_directly_when_fresh(world):
    request = _request(world.leader_a)
    mark_step_up(request)
    assert sensitive(request).content == b"done POST"
    assert CALLS == ["POST"]
