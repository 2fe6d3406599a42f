"""Local development: embedded SQLite, Celery eager, email printed to the console."""

from .base import *  # noqa: F403
from .base import env

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
