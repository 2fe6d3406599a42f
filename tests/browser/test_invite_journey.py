"""Issue 3 (people and access), done when: browser tests show invite → set password → enrol
2FA → sign in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, User
from accounts.roles import SchoolRole
from tests.factories import TEST_PASSWORD

from .helpers import enrol_totp, sign_in_with_password, verify_totp

NEW_PASSWORD = "kettle-orchard-lantern-42"
LINK = re.compile(r"https?://[^\s\"'<>]+")


def invitation_path(email: str) -> str:
    """The set-password link of the invitation sent to `email` (the live server runs in this
    process, so the locmem backend's outbox holds what it sent)."""
    sent = [m for m in mail.outbox if email in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    links = {link for link in LINK.findall(sent[0].body) if "/accounts/" in link}
    assert len(links) == 1, sent[0].body
    # The email carries SITE_URL; the browser talks to the live server.
    parts = urlsplit(links.pop())
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_invited_leader_sets_password_enrols_two_factor_and_signs_in(world, new_visitor):
    admin = world.trust_admin
    admin_device = TOTPDevice.objects.create(user=admin, name="Admin's phone", confirmed=True)

    # A trust administrator signs in with password and authenticator code.
    boss = new_visitor("admin")
    sign_in_with_password(boss, admin.email, TEST_PASSWORD)
    # The password alone opens nothing: the home page sends them back for the code.
    boss.goto("dashboard:home", slug="home-before-code")
    assert boss.path.startswith(reverse("accounts:two_factor")), boss.page.url
    verify_totp(boss, admin_device)
    assert boss.path == reverse("dashboard:home")

    # ...and invites a new school leader at school A.
    boss.goto("accounts:person_invite", slug="invite-form")
    boss.fill("full_name", "Nia Newcomer")
    boss.fill("email", "nia@alder.example")
    boss.page.locator('select[name="school"]').select_option(label=world.school_a.name)
    boss.page.locator('select[name="role"]').select_option(value=SchoolRole.LEADER)
    boss.submit("Send invitation", slug="invited")
    nia = User.objects.get(email="nia@alder.example")
    assert not nia.has_usable_password()
    assert Membership.objects.filter(
        user=nia, school=world.school_a, role=SchoolRole.LEADER
    ).exists()
    link = invitation_path("nia@alder.example")

    # The new person follows the link and chooses a password.
    newcomer = new_visitor("nia")
    newcomer.goto(link, slug="set-password-form")
    newcomer.fill("new_password1", NEW_PASSWORD)
    newcomer.fill("new_password2", NEW_PASSWORD)
    newcomer.submit("Set password", slug="password-set")
    nia.refresh_from_db()
    assert nia.check_password(NEW_PASSWORD)

    # Signs in: a leader may not go further without a second factor, so they must enrol.
    if not newcomer.page.get_by_test_id("totp-secret").count():
        sign_in_with_password(newcomer, "nia@alder.example", NEW_PASSWORD)
    assert newcomer.page.get_by_test_id("totp-secret").is_visible(), newcomer.page.url
    backup_codes = enrol_totp(newcomer)
    assert len(backup_codes.split()) == 10, backup_codes
    newcomer.follow(re.compile("continue", re.I), slug="home-after-enrolment")
    assert newcomer.path == reverse("dashboard:home")
    leader_section = newcomer.page.locator(f'[data-role="{SchoolRole.LEADER}"]')
    assert world.school_a.name in leader_section.inner_text()

    # Next day, a fresh browser: password, then the code from the app just set up.
    device = TOTPDevice.objects.get(user=nia, confirmed=True)
    again = new_visitor("nia-again")
    sign_in_with_password(again, "nia@alder.example", NEW_PASSWORD)
    assert again.path.startswith(reverse("accounts:two_factor"))
    assert not again.page.get_by_test_id("totp-secret").count(), "asked to enrol twice"
    verify_totp(again, device)
    assert again.path == reverse("dashboard:home")
    assert again.page.locator(f'[data-role="{SchoolRole.LEADER}"]').count() == 1
