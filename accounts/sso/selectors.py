"""Reads for single sign-on: which provider buttons the sign-in page shows."""

from __future__ import annotations

import requests
from django.core.cache import cache

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
