"""The second factor a trusted identity provider vouched for."""

from __future__ import annotations

from django.db import models
from django_otp.models import Device


class SSOFactorDevice(Device):
    """Stands for "the identity provider's multi-factor sign-in was accepted as the second
    factor" (issue 20): django-otp marks a session verified by a device, and this is the
    device `otp_login` records when an ID token proved MFA and the trust allowed that
    provider's MFA (config.Provider.accept_mfa). One per person and provider.

    No code can be typed for it (verify_token is always False): it is only ever used by
    accounts.sso.services after a verified token, never from a form.
    """

    provider_id = models.CharField(max_length=40)

    class Meta(Device.Meta):
        verbose_name = "identity provider's multi-factor sign-in"
        constraints = [
            models.UniqueConstraint(fields=["user", "provider_id"], name="sso_device_unique")
        ]

    def verify_token(self, token) -> bool:
        return False
