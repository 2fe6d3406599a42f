"""Reads for single sign-on: which provider buttons the sign-in page shows."""

from __future__ import annotations

import requests
from django.core.cache import cache
from django.http import HttpResponse

from .config import Provider, providers

PROBE_SECONDS = 30


def _answers(provider: Provider) -> bool:
    """Development providers (`probe`) show their button only while they answer, so the
    demo's local provider appears on the sign-in page when `make oidc-demo` runs."""
    key = f"sso-probe:{provider.id}"
    known = cache.get(key)
    if known is None:
        try:
            response = requests.get(
                f"{provider.issuer}/.well-known/openid-configuration", timeout=0.5
            )
            known = response.status_code == 200
        except requests.RequestException:
            known = False
        cache.set(key, known, PROBE_SECONDS)
    return known


def sign_in_providers() -> list[Provider]:
    """The buttons of the sign-in page, in the configured order."""
    return [p for p in providers() if not p.probe or _answers(p)]


def provider_origins() -> list[str]:
    """Origins of the configured providers (scheme://host[:port] of each issuer)."""
    origins = []
    for provider in providers():
        scheme, _, rest = provider.issuer.partition("://")
        origin = f"{scheme}://{rest.split('/', 1)[0]}"
        if origin not in origins:
            origins.append(origin)
    return origins


def allow_provider_form_actions(response: HttpResponse) -> HttpResponse:
    """A page with provider buttons posts to the portal, which redirects to the provider:
    the CSP's form-action covers that redirect too, so the providers' origins are added
    to it on those pages only (django-csp's per-response update)."""
    origins = provider_origins()
    if origins:
        response._csp_update = {"form-action": origins}
    return response
