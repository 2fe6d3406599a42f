"""Issue 20 in Chromium, against a real OpenID Connect provider (scripts/oidc_provider.mjs,
panva's oidc-provider) started by the suite on 127.0.0.1 with the demo trust's people.

- a known teacher signs in with single sign-on;
- a leader whose token proves MFA goes straight in (Entra-style `acrs`); without it, the
  portal asks for its own TOTP;
- someone the provider knows but the portal does not is refused, and it is audited;
- a leader retrieves a password after a step-up by a fresh MFA sign-in, then the directory
  disables them over SCIM (Entra's request shapes): the password must be rotated and their
  session is over.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import demo
from accounts.models import User
from accounts.scim.services import directory_create
from accounts.sso.demo_provider import DEMO_SECRET_ENV, portal_providers
from audit.models import AuditEntry
from channels.models import OfficialAccount
from escrow.models import Credential, Retrieval

from .helpers import replay_data_migrations, verify_totp
from .oidc import SECRET, start_provider

TEACHER = "teacher@northfield.starmat.example"
LEADER = "leader@northfield.starmat.example"
NEWCOMER = "newcomer@northfield.starmat.example"  # known to the provider, not to the portal
MICROSOFT = "Sign in with Microsoft 365 (demo)"
GOOGLE = "Sign in with Google (demo)"


@pytest.fixture(scope="session")
def oidc_issuer(live_server, tmp_path_factory):
    process, issuer = start_provider(live_server.url, tmp_path_factory.mktemp("oidc"))
    yield issuer
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso(oidc_issuer, settings, monkeypatch):
    monkeypatch.setenv(DEMO_SECRET_ENV, SECRET)
    settings.SSO_PROVIDERS = portal_providers(issuer=oidc_issuer, probe=False)
    settings.SSO_TRUST_EMAIL_DOMAINS = ["starmat.example"]
    replay_data_migrations()
    demo.load()  # the demo trust's people, as in the provider (the same addresses)
    return oidc_issuer


def sso_sign_in(visitor, button: str, email: str, *, mfa: bool, slug: str, status: int = 200):
    """Press a provider's button on the portal's sign-in page, sign in at the provider."""
    visitor.goto("accounts:login", slug=f"{slug}-portal-sign-in")
    visitor.submit(button, slug=f"{slug}-provider-page")
    return provider_sign_in(visitor, email, mfa=mfa, slug=slug, status=status)


def provider_sign_in(visitor, email: str, *, mfa: bool, slug: str, status: int = 200):
    assert "Demo identity provider" in visitor.text(), visitor.page.url
    visitor.fill("email", email)
    if mfa:
        visitor.page.locator('[name="mfa"]').check()
    return visitor.submit("Sign in", slug=f"{slug}-back-at-portal", status=status)


def test_known_teacher_signs_in_and_someone_the_portal_does_not_know_is_refused(sso, new_visitor):
    teacher = new_visitor("teacher")
    sso_sign_in(teacher, GOOGLE, TEACHER, mfa=False, slug="teacher")
    assert teacher.path == reverse("dashboard:home"), teacher.page.url
    assert "Tara Teacher" in teacher.page.content()
    entry = AuditEntry.objects.filter(action="auth.sso_login", actor__email=TEACHER).get()
    assert entry.data == {
        "provider": "google-demo",
        "matched_by": "email",
        "second_factor": "not_required",
    }
    # Linked: the next sign-in matches on the provider's subject.
    assert User.objects.get(email=TEACHER).socialaccount_set.filter(provider="google-demo").exists()

    stranger = new_visitor("newcomer")
    sso_sign_in(stranger, GOOGLE, NEWCOMER, mfa=True, slug="newcomer", status=403)
    text = stranger.text()
    assert "You cannot sign in to the portal yet" in text
    assert "ask your school office or the trust's IT team to add you" in text
    assert not User.objects.filter(email=NEWCOMER).exists()
    entry = AuditEntry.objects.filter(action="auth.sso_refused").get()
    assert entry.data == {"provider": "google-demo", "reason": "unknown_person", "email": NEWCOMER}
    stranger.goto("dashboard:home", slug="still-signed-out")
    assert stranger.path.startswith(reverse("accounts:login"))


def test_leader_with_mfa_in_the_token_goes_straight_in_without_it_is_asked_for_the_code(
    sso, new_visitor
):
    with_mfa = new_visitor("leader-mfa")
    sso_sign_in(with_mfa, MICROSOFT, LEADER, mfa=True, slug="leader-mfa")
    assert with_mfa.path == reverse("dashboard:home"), with_mfa.page.url
    entries = AuditEntry.objects.filter(action="auth.sso_login", actor__email=LEADER)
    assert entries.get().data["second_factor"] == "provider:acrs:c1"

    without = new_visitor("leader-no-mfa")
    sso_sign_in(without, GOOGLE, LEADER, mfa=False, slug="leader-no-mfa")
    assert without.path.startswith(reverse("accounts:two_factor")), without.page.url
    without.goto("escrow:index", slug="held-back", status=200)
    assert without.path.startswith(reverse("accounts:two_factor")), "nothing before the code"
    verify_totp(without, TOTPDevice.objects.get(user__email=LEADER, confirmed=True))
    assert without.path == reverse("escrow:index"), without.page.url
    assert entries.latest("id").data["second_factor"] == "portal_totp_required"


def _scim(live_server, token: str, method: str, path: str, body: dict | None = None):
    return requests.request(
        method,
        f"{live_server.url}/scim/v2/{path}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
        data=json.dumps(body) if body is not None else None,
        timeout=10,
    )


def test_scim_deactivation_forces_rotation_of_a_password_the_leaver_retrieved(
    sso, new_visitor, live_server
):
    call_command("load_demo", stdout=StringIO())  # official accounts and escrowed passwords
    credential = (
        Credential.objects.filter(
            school__name__startswith="Northfield",
            rotation_required=False,
            account__status=OfficialAccount.Status.ACTIVE,
        )
        .select_related("account")
        .first()
    )
    assert credential is not None, "the demo escrows Northfield's live account"
    account = credential.account

    # The leader signs in with MFA, steps up by a fresh MFA sign-in, retrieves the password.
    leader = new_visitor("leader")
    sso_sign_in(leader, MICROSOFT, LEADER, mfa=True, slug="leader")
    leader.goto("escrow:account", account.pk, slug="account")
    leader.follow("Retrieve the login details", slug="step-up")
    assert leader.path.startswith(reverse("accounts:step_up")), leader.page.url
    leader.submit("Confirm with Microsoft 365 (demo)", slug="provider-asks-again")
    provider_sign_in(leader, LEADER, mfa=True, slug="step-up")
    assert leader.path == reverse("escrow:retrieve", kwargs={"pk": account.pk}), leader.page.url
    leader.fill("reason", "The owner is off sick and a post must come down.")
    leader.submit("Retrieve", slug="revealed")
    assert Retrieval.objects.filter(credential=credential, user__email=LEADER).count() == 1
    step_up = AuditEntry.objects.filter(action="auth.step_up", actor__email=LEADER).get()
    assert step_up.data == {"method": "sso", "provider": "entra-demo"}

    # Entra ID's provisioning cycle: find by userName, create (links the known leader),
    # then disable with its exact PATCH shape.
    _directory, token = directory_create(actor=None, name="Star MAT Entra ID")
    found = _scim(live_server, token, "GET", f'Users?filter=userName eq "{LEADER}"')
    assert found.status_code == 200 and found.json()["totalResults"] == 0
    created = _scim(
        live_server,
        token,
        "POST",
        "Users",
        {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            ],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": LEADER,
            "active": True,
            "emails": [{"primary": True, "type": "work", "value": LEADER}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Lee Leader", "familyName": "Leader", "givenName": "Lee"},
            "roles": [],
        },
    )
    assert created.status_code == 201, created.text
    scim_id = created.json()["id"]
    disabled = _scim(
        live_server,
        token,
        "PATCH",
        f"Users/{scim_id}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False

    credential.refresh_from_db()
    assert credential.rotation_required, "a password the leaver retrieved must be rotated"
    assert not User.objects.get(email=LEADER).is_active
    # Their session ended with the deactivation.
    leader.goto("dashboard:home", slug="after-leaving")
    assert leader.path.startswith(reverse("accounts:login")), leader.page.url
    # Nor can they come back through the provider (whose own session still knows them).
    leader.goto("accounts:login", slug="leaver-sign-in-page")
    leader.submit(MICROSOFT, slug="leaver-refused", status=403)
    assert "You cannot sign in to the portal yet" in leader.text()
