"""Single sign-on views: the provider buttons' target and the emergency password sign-in.

The callback itself is allauth's (`openid_connect_callback`); the portal's rules run in its
adapter hooks (accounts.sso.adapter).
"""

from __future__ import annotations

import logging
import time

import requests
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.services import client_ip, record

from .. import events
from ..forms.signin import EmailAuthenticationForm
from ..selectors import trust_administered_by
from ..views.signin import SignInView, _next_url
from .adapter import PURPOSE_LOGIN, PURPOSE_STEP_UP
from .config import get_provider

logger = logging.getLogger(__name__)


@require_POST
@never_cache
def sso_start(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Send the person to the provider (a POST, so no other site can start a sign-in)."""
    provider = get_provider(provider_id)
    if provider is None:
        raise Http404("No such sign-in provider.")
    purpose = PURPOSE_STEP_UP if request.POST.get("purpose") == PURPOSE_STEP_UP else PURPOSE_LOGIN
    next_url = _next_url(request)
    if purpose == PURPOSE_STEP_UP and not request.user.is_authenticated:
        purpose = PURPOSE_LOGIN
    allauth_provider = get_social_adapter().get_provider(request, provider.id)
    try:
        return allauth_provider.redirect(
            request,
            "login",
            next_url=next_url,
            data={"purpose": purpose, "started_at": time.time(), "next": next_url},
            auth_params=provider.auth_params(step_up=purpose == PURPOSE_STEP_UP),
            scope=["openid", "email", "profile"],
        )
    except requests.RequestException as exc:
        # The provider's discovery document did not come: say so rather than fail.
        logger.warning("SSO provider %s unreachable: %s", provider.id, type(exc).__name__)
        record(
            None,
            "auth.sso_failed",
            data={"provider": provider.id, "error": "unreachable", "exception": type(exc).__name__},
            ip_address=client_ip(request),
        )
        return render(
            request,
            "accounts/sso_error.html",
            {"provider": provider, "unreachable": True},
            status=503,
        )


class EmergencyAuthenticationForm(EmailAuthenticationForm):
    """Password sign-in while it is switched off for everyone else: trust administrators
    only. Anyone else gets the same message as a wrong password (it tells no one who
    administers the trust)."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if trust_administered_by(user) is None:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class EmergencySignInView(SignInView):
    """For the day the identity provider is down or misconfigured: the trust's
    administrators can still get in to fix things. Audited as `auth.emergency_sign_in` and
    announced to every trust administrator (accounts.emergency_sign_in)."""

    template_name = "accounts/emergency_sign_in.html"
    authentication_form = EmergencyAuthenticationForm

    def dispatch(self, request, *args, **kwargs):
        if settings.PASSWORD_SIGN_IN or not settings.PASSWORD_SIGN_IN_EMERGENCY:
            raise Http404("No emergency sign-in here.")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # SignInView.post refuses passwords when they are off; this is the one exception.
        return super(SignInView, self).post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        with transaction.atomic():
            record(user, "auth.emergency_sign_in", target=user, ip_address=client_ip(self.request))
            # Every trust administrator is told (notifications/account_notices.py).
            events.emergency_signed_in.send(sender=type(user), user=user)
        return response
