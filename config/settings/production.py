"""Production: every secret from the environment, no defaults, refuses to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    if "CHANGE-ME" in value:
        raise ImproperlyConfigured(f"{name} still holds the .env.example placeholder CHANGE-ME.")
    return value


SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
_required("DATABASE_URL")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True  # as in base.py: why there

if not (CREDENTIAL_KEYS or CREDENTIAL_KEYS_FILE):  # noqa: F405
    raise ImproperlyConfigured(
        "CREDENTIAL_KEYS or CREDENTIAL_KEYS_FILE must be set: the credential escrow's "
        "key-encryption key never comes from the database."
    )
# A file from the secret store (docker secret, mounted volume): a wrong path must stop the
# start, not surface later as an escrow that cannot decrypt.
if CREDENTIAL_KEYS_FILE and not CREDENTIAL_KEYS:  # noqa: F405
    from pathlib import Path as _Path

    _keys_file = _Path(CREDENTIAL_KEYS_FILE)  # noqa: F405
    if not _keys_file.is_file() or not _keys_file.read_text().strip():
        raise ImproperlyConfigured(
            f"CREDENTIAL_KEYS_FILE names {_keys_file}, which is missing or empty."
        )


def _keys_required(name: str, what: str) -> None:
    """A keyring inline or in a file (docs/deploy.md): one of them, and the file readable."""
    inline, path = globals()[name], globals()[f"{name}_FILE"]
    if not (inline or path):
        raise ImproperlyConfigured(f"{name} or {name}_FILE must be set: {what}.")
    if path and not inline:
        from pathlib import Path as _Path

        if not _Path(path).is_file() or not _Path(path).read_text().strip():
            raise ImproperlyConfigured(f"{name}_FILE names {path}, which is missing or empty.")


# The audit log (clause 6; docs/security.md): every process writes entries, so every one needs
# the chain key. The anchor (checkpoints' signing key and directory) is named in the one .env
# for all, but only the worker, which writes the checkpoints, mounts them (docker-compose.yml):
# a process that has the anchor directory must have its key.
_keys_required("AUDIT_CHAIN_KEYS", "the audit chain's HMAC key never comes from the database")
if not AUDIT_ANCHOR_PATH.strip():  # noqa: F405
    raise ImproperlyConfigured(
        "AUDIT_ANCHOR_PATH must be set: the directory, out of the database server's reach, "
        "where checkpoints of the audit chain are written."
    )
if not (AUDIT_ANCHOR_KEYS or AUDIT_ANCHOR_KEYS_FILE):  # noqa: F405
    raise ImproperlyConfigured(
        "AUDIT_ANCHOR_KEYS or AUDIT_ANCHOR_KEYS_FILE must be set: the audit checkpoints are "
        "signed with a key kept apart."
    )
if os.path.isdir(AUDIT_ANCHOR_PATH):  # noqa: F405
    _keys_required("AUDIT_ANCHOR_KEYS", "the audit checkpoints are signed with a key kept apart")

CACHES = {"default": env.cache("CACHE_URL", default="redis://redis:6379/1")}

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Behind the proxy REMOTE_ADDR is the proxy's: sign-in lockouts must key on the client's
# address, worked out by the same rule as the audit log (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
# TLS ends at the proxy; it tells us the original scheme.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://mailpit:1025")
vars().update(EMAIL_CONFIG)
