"""Sign-in events written to the audit log (clause 6; issue: "sign-ins, failed sign-ins,
lockouts ... are recorded").

These come from Django and django-axes as signals, so receivers are the only place to catch
them; connected in AccountsConfig.ready(). They are here rather than in `audit` because a
failed sign-in or a lockout names the account that was tried, which is accounts' to look up
(audit sits below accounts). Each is written with `audit.services.record`, the log's one entry
point. The client's address of the request comes from audit/receivers.py.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import client_ip, record

from .models import User


def _attempted_email(value) -> str:
    """The address someone tried to sign in with. A value that is not an email address is
    most likely a password typed into the wrong box, so it is never stored."""
    text = str(value or "").strip()
    if "@" in text and " " not in text and len(text) <= 254:
        return text.lower()
    return "(not an email address)" if text else ""


def _account(email: str) -> User | None:
    if "@" not in email:
        return None
    return User.objects.filter(email__iexact=email).first()


@receiver(user_logged_in, dispatch_uid="accounts.audit.login")
def on_login(sender, request=None, user=None, **kwargs) -> None:
    if user is None:
        return
    record(user, "auth.login", target=user, ip_address=client_ip(request))


@receiver(user_logged_out, dispatch_uid="accounts.audit.logout")
def on_logout(sender, request=None, user=None, **kwargs) -> None:
    if user is None:  # signing out of no session
        return
    record(user, "auth.logout", target=user, ip_address=client_ip(request))


@receiver(user_login_failed, dispatch_uid="accounts.audit.login_failed")
def on_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # Only the attempted address is kept; the password (already starred by Django) never is.
    credentials = credentials or {}
    email = _attempted_email(credentials.get("username") or credentials.get("email"))
    record(
        None,
        "auth.login_failed",
        target=_account(email),
        data={"email": email},
        ip_address=client_ip(request),
    )


@receiver(user_locked_out, dispatch_uid="accounts.audit.locked_out")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    email = _attempted_email(username)
    record(
        None,
        "auth.locked_out",
        target=_account(email),
        data={"email": email},
        ip_address=client_ip(request) or ip_address,
    )
