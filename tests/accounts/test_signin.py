"""Sign-in by email and password, and the django-axes lock (issue 3, Sign-in)."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD

LOGIN = "accounts:login"


def post_login(client: Client, email: str, password: str = TEST_PASSWORD, ip="10.0.0.1"):
    return client.post(reverse(LOGIN), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_login_page_has_email_and_password_fields_and_sign_in_button(client, db):
    response = client.get(reverse(LOGIN))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'type="email"' in html
    assert 'name="password"' in html
    assert ">Sign in</button>" in html
    assert reverse("accounts:password_reset") in html


def test_teacher_signs_in_with_email_and_password_and_lands_home(client, world):
    response = post_login(client, world.teacher_a.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:home")
    assert client.session[SESSION_KEY] == str(world.teacher_a.pk)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_email_is_matched_whatever_its_case(client, world):
    response = post_login(client, world.teacher_a.email.upper())
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world.teacher_a.pk)


def test_wrong_password_rerenders_with_clear_error_and_no_session(client, world):
    response = post_login(client, world.teacher_a.email, "not-the-password-at-all")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_unknown_email_gets_the_same_error_as_a_wrong_password(client, world):
    response = post_login(client, "nobody@alder.example", "whatever-password-here")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_deactivated_person_cannot_sign_in(client, world):
    world.teacher_a.is_active = False
    world.teacher_a.save(update_fields=["is_active"])
    response = post_login(client, world.teacher_a.email)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_session_key_changes_at_sign_in(client, world):
    client.get(reverse(LOGIN))
    client.session.save()  # an anonymous session exists before sign-in
    before = client.session.session_key
    assert before
    post_login(client, world.teacher_a.email)
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(world.teacher_a.pk)


@pytest.mark.parametrize("persona", ["leader_a", "head_a", "dsl_a", "office_a", "trust_admin"])
def test_roles_above_teacher_are_sent_to_two_factor_after_password(client, world, persona):
    response = post_login(client, world.people[persona].email)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    # The password alone opens nothing else.
    home = client.get(reverse("dashboard:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:two_factor"))


def test_teacher_who_enrolled_voluntarily_must_also_give_a_code(client, world):
    TOTPDevice.objects.create(user=world.teacher_a, name="phone", confirmed=True)
    response = post_login(client, world.teacher_a.email)
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    home = client.get(reverse("dashboard:home"))
    assert home["Location"].startswith(reverse("accounts:two_factor"))


def test_next_is_kept_through_two_factor(client, world):
    response = client.post(
        reverse(LOGIN) + "?next=/notifications/",
        {"username": world.leader_a.email, "password": TEST_PASSWORD, "next": "/notifications/"},
    )
    assert response["Location"] == reverse("accounts:two_factor") + "?next=%2Fnotifications%2F"


def test_sign_out_ends_the_session(world, client_for):
    client = client_for("teacher_a")
    client.post(reverse("accounts:logout"))
    assert SESSION_KEY not in client.session
    assert client.get(reverse("dashboard:home")).status_code == 302


# --- django-axes ------------------------------------------------------------------------


def fail(client, email, times, ip="10.0.0.1"):
    for _ in range(times):
        response = post_login(client, email, "wrong-password-guess", ip=ip)
    return response


def test_fifth_failure_locks_with_a_page_that_says_what_to_do(client, world):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(client, world.teacher_a.email, 4)
    response = fail(client, world.teacher_a.email, 1)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in locked" in html
    assert "Wait 30 minutes" in html
    assert reverse("accounts:password_reset") in html


def test_locked_pair_cannot_sign_in_even_with_the_right_password(client, world):
    fail(client, world.teacher_a.email, 5)
    response = post_login(client, world.teacher_a.email)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_lock_counts_failures_whatever_the_case_of_the_email(client, world):
    email = world.teacher_a.email
    for variant in (email, email.upper(), email.title(), email, email.upper()):
        response = post_login(client, variant, "wrong-password-guess")
    assert response.status_code == 429
    assert post_login(client, email).status_code == 429


def test_lock_is_by_email_and_ip_together(world):
    attacker = Client()
    fail(attacker, world.teacher_a.email, 5, ip="10.9.9.9")
    # The same person from their school's network still signs in...
    teacher = Client()
    assert post_login(teacher, world.teacher_a.email, ip="10.0.0.1").status_code == 302
    # ...and another person from the attacker's address is not locked out.
    colleague = Client()
    assert post_login(colleague, world.staff_a.email, ip="10.9.9.9").status_code == 302


def test_success_before_the_limit_resets_the_failure_count(client, world):
    fail(client, world.teacher_a.email, 4)
    assert post_login(client, world.teacher_a.email).status_code == 302
    client.post(reverse("accounts:logout"))
    response = fail(client, world.teacher_a.email, 4)
    assert response.status_code == 200  # not locked: the count started again
