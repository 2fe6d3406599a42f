"""Password rules and password reset by email (issue 3, Sign-in)."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "walrus lantern ripple orchard"


# --- rules -------------------------------------------------------------------------------


def test_eleven_characters_are_refused(world):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("kq8vz3mw1tx", user=world.teacher_a)


def test_a_common_password_is_refused_even_when_long_enough(world):
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234", user=world.teacher_a)


def test_a_passphrase_of_lowercase_words_is_accepted_without_composition_rules(world):
    validate_password("purple monkey dishwasher", user=world.teacher_a)
    validate_password("correcthorsebatterystaple", user=world.teacher_a)


def test_passwords_are_stored_with_argon2(world):
    world.teacher_a.set_password(NEW_PASSWORD)
    world.teacher_a.save()
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.password.startswith("argon2$argon2id$")
    assert world.teacher_a.check_password(NEW_PASSWORD)


# --- reset by email ----------------------------------------------------------------------


def request_reset(client: Client, email: str):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def reset_link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+", mail.outbox[0].body).group(0)


def test_reset_email_carries_only_the_link(world, client, settings):
    settings.SITE_URL = "https://portal.starmat.example"
    response = request_reset(client, world.teacher_a.email.upper())
    assert response["Location"] == reverse("accounts:password_reset_done")
    message = mail.outbox[0]
    assert message.to == [world.teacher_a.email]
    link = reset_link()
    assert link.startswith("https://portal.starmat.example/accounts/password-reset/")
    # Nothing about the person or their roles: just the link and what to do.
    assert world.teacher_a.full_name not in message.body
    assert world.teacher_a.email not in message.body
    assert world.school_a.name not in message.body
    assert not message.alternatives


def test_unknown_email_gets_the_same_answer_and_no_email(db, client):
    response = request_reset(client, "nobody@nowhere.example")
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_reset_link_sets_a_new_password_and_old_sessions_end(world, client_for):
    old_session = client_for("teacher_a")
    assert old_session.get(reverse("dashboard:home")).status_code == 200
    browser = Client()
    request_reset(browser, world.teacher_a.email)
    form_page = browser.get(reset_link(), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.check_password(NEW_PASSWORD)
    # The session from before the reset no longer counts as signed in.
    response = old_session.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert SESSION_KEY not in old_session.session
    # Nor does the reset itself sign anyone in.
    assert SESSION_KEY not in browser.session


def test_reset_refuses_a_short_password_and_keeps_the_old_one(world, client):
    request_reset(client, world.teacher_a.email)
    set_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "short-pass", "new_password2": "short-pass"})
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.check_password(TEST_PASSWORD)


def test_reset_link_works_only_once(world, client):
    request_reset(client, world.teacher_a.email)
    link = reset_link()
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]
    assert "This link no longer works" in again.content.decode()


def test_reset_lifts_a_sign_in_lock_for_that_person(world):
    attacker_ip = "10.5.5.5"
    locked = Client()
    for _ in range(5):
        response = locked.post(
            reverse("accounts:login"),
            {"username": world.teacher_a.email, "password": "wrong-password-guess"},
            REMOTE_ADDR=attacker_ip,
        )
    assert response.status_code == 429
    browser = Client()
    request_reset(browser, world.teacher_a.email)
    set_url = browser.get(reset_link(), follow=True).redirect_chain[-1][0]
    browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = locked.post(
        reverse("accounts:login"),
        {"username": world.teacher_a.email, "password": NEW_PASSWORD},
        REMOTE_ADDR=attacker_ip,
    )
    assert response.status_code == 302
