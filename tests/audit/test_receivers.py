"""Clause 6 / issue: sign-ins, failed sign-ins and lockouts are recorded, with the client's
address, and never with the password that was tried."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import TEST_PASSWORD

WRONG = "not-the-right-password-at-all"


def sign_in(client: Client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_sign_in_is_recorded_with_the_address(world):
    client = Client(REMOTE_ADDR="203.0.113.7")
    response = sign_in(client, world.teacher_a.email, TEST_PASSWORD)
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="auth.login").latest("id")
    assert entry.actor_id == world.teacher_a.pk
    assert entry.actor_email == world.teacher_a.email
    assert entry.ip_address == "203.0.113.7"


def test_sign_out_is_recorded(world, client_for):
    client = client_for("teacher_a")
    client.post(reverse("accounts:logout"))
    entry = AuditEntry.objects.filter(action="auth.logout").latest("id")
    assert entry.actor_id == world.teacher_a.pk


def test_failed_sign_in_keeps_the_email_and_address_but_not_the_password(world):
    client = Client(REMOTE_ADDR="198.51.100.23")
    sign_in(client, world.teacher_a.email.upper(), WRONG)
    entry = AuditEntry.objects.filter(action="auth.login_failed").latest("id")
    assert entry.data == {"email": world.teacher_a.email}
    assert entry.ip_address == "198.51.100.23"
    assert entry.actor_id is None
    # It is about their account, so it appears on their own activity page.
    assert (entry.target_type, entry.target_id) == ("accounts.User", str(world.teacher_a.pk))
    stored = str(AuditEntry.objects.filter(pk=entry.pk).values().get())
    assert WRONG not in stored


def test_failed_sign_in_for_an_unknown_address_names_no_account(db):
    Client(REMOTE_ADDR="198.51.100.24").post(
        reverse("accounts:login"), {"username": "nobody@nowhere.example", "password": WRONG}
    )
    entry = AuditEntry.objects.filter(action="auth.login_failed").latest("id")
    assert entry.data == {"email": "nobody@nowhere.example"}
    assert entry.target_type == ""


def test_a_password_typed_as_the_email_is_never_stored(db):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.25")
    authenticate(request, username="MySecretPassw0rd!", password=WRONG)
    entry = AuditEntry.objects.filter(action="auth.login_failed").latest("id")
    assert entry.data == {"email": "(not an email address)"}
    assert "MySecretPassw0rd" not in str(AuditEntry.objects.filter(pk=entry.pk).values().get())


def test_lockout_is_recorded(world):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, world.leader_a.email, WRONG)
    entry = AuditEntry.objects.filter(action="auth.locked_out").latest("id")
    assert entry.data == {"email": world.leader_a.email}
    assert entry.ip_address == "192.0.2.50"
    assert entry.target_id == str(world.leader_a.pk)
    failures = AuditEntry.objects.filter(
        action="auth.login_failed", target_id=str(world.leader_a.pk)
    )
    assert failures.count() == settings.AXES_FAILURE_LIMIT
