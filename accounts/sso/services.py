"""Who may sign in with an identity provider, and what that sign-in is worth (issue 20).

Only people the portal already knows sign in this way: a linked subject (issuer + `sub`,
kept by allauth's SocialAccount, provider id = our provider id, one issuer each), or else a
verified email on the provider's schools' domains that matches an active person, whose
subject is then linked. Nobody is ever created here. A refusal is audited with its reason.

Second factor: a role that needs one (selectors.requires_two_factor) is satisfied by the
provider's MFA only when the trust allowed that provider's MFA and the token proves it
(claims.accepted_second_factor); otherwise the portal asks for its own TOTP, as after a
password.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from audit.services import client_ip, record

from ..middleware import start_session_clock
from ..models import SchoolEmailDomain, User
from ..selectors import requires_two_factor
from ..stepup import STEP_UP_SESSION_KEY, mark_step_up
from . import claims as token
from .config import Provider
from .models import SSOFactorDevice

# What the session remembers of its single sign-on: which provider, and when.
SSO_SESSION_KEY = "portal_sso"


class SSORefused(Exception):
    """The provider vouched for someone the portal will not let in. `reason` is a code for
    the audit log; the person sees the same plain refusal whatever it is."""

    def __init__(self, reason: str, email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class Match:
    user: User
    how: str  # "subject" (linked before) or "email" (verified email, now linked)


def provider_email_domains(provider: Provider) -> set[str]:
    """Email domains whose people may sign in with this provider: its schools' domains, or
    for a trust-wide provider every school's plus SSO_TRUST_EMAIL_DOMAINS."""
    domains = SchoolEmailDomain.objects.all()
    if not provider.trust_wide:
        domains = domains.filter(school__urn__in=provider.schools)
    allowed = {d.lower() for d in domains.values_list("domain", flat=True)}
    if provider.trust_wide:
        allowed |= {d.lower() for d in settings.SSO_TRUST_EMAIL_DOMAINS}
    return allowed


def sso_match(provider: Provider, subject: str, claims: dict[str, Any]) -> Match:
    """The known, active person this token is for, or SSORefused (nobody is created)."""
    linked = (
        SocialAccount.objects.select_related("user")
        .filter(provider=provider.id, uid=subject)
        .first()
    )
    if linked is not None:
        if not linked.user.is_active:
            raise SSORefused("inactive", linked.user.email)
        return Match(linked.user, "subject")
    email = token.verified_email(provider, claims)
    if email is None:
        raise SSORefused("email_not_verified", str(claims.get("email") or "")[:254])
    if email.rsplit("@", 1)[1] not in provider_email_domains(provider):
        raise SSORefused("domain_not_allowed", email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise SSORefused("unknown_person", email)
    if not user.is_active:
        raise SSORefused("inactive", email)
    return Match(user, "email")


def sso_link(*, provider: Provider, account: SocialAccount, user: User) -> SocialAccount:
    """Remember the provider's subject (`account.uid`, allauth's SocialAccount not yet
    saved) for this person, so later sign-ins match on it even if their address changes.
    Audited as `auth.sso_linked`."""
    with transaction.atomic():
        account.user = user
        account.save()
        record(
            user,
            "auth.sso_linked",
            target=user,
            data={"provider": provider.id, "issuer": provider.issuer},
        )
    return account


def sso_refusal_record(provider: Provider, refusal: SSORefused, request: HttpRequest) -> None:
    """Audit a refused sign-in (`auth.sso_refused`): provider, reason and the address tried."""
    target = User.objects.filter(email__iexact=refusal.email).first() if refusal.email else None
    record(
        None,
        "auth.sso_refused",
        target=target,
        data={"provider": provider.id, "reason": refusal.reason, "email": refusal.email},
        ip_address=client_ip(request),
    )


def sso_signed_in(
    request: HttpRequest, user: User, provider: Provider, claims: dict[str, Any], how: str
) -> bool:
    """After allauth signed the person in: start the session clock, remember the provider,
    and accept the provider's MFA as the second factor where allowed and proven.

    Returns True when the person still owes the portal's own second factor.
    """
    # Like a password sign-in: never inherit a second factor or a step-up from before.
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(STEP_UP_SESSION_KEY, None)
    start_session_clock(request)
    request.session[SSO_SESSION_KEY] = {"provider": provider.id, "at": time.time()}
    evidence = token.accepted_second_factor(provider, claims)
    needs_factor = requires_two_factor(user)
    if evidence is not None:
        device, _ = SSOFactorDevice.objects.get_or_create(
            user=user,
            provider_id=provider.id,
            defaults={"name": f"{provider.name} multi-factor sign-in", "confirmed": True},
        )
        otp_login(request, device)
        second_factor = f"provider:{evidence}"
    elif needs_factor:
        second_factor = "portal_totp_required"
    else:
        second_factor = "not_required"
    record(
        user,
        "auth.sso_login",
        target=user,
        data={"provider": provider.id, "matched_by": how, "second_factor": second_factor},
        ip_address=client_ip(request),
    )
    return evidence is None


def session_provider(request: HttpRequest, providers: tuple[Provider, ...]) -> Provider | None:
    """The provider this session signed in with, if it did."""
    info = request.session.get(SSO_SESSION_KEY)
    if not isinstance(info, dict):
        return None
    return next((p for p in providers if p.id == info.get("provider")), None)


def sso_step_up(
    request: HttpRequest,
    provider: Provider,
    subject: str,
    claims: dict[str, Any],
    started_at: float,
) -> str | None:
    """A step-up by a fresh sign-in at the provider (clause 4.5c): passes only when the token
    is for the signed-in person, shows they authenticated after the portal asked
    (`auth_time`, requested with max_age=0 and prompt=login) and proves multi-factor sign-in
    the trust accepts from this provider. Returns None when passed, else the reason code.
    Audited as `auth.step_up` / `auth.step_up_failed` (method "sso")."""
    user = request.user
    reason = None
    try:
        match = sso_match(provider, subject, claims)
    except SSORefused as refusal:
        reason = refusal.reason
    else:
        if match.user.pk != user.pk:
            reason = "different_person"
        elif not token.authenticated_since(claims, started_at, time.time()):
            reason = "not_fresh"
        elif token.accepted_second_factor(provider, claims) is None:
            reason = "no_mfa"
    if reason is not None:
        record(
            user,
            "auth.step_up_failed",
            target=user,
            data={"method": "sso", "provider": provider.id, "reason": reason},
            ip_address=client_ip(request),
        )
        return reason
    mark_step_up(request)
    record(
        user,
        "auth.step_up",
        target=user,
        data={"method": "sso", "provider": provider.id},
        ip_address=client_ip(request),
    )
    return None
