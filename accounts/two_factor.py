"""Two-factor sign-in with TOTP and backup codes, and the step-up check (issue: Sign-in).

Every role above teacher signs in with a second factor; others may choose to. The policy
keeps official-account passwords in escrow for senior leaders (clause 4.5c), so the people
who can reach them must prove who they are twice, and again (step-up) right before a
sensitive action.

State changes here are services in the house style: they run in a transaction, write the
audit entry and raise `TwoFactorError` with a message a view shows as a form error.
Failures are audited outside the failed transaction so the record survives the error.
"""

from __future__ import annotations

import base64
import io
from binascii import unhexlify

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record
from portal.errors import ServiceError

from .models import User

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class TwoFactorError(ServiceError):
    """A code or password was not accepted; the message is safe to show."""


# --- reads -------------------------------------------------------------------------------


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def base32_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps expect it when typed in by hand."""
    return base64.b32encode(unhexlify(device.key)).decode("ascii").rstrip("=")


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG data URI (the CSP allows data: images, not scripts)."""
    buffer = io.BytesIO()
    # A standalone SVG (with its namespace, unlike svg_inline) or browsers show no image;
    # a white background keeps it scannable on any theme.
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, border=4, xmldecl=False, light="#fff"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def current_totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (demo command and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():0{device.digits}d}"


# --- services ----------------------------------------------------------------------------


def totp_enrolment_start(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the person to add to their app (clause 4.5c).

    Reloading the page keeps the same key, so a code from an app set up on the first view
    still confirms.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(
    user: User, token: str, *, ip_address: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending device with its first code and issue fresh backup codes.

    Returns the device and the backup codes, which the caller shows once (clause 4.5c).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise TwoFactorError("Start again: the set-up page has expired.")
    if not device.verify_is_allowed()[0]:
        raise TwoFactorError(
            "Too many wrong codes in a row. Wait a few seconds, then enter the code your app "
            "shows now."
        )
    if not device.verify_token(token):
        _record_failure(user, "enrolment", ip_address)
        raise TwoFactorError(
            "That code did not match. Check that your device's clock is right and enter the "
            "code your app shows now."
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # One authenticator at a time: older ones (lost phones) stop working.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _replace_backup_codes(user)
        record(
            user,
            "auth.2fa_enrolled",
            target=user,
            data={"device": device.name},
            ip_address=ip_address,
        )
    return device, codes


def backup_codes_regenerate(user: User, *, ip_address: str | None = None) -> list[str]:
    """Replace every backup code with ten new ones (the old ones stop working)."""
    if not has_confirmed_totp(user):
        raise TwoFactorError("Set up an authenticator app before asking for backup codes.")
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        record(
            user,
            "auth.backup_codes_regenerated",
            target=user,
            data={"count": len(codes)},
            ip_address=ip_address,
        )
    return codes


def two_factor_verify(
    user: User, token: str, *, allow_backup: bool = True, ip_address: str | None = None
):
    """The device (TOTP or backup codes) that accepts `token`, or TwoFactorError.

    A backup code is deleted when used. Wrong codes are throttled by django-otp
    (1, 2, 4... seconds between tries) and audited as `auth.2fa_failed`.
    """
    device, throttled = _match(user, token, allow_backup=allow_backup)
    if device is not None:
        return device
    _record_failure(user, "verify", ip_address)
    if throttled:
        raise TwoFactorError(
            "Too many wrong codes in a row. Wait a few seconds, then enter the code your app "
            "shows now."
        )
    if allow_backup:
        raise TwoFactorError(
            "That code is not right. Enter the six digits your authenticator app shows now, "
            "or one of your unused backup codes."
        )
    raise TwoFactorError("That code is not right. Enter the six digits your app shows now.")


def step_up_verify(user: User, password: str, token: str, *, ip_address: str | None = None):
    """Check password and a TOTP code again before a sensitive action (clause 4.5c).

    Backup codes are not accepted here: a step-up proves the person holds their phone now.
    Audited as `auth.step_up` or `auth.step_up_failed`.
    """
    if not has_confirmed_totp(user):
        raise TwoFactorError("Set up an authenticator app first.")
    # check_password, not authenticate(): a step-up is not a sign-in, so it must not raise
    # sign-in signals; the TOTP throttle and the failure audit cover guessing.
    password_ok = user.check_password(password)
    device = _match(user, token, allow_backup=False)[0] if password_ok else None
    if device is None:
        record(
            user,
            "auth.step_up_failed",
            target=user,
            data={"reason": "code" if password_ok else "password"},
            ip_address=ip_address,
        )
        raise TwoFactorError(
            "Your password or code was not right. Enter both again (use the code your app "
            "shows now)."
        )
    record(user, "auth.step_up", target=user, ip_address=ip_address)
    return device


def step_up_verify_code(user: User, token: str, *, ip_address: str | None = None):
    """The step-up of a session signed in with single sign-on (issue 20): the portal holds
    no password to ask again, so a fresh TOTP code (never a backup code) is the factor.
    Audited as `auth.step_up` / `auth.step_up_failed` with method "totp"."""
    if not has_confirmed_totp(user):
        raise TwoFactorError("Set up an authenticator app first.")
    device = _match(user, token, allow_backup=False)[0]
    if device is None:
        record(
            user,
            "auth.step_up_failed",
            target=user,
            data={"method": "totp", "reason": "code"},
            ip_address=ip_address,
        )
        raise TwoFactorError("That code is not right. Enter the six digits your app shows now.")
    record(user, "auth.step_up", target=user, data={"method": "totp"}, ip_address=ip_address)
    return device


def _match(user: User, token: str, *, allow_backup: bool):
    """(device that accepted the token or None, whether a device refused to try yet)."""
    throttled = False
    with transaction.atomic():
        # Row locks: two requests racing with one backup code must not both succeed.
        devices: list = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        )
        if allow_backup:
            devices += list(
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        for device in devices:
            # A backup code must not count as a wrong TOTP code (and the reverse), or the
            # throttle would slow the person down on their next, correct, try.
            looks_totp = token.isdigit() and len(token) == getattr(device, "digits", 6)
            if looks_totp != isinstance(device, TOTPDevice):
                continue
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
            elif device.verify_token(token):
                return device, False
    return None, throttled


def _replace_backup_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _record_failure(user: User, stage: str, ip_address: str | None) -> None:
    record(user, "auth.2fa_failed", target=user, data={"stage": stage}, ip_address=ip_address)
