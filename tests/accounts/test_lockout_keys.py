"""A password typed into the email box never reaches django-axes' records or logs."""

from axes.models import AccessAttempt
from django.urls import reverse

from accounts.forms.signin import axes_username


def test_a_password_typed_as_the_email_is_neither_stored_nor_logged(world, client, caplog):
    caplog.set_level("DEBUG")
    client.post(
        reverse("accounts:login"), {"username": "Hunter2-Secret-Pass", "password": "x" * 12}
    )
    stored = list(AccessAttempt.objects.values_list("username", flat=True))
    assert not any("hunter2" in name.lower() for name in stored)
    assert "hunter2-secret-pass" not in caplog.text.lower()


def test_the_lock_key_of_something_not_an_email_is_a_digest():
    key = axes_username(None, {"username": "Hunter2-Secret-Pass"})
    assert key.startswith("not-an-email:") and "hunter2" not in key.lower()
    assert key == axes_username(None, {"username": "hunter2-secret-pass "})  # one lock per value


def test_emails_still_lock_by_their_lower_cased_value(world, client):
    client.post(
        reverse("accounts:login"),
        {"username": "Teacher@Alder.example", "password": "wrong-password!"},
    )
    assert AccessAttempt.objects.get().username == "teacher@alder.example"
