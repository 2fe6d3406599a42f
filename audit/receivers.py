"""The client's address of the request being handled, for the audit log (clause 6).

request_started/finished remember it so that any entry written while handling a request (a
denied access, say) carries it. The sign-in events (sign-in, sign-out, failed sign-in,
lockout) are recorded by accounts/receivers.py: they look up accounts' users, and accounts
sits above this app. Everything else (role changes, deactivations, 2FA enrolment, denied
access) is recorded by the service that makes the change, never here.
"""

from __future__ import annotations

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

from .services import remember_request_ip


@receiver(request_started, dispatch_uid="audit.request_ip")
def on_request_started(sender, environ=None, scope=None, **kwargs) -> None:
    """Remember the client's address for entries written while handling this request."""
    if environ is None and scope is not None:  # ASGI
        client = scope.get("client") or (None, None)
        headers = dict(scope.get("headers") or [])
        environ = {
            "REMOTE_ADDR": client[0],
            "HTTP_X_FORWARDED_FOR": headers.get(b"x-forwarded-for", b"").decode("latin-1"),
        }
    remember_request_ip(environ)


@receiver(request_finished, dispatch_uid="audit.request_ip_done")
def on_request_finished(sender, **kwargs) -> None:
    remember_request_ip(None)
