"""Demo authenticators and the demo_totp command (issue 3, Sign-in: "the demo prints how to
get codes")."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo
from accounts.selectors import requires_two_factor


@pytest.fixture
def ctx(db, settings):
    # Demo people get real passwords; a fast hasher keeps this test about the authenticators.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo.load()


def run(*args) -> str:
    out = io.StringIO()
    call_command("demo_totp", *args, stdout=out)
    return out.getvalue()


def test_every_demo_person_whose_role_needs_2fa_has_a_confirmed_authenticator(ctx):
    for key, user in ctx.people.items():
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert has_device == requires_two_factor(user), key
    assert TOTPDevice.objects.filter(user=ctx.people["admin"]).exists()
    assert not TOTPDevice.objects.filter(user=ctx.people["northfield.teacher"]).exists()


def test_demo_keys_come_from_the_email_and_survive_reloading(ctx):
    leader = ctx.people["northfield.leader"]
    device = TOTPDevice.objects.get(user=leader)
    assert device.key == demo.demo_totp_key(leader.email)
    assert device.key != demo.demo_totp_key(ctx.people["riverside.leader"].email)
    demo.load()
    assert TOTPDevice.objects.filter(user=leader).count() == 1
    assert TOTPDevice.objects.get(user=leader).key == device.key


def test_demo_prints_how_to_get_codes(ctx):
    hints = "\n".join(ctx.hints)
    assert "Roles above teacher use two-factor sign-in" in hints
    assert ".venv/bin/python manage.py demo_totp EMAIL" in hints
    assert "authenticator app" in hints


def test_demo_totp_prints_the_current_code_and_key(ctx, settings):
    settings.DEBUG = True
    leader = ctx.people["northfield.leader"]
    device = TOTPDevice.objects.get(user=leader)
    output = run(leader.email.upper())
    assert f"Code now: {totp(device.bin_key):06d}" in output
    assert "Key for an authenticator app: " in output
    assert device.verify_token(output.split("Code now: ")[1][:6])


def test_demo_totp_refuses_unless_debug(ctx, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=True"):
        run("leader@northfield.starmat.example")


def test_demo_totp_refuses_an_email_outside_the_demo_domain(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="only for demo people"):
        run("head@realschool.org.uk")


def test_demo_totp_says_when_the_person_needs_no_code(ctx, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no authenticator"):
        run("teacher@northfield.starmat.example")
