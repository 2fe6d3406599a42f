"""Browser steps shared by the policy and dashboard journeys (Playwright on Chromium).

The harness lives in tests/browser/; its fixtures are imported by the journey modules, which
carry the `browser` marker themselves because they sit outside that directory.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.selectors import requires_two_factor
from tests.browser.helpers import sign_in_with_password, verify_totp
from tests.factories import TEST_PASSWORD


def sign_in(visitor, user) -> None:
    """Password, then the authenticator code when the person's role needs one."""
    device = None
    if requires_two_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="browser authenticator", defaults={"confirmed": True}
        )
    sign_in_with_password(visitor, user.email, TEST_PASSWORD)
    if device is not None:
        verify_totp(visitor, device)


def seed_social_media_policy() -> None:
    """Seed exactly as a fresh installation does (idempotent). Needed because a transactional
    test leaves every table empty, the migration's rows included."""
    import_module("policies.migrations.0002_seed_social_media_policy").seed(apps, None)
