"""Local development: PostgreSQL (the embedded one `make run` starts, unless DATABASE_URL is
set), Celery eager, email printed to the console and listed at /notifications/outbox/."""

import contextlib
import os

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

# Where scripts/with_database.py keeps the embedded PostgreSQL of `make run`, and its database.
EMBEDDED_POSTGRES_DATA = BASE_DIR / "var" / "postgres"
EMBEDDED_DATABASE = "smp_portal"


def _embedded_database_url() -> str | None:
    """The URL of the embedded PostgreSQL while `make run` has it running, so `manage.py` in a
    second terminal (demo_totp, shell) finds the same database with nothing to set."""
    try:
        # postmaster.pid: the server's pid on line 1, its port on line 4 (PostgreSQL's format).
        lines = (EMBEDDED_POSTGRES_DATA / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
        # PermissionError: it runs as another user (`pgserver`, when make run runs as root).
        with contextlib.suppress(PermissionError):
            os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return f"postgres://postgres@127.0.0.1:{port}/{EMBEDDED_DATABASE}"


# Neither set nor running: the settings still load (commands that need no database, such as
# `makemigrations --check`, work), the base default URL stays, and every command says how to
# get a database (accounts.checks: a warning) before one that needs it fails to connect.
DATABASE_NOTICE = ""
if not env.str("DATABASE_URL", default=""):
    if (_embedded := _embedded_database_url()) is not None:
        DATABASES["default"].update(env.db_url_config(_embedded))
    else:
        DATABASE_NOTICE = (
            "No database: DATABASE_URL is not set and the embedded PostgreSQL is not running. "
            "Start the portal with `make run` (it starts the database), or set DATABASE_URL. "
            "Until then the default postgres://postgres@127.0.0.1:5432/smp_portal is tried."
        )

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A development key for the credential escrow, so the demo runs with no set-up. Never use
# it anywhere real: production refuses to start without its own key.
CREDENTIAL_KEYS = env.str(
    "CREDENTIAL_KEYS", default="dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtMzItYnl0ZXM="
)
# Development keys for the audit chain and its checkpoints, public like the one above. No anchor
# directory by default (a fresh database would not match old checkpoints); set
# AUDIT_ANCHOR_PATH to try the checkpoints out.
AUDIT_CHAIN_KEYS = env.str(
    "AUDIT_CHAIN_KEYS", default="devchain1:ZGV2LW9ubHktYXVkaXQtY2hhaW4ta2V5LTMyYnl0ZXM="
)
AUDIT_ANCHOR_KEYS = env.str(
    "AUDIT_ANCHOR_KEYS", default="devanchor1:ZGV2LW9ubHktYXVkaXQtYW5jaG9yLWtleS0zMmJ5dGU="
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Single sign-on demo (issue 20): the local OpenID Connect provider of `make oidc-demo`
# appears on the sign-in page while it runs. A throwaway client secret, like the key above.
if not env.str("SSO_PROVIDERS_FILE", default=""):
    import os

    from accounts.sso.demo_provider import DEMO_PORT, DEMO_SECRET_ENV, portal_providers

    os.environ.setdefault(DEMO_SECRET_ENV, "demo-only-not-secret-sso-client")
    SSO_PROVIDERS = portal_providers(issuer=f"http://127.0.0.1:{DEMO_PORT}", probe=True)
    SSO_TRUST_EMAIL_DOMAINS = ["starmat.example"]
