"""The bearer-token check django-scim2 runs before each of its views (AUTH_CHECK_MIDDLEWARE)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_scim.middleware import SCIMAuthCheckMiddleware

from .models import Directory

BEARER = "bearer "


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def directory_for_token(token: str) -> Directory | None:
    """The directory this token belongs to, unless revoked. Tokens are 256 random bits, so
    the digest lookup is the comparison; no timing difference tells anything useful."""
    if not token or len(token) > 200:
        return None
    return Directory.objects.filter(token_digest=token_digest(token), revoked_at=None).first()


class DirectoryTokenCheck(SCIMAuthCheckMiddleware):
    """401 without a valid `Authorization: Bearer <token>`; else `request.scim_directory`.

    django-scim2's own check expects a signed-in Django user; a directory is not a person,
    so it gets no session and no user. Request bodies are never logged (they hold names
    and addresses): the parent's debug logging is switched off.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        header = request.headers.get("Authorization", "")
        token = header[len(BEARER) :].strip() if header.lower().startswith(BEARER) else ""
        directory = directory_for_token(token)
        if directory is None:
            response = HttpResponse(status=401, content_type="application/scim+json")
            response.content = (
                b'{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],'
                b'"detail":"A valid bearer token is required.","status":"401"}'
            )
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        request.scim_directory = directory
        now = timezone.now()
        if directory.last_used_at is None or now - directory.last_used_at > timedelta(minutes=1):
            Directory.objects.filter(pk=directory.pk).update(last_used_at=now)
        return None

    def should_log_request(self, request: HttpRequest) -> bool:
        return False
