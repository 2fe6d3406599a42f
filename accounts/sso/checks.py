"""`manage.py check` (and every start) fails on an unusable SSO_PROVIDERS setting."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from .config import ProviderConfigError, parse_providers


@register()
def sso_providers_check(app_configs=None, **kwargs) -> list[Error]:
    try:
        parse_providers(getattr(settings, "SSO_PROVIDERS", []))
    except ProviderConfigError as exc:
        return [Error(str(exc), hint="See docs/deploy.md, Single sign-on.", id="accounts.E020")]
    return []
