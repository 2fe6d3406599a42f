"""Two-factor sign-in with TOTP and backup codes (issue 3, Sign-in)."""

import base64
import re
from binascii import unhexlify

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.factories import TEST_PASSWORD

TWO_FACTOR = "accounts:two_factor"


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """What the person's authenticator app shows now (or `offset_steps` later)."""
    return f"{totp(device.bin_key, drift=offset_steps):06d}"


def password_only(world, persona: str) -> Client:
    """A client past the password step but not yet the second factor."""
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": world.people[persona].email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    return client


def actions_for(user) -> list[str]:
    return list(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))


# --- enrolment ---------------------------------------------------------------------------


def test_first_sign_in_shows_qr_code_secret_and_confirm_form(world):
    client = password_only(world, "leader_a")
    response = client.get(reverse(TWO_FACTOR))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=world.leader_a, confirmed=False)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == unhexlify(device.key)
    assert 'name="otp_token"' in html
    assert ">Confirm</button>" in html
    assert "<script>" not in html and 'style="' not in html


def test_reloading_the_enrolment_page_keeps_the_same_secret(world):
    client = password_only(world, "leader_a")
    first = client.get(reverse(TWO_FACTOR)).content.decode()
    second = client.get(reverse(TWO_FACTOR)).content.decode()
    pattern = r'data-testid="totp-secret">([A-Z2-7]+)<'
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)
    assert TOTPDevice.objects.filter(user=world.leader_a).count() == 1


def test_qr_code_is_a_standalone_svg_image_browsers_can_show(world):
    client = password_only(world, "leader_a")
    html = client.get(reverse(TWO_FACTOR)).content.decode()
    data = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html).group(1)
    svg = base64.b64decode(data).decode()
    # Browsers render an SVG image only with its namespace.
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<path" in svg


def test_wrong_enrolment_code_is_refused_clearly_audited_and_not_confirmed(world):
    client = password_only(world, "leader_a")
    client.get(reverse(TWO_FACTOR))
    response = client.post(reverse(TWO_FACTOR), {"otp_token": "000000"})
    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.leader_a, confirmed=True).exists()
    assert "auth.2fa_failed" in actions_for(world.leader_a)
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_enrolment_code_that_is_not_six_digits_gets_a_form_error(world):
    client = password_only(world, "leader_a")
    client.get(reverse(TWO_FACTOR))
    response = client.post(reverse(TWO_FACTOR), {"otp_token": "12ab"})
    assert "Enter the six digits" in response.content.decode()


def test_right_enrolment_code_confirms_shows_ten_backup_codes_once_and_signs_in(world):
    client = password_only(world, "leader_a")
    client.get(reverse(TWO_FACTOR) + "?next=/notifications/")
    device = TOTPDevice.objects.get(user=world.leader_a)
    response = client.post(
        reverse(TWO_FACTOR), {"otp_token": code_for(device), "next": "/notifications/"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    block = re.search(r'data-testid="backup-codes">(.*?)</ul>', html, re.S).group(1)
    shown = re.findall(r"<li[^>]*>([a-z2-7]+)</li>", block)
    assert len(shown) == 10
    stored = set(
        StaticToken.objects.filter(device__user=world.leader_a).values_list("token", flat=True)
    )
    assert set(shown) == stored
    assert 'href="/notifications/"' in html
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("dashboard:home")).status_code == 200
    assert "auth.2fa_enrolled" in actions_for(world.leader_a)
    # Shown once: the two-factor page now just sends the verified person on.
    assert client.get(reverse(TWO_FACTOR)).status_code == 302


def test_audit_of_enrolment_holds_no_secret(world):
    client = password_only(world, "leader_a")
    client.get(reverse(TWO_FACTOR))
    device = TOTPDevice.objects.get(user=world.leader_a)
    client.post(reverse(TWO_FACTOR), {"otp_token": code_for(device)})
    entry = AuditEntry.objects.get(action="auth.2fa_enrolled")
    assert device.key not in str(entry.data)
    for token in StaticToken.objects.filter(device__user=world.leader_a):
        assert token.token not in str(entry.data)


def test_teacher_may_enrol_from_the_security_page(world, client_for):
    client = client_for("teacher_a")
    page = client.get(reverse("accounts:security")).content.decode()
    assert "optional for your role" in page
    assert reverse(TWO_FACTOR) in page
    client.get(reverse(TWO_FACTOR))
    device = TOTPDevice.objects.get(user=world.teacher_a)
    response = client.post(reverse(TWO_FACTOR), {"otp_token": code_for(device)})
    assert 'data-testid="backup-codes"' in response.content.decode()
    assert TOTPDevice.objects.get(user=world.teacher_a).confirmed


# --- verification ------------------------------------------------------------------------


@pytest.fixture
def enrolled_leader(world):
    device = TOTPDevice.objects.create(user=world.leader_a, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=world.leader_a, name="backup", confirmed=True)
    static.token_set.create(token="abcd2345")
    static.token_set.create(token="efgh6723")
    return device


def test_enrolled_person_gets_verify_form_with_otp_token_and_verify_button(world, enrolled_leader):
    client = password_only(world, "leader_a")
    html = client.get(reverse(TWO_FACTOR)).content.decode()
    assert 'name="otp_token"' in html
    assert ">Verify</button>" in html
    assert "totp-secret" not in html


def test_right_totp_code_signs_in_and_goes_to_next(world, enrolled_leader):
    client = password_only(world, "leader_a")
    response = client.post(
        reverse(TWO_FACTOR) + "?next=/notifications/", {"otp_token": code_for(enrolled_leader)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_code_with_a_space_as_apps_show_it_is_accepted(world, enrolled_leader):
    client = password_only(world, "leader_a")
    code = code_for(enrolled_leader)
    response = client.post(reverse(TWO_FACTOR), {"otp_token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


def test_next_pointing_off_site_is_ignored(world, enrolled_leader):
    client = password_only(world, "leader_a")
    response = client.post(
        reverse(TWO_FACTOR) + "?next=https://evil.example/",
        {"otp_token": code_for(enrolled_leader)},
    )
    assert response["Location"] == reverse("dashboard:home")


def test_wrong_code_is_refused_clearly_and_audited(world, enrolled_leader):
    client = password_only(world, "leader_a")
    response = client.post(reverse(TWO_FACTOR), {"otp_token": "123456"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert "auth.2fa_failed" in actions_for(world.leader_a)
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_same_totp_code_cannot_be_used_twice(world, enrolled_leader):
    code = code_for(enrolled_leader)
    first = password_only(world, "leader_a")
    assert first.post(reverse(TWO_FACTOR), {"otp_token": code}).status_code == 302
    second = password_only(world, "leader_a")
    response = second.post(reverse(TWO_FACTOR), {"otp_token": code})
    assert response.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in second.session


def test_repeated_wrong_codes_are_throttled_then_allowed_after_a_wait(world, enrolled_leader):
    client = password_only(world, "leader_a")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(reverse(TWO_FACTOR), {"otp_token": "111111"})
        response = client.post(reverse(TWO_FACTOR), {"otp_token": code_for(enrolled_leader)})
        assert "Too many wrong codes" in response.content.decode()
        assert DEVICE_ID_SESSION_KEY not in client.session
        traveller.shift(5)
        response = client.post(reverse(TWO_FACTOR), {"otp_token": code_for(enrolled_leader)})
        assert response.status_code == 302


def test_backup_code_signs_in_once_and_is_used_up(world, enrolled_leader):
    client = password_only(world, "leader_a")
    response = client.post(reverse(TWO_FACTOR), {"otp_token": "ABCD 2345"})
    assert response.status_code == 302
    assert not StaticToken.objects.filter(token="abcd2345").exists()
    assert StaticToken.objects.filter(token="efgh6723").exists()
    again = password_only(world, "leader_a")
    response = again.post(reverse(TWO_FACTOR), {"otp_token": "abcd2345"})
    assert response.status_code == 200
    assert DEVICE_ID_SESSION_KEY not in again.session


def test_using_a_backup_code_says_how_many_are_left(world, enrolled_leader):
    client = password_only(world, "leader_a")
    response = client.post(reverse(TWO_FACTOR), {"otp_token": "abcd2345"}, follow=True)
    assert "1 left" in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in_from_two_factor(client, db):
    response = client.get(reverse(TWO_FACTOR))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- what an unverified session can reach -----------------------------------------------


def test_unverified_leader_can_still_sign_out_and_reset_password(world):
    client = password_only(world, "leader_a")
    assert client.get(reverse("accounts:password_reset")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("dashboard:home"))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url_name", ["accounts:security", "accounts:step_up", "dashboard:home"])
def test_unverified_leader_is_sent_to_two_factor_from_other_pages(world, url_name):
    client = password_only(world, "leader_a")
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(TWO_FACTOR) + "?next=")


def test_teacher_without_a_device_is_never_asked_for_a_code(world):
    client = password_only(world, "teacher_a")
    assert client.get(reverse("dashboard:home")).status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 200


# --- backup codes from the security page -------------------------------------------------


def test_security_page_shows_two_factor_status_and_backup_codes_left(
    world, client_for, enrolled_leader
):
    client = client_for("leader_a")
    html = client.get(reverse("accounts:security")).content.decode()
    assert "Backup codes left: <strong>2</strong>" in html
    assert reverse("accounts:backup_codes") in html


def test_security_link_is_in_the_navigation(world, client_for):
    html = client_for("teacher_a").get(reverse("dashboard:home")).content.decode()
    assert f'href="{reverse("accounts:security")}"' in html


def test_new_backup_codes_need_a_step_up(world, client_for, enrolled_leader):
    client = client_for("leader_a")
    response = client.post(reverse("accounts:backup_codes"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert StaticToken.objects.filter(token="abcd2345").exists()


def test_new_backup_codes_after_step_up_replace_the_old_ones(world, client_for, enrolled_leader):
    client = client_for("leader_a")
    client.post(
        reverse("accounts:step_up"),
        {"password": TEST_PASSWORD, "otp_token": code_for(enrolled_leader)},
    )
    response = client.post(reverse("accounts:backup_codes"))
    html = response.content.decode()
    assert response.status_code == 200
    block = re.search(r'data-testid="backup-codes">(.*?)</ul>', html, re.S).group(1)
    shown = re.findall(r"<li[^>]*>([a-z2-7]+)</li>", block)
    assert len(shown) == 10
    tokens = set(
        StaticToken.objects.filter(device__user=world.leader_a).values_list("token", flat=True)
    )
    assert tokens == set(shown)
    assert "abcd2345" not in tokens
    assert "auth.backup_codes_regenerated" in actions_for(world.leader_a)


def test_wrong_enrolment_codes_in_quick_succession_say_to_wait(world):
    client = password_only(world, "leader_a")
    client.get(reverse(TWO_FACTOR))
    device = TOTPDevice.objects.get(user=world.leader_a)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.post(reverse(TWO_FACTOR), {"otp_token": "000000"})
        response = client.post(reverse(TWO_FACTOR), {"otp_token": code_for(device)})
        assert "Wait a few seconds" in response.content.decode()
        traveller.shift(5)
        response = client.post(reverse(TWO_FACTOR), {"otp_token": code_for(device)})
    assert 'data-testid="backup-codes"' in response.content.decode()
