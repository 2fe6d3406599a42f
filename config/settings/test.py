"""Test settings: real PostgreSQL from DATABASE_URL (default: the local server)."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/smp_portal")
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
# The audit table refuses TRUNCATE (audit migration 0002) unless the session sets this; Django
# empties tables with TRUNCATE after each transactional test. Production never sets it.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c audit.allow_truncate=on"
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CREDENTIAL_KEYS = "test1:dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLTMyYnl0ZXM="
# Public test keys for the audit chain and its checkpoints. Tests of the anchor point
# AUDIT_ANCHOR_PATH at a temporary directory of their own (tests/audit/conftest.py).
AUDIT_CHAIN_KEYS = "testchain1:dGVzdC1vbmx5LWF1ZGl0LWNoYWluLWtleS0zMmJ5dGU="
AUDIT_CHAIN_KEYS_FILE = ""
AUDIT_ANCHOR_KEYS = "testanchor1:dGVzdC1vbmx5LWF1ZGl0LWFuY2hvci1rZXktMzJieXQ="
AUDIT_ANCHOR_KEYS_FILE = ""
AUDIT_ANCHOR_PATH = ""
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
AXES_FAILURE_LIMIT = 5
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Tests of figures see every change at once; tests/dashboard/test_dashboard_cache.py and the
# dashboard's query-count tests turn the cache on (locmem is shared by the whole run).
DASHBOARD_CACHE_SECONDS = 0
# Every test client and browser comes from 127.0.0.1: the page gate alone opens the carers'
# page once per persona. tests/consents/test_round_views.py sets small limits to test them.
CONSENT_ROUND_LIMITS = {"address": 100_000, "link": 100_000, "code": 100_000}
