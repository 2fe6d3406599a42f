"""Single sign-on rules without a browser (issue 20): what a token proves (a table), the
provider settings, who is let in, the password switch and its emergency path, and the
step-up of a session signed in with a provider. The whole flow through a real provider is
in tests/browser/test_sso.py."""

from __future__ import annotations

import json

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.sso import claims as token
from accounts.sso.config import Provider, ProviderConfigError, parse_providers
from accounts.sso.services import SSO_SESSION_KEY, SSORefused, sso_match
from accounts.stepup import STEP_UP_SESSION_KEY
from accounts.two_factor import current_totp_code
from audit.models import AuditEntry
from notifications.models import Notification
from tests.factories import TEST_PASSWORD

ENTRA = Provider(
    id="ms",
    name="Microsoft 365",
    kind="entra",
    issuer="https://login.example/t/v2.0",
    client_id="c",
    client_secret="s",
    accept_mfa=True,
    acrs="c1",
)
GOOGLE = Provider(
    id="g",
    name="Google",
    kind="google",
    issuer="https://accounts.google.com",
    client_id="c",
    client_secret="s",
    accept_mfa=True,
    hosted_domain="alder.example",
)
OTHER = Provider(
    id="o",
    name="Other",
    kind="oidc",
    issuer="https://idp.example",
    client_id="c",
    client_secret="s",
    accept_mfa=False,
)


@pytest.mark.parametrize(
    "provider, claims, expected",
    [
        (
            GOOGLE,
            {"email": "A@alder.example", "email_verified": True, "hd": "alder.example"},
            "a@alder.example",
        ),
        (
            GOOGLE,
            {"email": "a@alder.example", "email_verified": "true", "hd": "alder.example"},
            "a@alder.example",
        ),
        (
            GOOGLE,
            {"email": "a@alder.example", "email_verified": False, "hd": "alder.example"},
            None,
        ),
        (GOOGLE, {"email": "a@alder.example", "email_verified": True}, None),  # no hd
        (GOOGLE, {"email": "a@alder.example", "email_verified": True, "hd": "birch.example"}, None),
        (ENTRA, {"email": "a@alder.example", "xms_edov": True}, "a@alder.example"),
        (ENTRA, {"email": "a@alder.example", "xms_edov": "1"}, "a@alder.example"),
        (ENTRA, {"email": "a@alder.example"}, None),  # Entra sends no email_verified
        (OTHER, {"email": "a@alder.example", "xms_edov": True}, None),  # only Entra's claim
        (OTHER, {"email": "not-an-address", "email_verified": True}, None),
        (OTHER, {"email_verified": True}, None),
    ],
)
def test_only_a_verified_email_is_matched(provider, claims, expected):
    assert token.verified_email(provider, claims) == expected


@pytest.mark.parametrize(
    "provider, claims, evidence, accepted",
    [
        (GOOGLE, {"amr": ["pwd", "mfa"]}, "amr:mfa", "amr:mfa"),
        (GOOGLE, {"amr": ["pwd"]}, None, None),
        (GOOGLE, {}, None, None),  # Google sends no amr: TOTP is asked for
        (ENTRA, {"acrs": ["c1"]}, "acrs:c1", "acrs:c1"),
        (ENTRA, {"acrs": "c1"}, "acrs:c1", "acrs:c1"),
        (ENTRA, {"acrs": ["c2"]}, None, None),  # another context is not the MFA one
        (ENTRA, {"amr": ["mfa"]}, None, None),  # Entra v2.0 tokens: amr is not trusted
        (OTHER, {"amr": ["mfa"]}, "amr:mfa", None),  # proven, but the trust did not allow it
    ],
)
def test_mfa_counts_only_when_the_token_proves_it_and_the_trust_allows_it(
    provider, claims, evidence, accepted
):
    assert token.mfa_evidence(provider, claims) == evidence
    assert token.accepted_second_factor(provider, claims) == accepted


@pytest.mark.parametrize(
    "auth_time, fresh",
    [
        (1000, True),
        (941, True),
        (939, False),
        (1059, True),
        (1061, False),
        (None, False),
        (True, False),
    ],
)
def test_step_up_needs_a_sign_in_after_the_portal_asked(auth_time, fresh):
    claims = {} if auth_time is None else {"auth_time": auth_time}
    assert token.authenticated_since(claims, since=1000, now=1000) is fresh


def test_entra_asks_for_the_authentication_context_and_step_up_for_a_fresh_sign_in():
    params = ENTRA.auth_params(step_up=True)
    assert json.loads(params["claims"]) == {
        "id_token": {"acrs": {"essential": True, "value": "c1"}}
    }
    assert params["prompt"] == "login" and params["max_age"] == "0"
    assert GOOGLE.auth_params() == {"hd": "alder.example"}


BASE = {
    "id": "ms",
    "name": "Microsoft 365",
    "kind": "entra",
    "issuer": "https://x/v2.0",
    "client_id": "c",
}


@pytest.mark.parametrize(
    "entry, message",
    [
        ({**BASE, "client_secret": "in-the-file"}, "never in the provider list"),
        ({**BASE, "client_secret_env": "SSO_TEST_UNSET_SECRET"}, "is not set"),
        ({**BASE, "client_secret_file": "/nonexistent/secret"}, "cannot read"),
        ({**BASE, "kind": "saml", "client_secret_env": "SSO_TEST_SECRET"}, "kind must be"),
        ({**BASE, "issuer": "http://idp.example", "client_secret_env": "SSO_TEST_SECRET"}, "https"),
        ({**BASE, "accept_mfa": True, "client_secret_env": "SSO_TEST_SECRET"}, "carry no amr"),
        ({**BASE, "acrs": "mfa", "client_secret_env": "SSO_TEST_SECRET"}, "c1..c99"),
        ({**BASE, "id": "Bad Id", "client_secret_env": "SSO_TEST_SECRET"}, "lower-case"),
    ],
)
def test_unusable_provider_settings_say_what_is_wrong(entry, message):
    with pytest.raises(ProviderConfigError, match=message):
        parse_providers([entry], environ={"SSO_TEST_SECRET": "x"})


def test_secret_from_a_file_and_a_bad_setting_fails_the_system_check(tmp_path, settings):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    [provider] = parse_providers([{**BASE, "client_secret_file": str(secret)}], environ={})
    assert provider.client_secret == "from-a-file"
    settings.SSO_PROVIDERS = [{**BASE, "client_secret": "x"}]
    assert [e.id for e in run_checks() if e.id == "accounts.E020"] == ["accounts.E020"]


# --- who is let in -------------------------------------------------------------------------

ALDER_ONLY = Provider(
    id="alder",
    name="Alder Google",
    kind="oidc",
    issuer="https://idp.example",
    client_id="c",
    client_secret="s",
    schools=("100001",),
)


def verified(email):
    return {"email": email, "email_verified": True}


def test_known_active_person_on_a_school_domain_is_matched(world):
    match = sso_match(ALDER_ONLY, "sub-1", verified(world.teacher_a.email.upper()))
    assert match.user == world.teacher_a and match.how == "email"


@pytest.mark.parametrize(
    "email, claims, reason",
    [
        ("teacher@birch.example", None, "domain_not_allowed"),  # another school's provider
        ("nobody@alder.example", None, "unknown_person"),
        ("teacher@alder.example", {"email": "teacher@alder.example"}, "email_not_verified"),
    ],
)
def test_others_are_refused_with_a_reason(world, email, claims, reason):
    with pytest.raises(SSORefused) as refused:
        sso_match(ALDER_ONLY, "sub-1", claims or verified(email))
    assert refused.value.reason == reason


def test_a_leaver_is_refused_even_when_linked(world):
    SocialAccount.objects.create(user=world.teacher_a, provider="alder", uid="sub-1")
    assert sso_match(ALDER_ONLY, "sub-1", {}).how == "subject"  # linked: no email needed
    world.teacher_a.is_active = False
    world.teacher_a.save()
    with pytest.raises(SSORefused, match="inactive"):
        sso_match(ALDER_ONLY, "sub-1", verified(world.teacher_a.email))


def test_trust_wide_provider_accepts_the_trusts_own_domain(world, settings):
    trust_wide = Provider(
        id="t", name="T", kind="oidc", issuer="https://i", client_id="c", client_secret="s"
    )
    settings.SSO_TRUST_EMAIL_DOMAINS = ["trust.example"]
    assert sso_match(trust_wide, "s", verified(world.trust_admin.email)).user == world.trust_admin
    assert sso_match(trust_wide, "s2", verified(world.teacher_b.email)).user == world.teacher_b


# --- password switch and emergency sign-in ---------------------------------------------------


def test_with_password_sign_in_off_the_form_is_gone_and_posts_are_refused(world, settings):
    settings.PASSWORD_SIGN_IN = False
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'name="password"' not in page
    assert reverse("accounts:emergency_sign_in") in page
    response = client.post(
        reverse("accounts:login"), {"username": world.teacher_a.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_emergency_sign_in_lets_trust_administrators_in_and_tells_them_all(world, settings):
    settings.PASSWORD_SIGN_IN = False
    url = reverse("accounts:emergency_sign_in")
    teacher = Client()
    refused = teacher.post(url, {"username": world.teacher_a.email, "password": TEST_PASSWORD})
    assert refused.status_code == 200
    assert "do not match an account" in refused.content.decode()
    assert SESSION_KEY not in teacher.session

    admin = Client()
    response = admin.post(url, {"username": world.trust_admin.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor")), "TOTP still asked"
    assert AuditEntry.objects.filter(action="auth.emergency_sign_in").count() == 1
    assert Notification.objects.filter(
        kind="accounts.emergency_sign_in", recipient=world.trust_admin
    ).exists()


def test_emergency_sign_in_does_not_exist_while_passwords_are_on(world, settings):
    assert Client().get(reverse("accounts:emergency_sign_in")).status_code == 404
    settings.PASSWORD_SIGN_IN = False
    settings.PASSWORD_SIGN_IN_EMERGENCY = False
    assert Client().get(reverse("accounts:emergency_sign_in")).status_code == 404


# --- step-up after a single sign-on ------------------------------------------------------------


@pytest.fixture
def entra_configured(settings, monkeypatch):
    monkeypatch.setenv("SSO_TEST_SECRET", "x")
    settings.SSO_PROVIDERS = [
        {
            **BASE,
            "issuer": "https://login.example/t/v2.0",
            "client_secret_env": "SSO_TEST_SECRET",
            "accept_mfa": True,
            "acrs": "c1",
        }
    ]


def test_sso_session_steps_up_with_a_code_alone_or_a_fresh_provider_sign_in(
    world, client_for, entra_configured
):
    client = client_for("leader_a")
    session = client.session
    session[SSO_SESSION_KEY] = {"provider": "ms", "at": 0}
    session.save()
    page = client.get(reverse("accounts:step_up")).content.decode()
    assert 'name="password"' not in page and 'name="otp_token"' in page
    assert "Confirm with Microsoft 365" in page
    device = TOTPDevice.objects.get(user=world.leader_a)
    response = client.post(reverse("accounts:step_up"), {"otp_token": current_totp_code(device)})
    assert response.status_code == 302
    assert STEP_UP_SESSION_KEY in client.session
    entry = AuditEntry.objects.filter(action="auth.step_up").latest("id")
    assert entry.data == {"method": "totp"}


def test_password_session_step_up_still_asks_for_the_password(world, client_for, entra_configured):
    page = client_for("leader_a").get(reverse("accounts:step_up")).content.decode()
    assert 'name="password"' in page and "Confirm with" not in page


def test_sso_start_is_a_post_and_unknown_providers_are_404(world, entra_configured):
    client = Client()
    assert client.get(reverse("accounts:sso_start", args=["ms"])).status_code == 405
    assert client.post(reverse("accounts:sso_start", args=["nope"])).status_code == 404


def test_sign_in_page_shows_configured_providers_as_buttons(db, entra_configured):
    response = Client().get(reverse("accounts:login"))
    page = response.content.decode()
    assert "Sign in with Microsoft 365</button>" in page
    assert reverse("accounts:sso_start", args=["ms"]) in page
    assert "https://login.example" in response["Content-Security-Policy"]
