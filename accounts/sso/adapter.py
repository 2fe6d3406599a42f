"""django-allauth's hooks, wired to the portal's rules (accounts.sso.services).

allauth does the OpenID Connect work: discovery, the authorisation request with state and
PKCE, the code exchange, and the ID token checks (issuer, audience, expiry; the signature is
checked against the provider's keys unless the token came straight from its token endpoint
over TLS, as OpenID Connect Core 3.1.3.7 allows). Everything it would do on its own beyond
that (sign-ups, emails, its own pages) is switched off here.
"""

from __future__ import annotations

import functools
import time
from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.middleware import is_verified

from audit.services import client_ip, record

from ..middleware import needs_second_factor
from ..stepup import step_up_url
from . import services
from .config import Provider, get_provider, providers

# What the portal keeps in allauth's per-login state (`data`): why the sign-in was started.
PURPOSE_LOGIN = "login"
PURPOSE_STEP_UP = "step_up"


def social_app(provider: Provider) -> SocialApp:
    """allauth's app for one provider, built from settings (never read from the database,
    where an administrator could have typed a secret)."""
    return SocialApp(
        provider="openid_connect",
        provider_id=provider.id,
        name=provider.name,
        client_id=provider.client_id,
        secret=provider.client_secret,
        settings={
            "server_url": provider.issuer,
            # The ID token's claims are what the portal decides on; Entra's userinfo
            # endpoint is Microsoft Graph's and adds nothing needed.
            "fetch_userinfo": False,
            "oauth_pkce_enabled": True,
            "scope": ["openid", "email", "profile"],
            "auth_params": provider.auth_params(),
        },
    )


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    claims = data.get("id_token") if isinstance(data.get("id_token"), dict) else data
    return claims if isinstance(claims, dict) else {}


def _safe_next(request: HttpRequest, url: str | None, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth's account side: used only to finish a single sign-on."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        return None  # the portal sends its own emails

    def login(self, request: HttpRequest, user) -> None:
        # allauth would pick the first backend with get_user (django-axes' standalone
        # backend, which finds nobody): name the model backend the session must use.
        user.backend = "django.contrib.auth.backends.ModelBackend"
        super().login(request, user)
        # The new request.user has not been through django-otp's middleware: give it the
        # same fields (not verified until services.sso_signed_in says otherwise).
        user.otp_device = None
        user.is_verified = functools.partial(is_verified, user)

    def post_login(
        self, request: HttpRequest, user, *, signal_kwargs=None, redirect_url=None, **kwargs
    ) -> HttpResponse:
        sociallogin = (signal_kwargs or {}).get("sociallogin")
        response = super().post_login(
            request, user, signal_kwargs=signal_kwargs, redirect_url=redirect_url, **kwargs
        )
        if sociallogin is None:
            return response
        provider = get_provider(sociallogin.account.provider)
        match_how = sociallogin.state.get("data", {}).get("matched_by", "subject")
        owes_factor = services.sso_signed_in(
            request, user, provider, _claims(sociallogin), match_how
        )
        target = _safe_next(request, redirect_url, reverse("dashboard:home"))
        if owes_factor and needs_second_factor(user):
            return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': target})}")
        return redirect(target)


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth's social side: apps from settings, the portal's matching, no sign-ups."""

    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list[SocialApp]:
        apps = []
        for configured in providers():
            if provider and provider not in (configured.id, "openid_connect"):
                continue
            if client_id and configured.client_id != client_id:
                continue
            apps.append(social_app(configured))
        return apps

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Every sign-in and step-up through a provider passes here before allauth acts."""
        provider = get_provider(sociallogin.account.provider)
        if provider is None:  # removed from the settings while someone was signing in
            raise ImmediateHttpResponse(redirect("accounts:login"))
        claims = _claims(sociallogin)
        subject = str(sociallogin.account.uid)
        data = sociallogin.state.get("data") or {}
        if data.get("purpose") == PURPOSE_STEP_UP:
            raise ImmediateHttpResponse(self._step_up(request, provider, subject, claims, data))
        try:
            match = services.sso_match(provider, subject, claims)
        except services.SSORefused as refusal:
            services.sso_refusal_record(provider, refusal, request)
            raise ImmediateHttpResponse(refusal_page(request, provider)) from None
        if not sociallogin.is_existing:
            services.sso_link(provider=provider, account=sociallogin.account, user=match.user)
            sociallogin.user = match.user
        sociallogin.state.setdefault("data", {})
        sociallogin.state["data"] = {**data, "matched_by": match.how}

    def _step_up(self, request, provider, subject, claims, data) -> HttpResponse:
        next_url = _safe_next(request, data.get("next"), reverse("dashboard:home"))
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        reason = services.sso_step_up(
            request, provider, subject, claims, float(data.get("started_at") or time.time())
        )
        if reason is None:
            return redirect(next_url)
        messages.error(
            request,
            {
                "not_fresh": f"{provider.name} did not ask you to sign in again. Try again.",
                "no_mfa": f"{provider.name} did not confirm a multi-factor sign-in. "
                "Use your authenticator app code instead, or try again.",
                "different_person": f"You signed in to {provider.name} as someone else. "
                "Sign in as yourself to confirm it is you.",
            }.get(reason, "That did not confirm it is you. Try again."),
        )
        return redirect(step_up_url(next_url))

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """The provider said no, the person cancelled, or the answer failed a check: audit
        it (the error's kind only, never a token) and show the portal's own page."""
        provider_id = getattr(getattr(provider, "app", None), "provider_id", "") or ""
        record(
            None,
            "auth.sso_failed",
            data={
                "provider": provider_id,
                "error": str(error or "unknown"),
                "exception": type(exception).__name__ if exception else "",
            },
            ip_address=client_ip(request),
        )
        configured = get_provider(provider_id)
        raise ImmediateHttpResponse(
            render(
                request,
                "accounts/sso_error.html",
                {"provider": configured, "cancelled": str(error) == "cancelled"},
                status=400,
            )
        )


def refusal_page(request: HttpRequest, provider: Provider) -> HttpResponse:
    """The same plain refusal whatever the reason: it says whom to ask, not why."""
    return render(
        request,
        "accounts/sso_refused.html",
        {"provider": provider, "help_contact": settings.SSO_HELP_CONTACT},
        status=403,
    )
