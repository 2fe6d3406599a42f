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
