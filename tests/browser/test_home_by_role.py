"""Issue 2: every demo person signs in (with their authenticator when their role needs it) and
sees a home page that fits their role."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_PASSWORD, SCHOOL_PEOPLE, SCHOOLS, TRUST_PEOPLE
from accounts.models import Membership, TrustRole, User
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.selectors import requires_two_factor
from dashboard.selectors import ROLE_DUTIES

from .helpers import replay_data_migrations, sign_in_with_password, verify_totp

ROLE_BY_LABEL = {label: value for value, label in [*SchoolRole.choices, *TrustRoleKind.choices]}
# "  lee@northfield.starmat.example  School leader — Northfield Primary Academy"
LOGIN_LINE = re.compile(r"^\s+(?P<email>\S+@\S+)\s+(?P<role>.+?) — (?P<where>.+)$")


def load_demo_logins() -> tuple[list[tuple[str, str, str]], str]:
    """Run `manage.py load_demo`; return the logins it prints (email, role, where) and all
    of its output."""
    replay_data_migrations()  # an earlier live-server test may have emptied the tables
    out = StringIO()
    call_command("load_demo", stdout=out)
    logins = []
    for line in out.getvalue().splitlines():
        match = LOGIN_LINE.match(line)
        if match and match["role"] in ROLE_BY_LABEL:
            logins.append((match["email"], ROLE_BY_LABEL[match["role"]], match["where"]))
    return logins, out.getvalue()


def demo_totp_code(email: str) -> str:
    """The code `manage.py demo_totp EMAIL` prints (it runs only with DEBUG on, as in dev)."""
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo_totp", email, stdout=out)
    match = re.search(r"Code now: (\d{6})", out.getvalue())
    assert match, out.getvalue()
    return match[1]


def roles_held(user: User) -> set[str]:
    school_roles = Membership.objects.filter(user=user).values_list("role", flat=True)
    trust_roles = TrustRole.objects.filter(user=user).values_list("role", flat=True)
    return {*school_roles, *trust_roles}


def test_each_demo_person_signs_in_and_sees_the_home_page_of_their_role(new_visitor):
    logins, hints = load_demo_logins()
    assert "manage.py demo_totp EMAIL" in hints  # the demo says how to get codes
    # Everyone accounts/demo.py creates is printed: six people at each school, and the trust's.
    printed = [email for email, _, _ in logins]
    expected = {
        f"{local}@{slug}.starmat.example" for slug, *_ in SCHOOLS for local, *_ in SCHOOL_PEOPLE
    } | {f"{local}@starmat.example" for local, *_ in TRUST_PEOPLE}
    assert expected <= set(printed), expected - set(printed)
    assert len(printed) == len(set(printed)), printed
    assert {role for _, role, _ in logins} == set(ROLE_BY_LABEL.values())

    used_demo_totp = False
    for index, (email, role, where) in enumerate(logins):
        user = User.objects.get(email=email)
        visitor = new_visitor(email.split(".")[0].replace("@", "-"))
        sign_in_with_password(visitor, email, DEMO_PASSWORD)

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if requires_two_factor(user):
            # The demo gives everyone whose role needs a second factor an authenticator
            # (a confirmed TOTP device) whose current code the test computes from its key.
            assert device is not None, f"{email} has no authenticator in the demo"
        if device is not None:
            # No home page before the code.
            assert visitor.path.startswith(reverse("accounts:two_factor")), (email, visitor.path)
            if not used_demo_totp:
                # Once, the way the demo's printed hint says: `manage.py demo_totp EMAIL`.
                visitor.fill("otp_token", demo_totp_code(email))
                visitor.submit("Verify", slug="after-code")
                used_demo_totp = True
            else:
                verify_totp(visitor, device)

        assert visitor.path == reverse("dashboard:home"), (email, visitor.page.url)
        page = visitor.page
        assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

        shown = set(page.locator("[data-role]").evaluate_all("els => els.map(e => e.dataset.role)"))
        assert shown == roles_held(user), (email, shown)
        section = page.locator(f'[data-role="{role}"]')
        if role in SchoolRole.values:
            section = section.filter(has_text=where)
        assert section.count() == 1, (email, role, where)
        section_text = section.inner_text()
        assert ROLE_DUTIES[role] in section_text, (email, section_text)
        if role == TrustRoleKind.TRUSTEE:
            assert "never personal data" in section_text

        if index == 0:
            # Bootstrap's CSS is served by the live server (a bare <nav> would be display:block).
            display = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).display")
            assert display == "flex", "bootstrap.min.css did not load"
        visitor.close()


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_the_error_and_stays_signed_out(visitor):
    User.objects.create_user(
        email="lee@alder.example", password="a-long-right-password", full_name="Lee Leader"
    )
    sign_in_with_password(visitor, "lee@alder.example", "not-the-password")

    assert visitor.path.startswith(reverse("accounts:login"))
    error = visitor.page.locator(".alert-danger")
    assert "password" in error.inner_text()
    # Still anonymous: the home page sends them back to sign in.
    visitor.goto("dashboard:home", slug="home-while-signed-out")
    assert visitor.path.startswith(reverse("accounts:login"))
