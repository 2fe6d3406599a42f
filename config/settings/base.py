"""Settings shared by every environment.

Values come from the environment (django-environ). Nothing secret has a default here:
dev.py and test.py supply throwaway values, production.py refuses to start without them.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# A developer's .env is read when present; production passes real environment variables.
# The test settings never read it, so a local run tests what CI tests.
if (BASE_DIR / ".env").is_file() and not os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(
    ".test"
):
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
TRUST_NAME = env.str("TRUST_NAME", default="The Star Multi Academy Trust")

# Key-encryption keys for the credential escrow (clause 4.5c). Either CREDENTIAL_KEYS
# ("id:base64key,id:base64key", the first is current) or CREDENTIAL_KEYS_FILE naming a
# file with the same content. Never stored in the database. See docs/security.md.
CREDENTIAL_KEYS = env.str("CREDENTIAL_KEYS", default="")
CREDENTIAL_KEYS_FILE = env.str("CREDENTIAL_KEYS_FILE", default="")

INSTALLED_APPS = [
    # Django admin for trust administrators only, behind 2FA (accounts.admin_site)
    "accounts.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    # single sign-on (issue 20): OpenID Connect only; the password sign-in stays the portal's
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # ours: one app per area of the policy (docs/architecture.md)
    "accounts",
    "audit",
    # the audit log's pages (above accounts; first after audit so its home card keeps its place)
    "activity",
    "notifications",
    "channels",
    "escrow",
    "consents",
    "breaches",
    "policies",
    "dashboard",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A query string no form could produce (NUL bytes, not UTF-8) is a 400 before any view.
    "accounts.query_guard.QueryStringGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's middleware, with the person's roles and verified device remembered in the
    # session at their current access version (accounts/access_state.py)
    "accounts.access_state.AccessStateMiddleware",
    # allauth refuses to start without it; it only holds allauth's per-request state
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # axes must be last: it turns lockouts raised by the backend into a clear page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# PostgreSQL is the one database engine, in development too: the portal relies on it (append-
# only triggers, COPY, row locks, hand-written SQL) and has no fallback. Without DATABASE_URL,
# dev.py finds the embedded PostgreSQL that `make run` starts (scripts/with_database.py).
# (An empty DATABASE_URL counts as unset: production.py then says it must be set.)
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or "postgres://postgres@127.0.0.1:5432/smp_portal"
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database (postgres://user@host:port/name): "
        "PostgreSQL is the portal's one database engine."
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Every <select> of a model (ModelChoiceField, the lists' filters) reads its choices with
# .iterator(), which PostgreSQL outside a transaction serves from a WITH HOLD cursor: DECLARE,
# FETCH, CLOSE and the result materialised at commit, about 3 ms a select (issue 21). Plain
# fetches instead; the one streamed export (a school's consent CSV) reads a school's students.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache carries what workers tell web processes before a transaction commits (the MIS
# import's progress bar): in production it must be shared, e.g. redis://redis:6379/1.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- People and sign-in (issue: people and access) -------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NCSC guidance: length and a deny-list, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day for invitations and resets

# Sessions: 30 minutes idle, 12 hours at most (accounts.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Database sessions that record their owner, so deactivating a leaver ends every session of
# theirs at once (accounts.models.PortalSession).
SESSION_ENGINE = "accounts.sessions"
STEP_UP_VALIDITY = timedelta(minutes=5)

# django-axes: lock the pair (username, IP) after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token"]
# Lock on the lower-cased email, as sign-in matches it case-insensitively.
AXES_USERNAME_CALLABLE = "accounts.forms.signin.axes_username"
# One row per failure (username, address, time): the per-account limit across addresses
# (accounts/ratelimit.py) counts them; axes keeps at most 1,000 per account.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SIGNIN_ACCOUNT_FAILURE_LIMIT = env.int("SIGNIN_ACCOUNT_FAILURE_LIMIT", default=20)
SIGNIN_ACCOUNT_WINDOW = timedelta(minutes=env.int("SIGNIN_ACCOUNT_WINDOW_MINUTES", default=15))

# --- Single sign-on and provisioning (issue 20; accounts/sso, accounts/scim) -------------
# Identity providers: a JSON list in the file SSO_PROVIDERS_FILE (accounts/sso/config.py
# documents each key; docs/deploy.md how a trust registers the app). Client secrets come from
# the environment variable or file each entry names, never from the list itself.
from accounts.sso.config import read_providers_file  # noqa: E402  (no models: safe here)

SSO_PROVIDERS = read_providers_file(env.str("SSO_PROVIDERS_FILE", default=""))
# Addresses of people who work for the trust rather than a school (e.g. the central team):
# verified emails on these domains may sign in through a trust-wide provider.
SSO_TRUST_EMAIL_DOMAINS = env.list("SSO_TRUST_EMAIL_DOMAINS", default=[])
# Whom someone the portal does not know should ask (the refusal page says it).
SSO_HELP_CONTACT = env.str("SSO_HELP_CONTACT", default="your school office or the trust's IT team")
# Password sign-in for trusts without SSO. Off: the form is not shown and password posts are
# refused, except the emergency sign-in of trust administrators (accounts:emergency_sign_in,
# audited and announced to every trust administrator) unless that is switched off too.
PASSWORD_SIGN_IN = env.bool("PASSWORD_SIGN_IN", default=True)
PASSWORD_SIGN_IN_EMERGENCY = env.bool("PASSWORD_SIGN_IN_EMERGENCY", default=True)

# django-allauth: only its OpenID Connect client is used, through our adapters; it never
# signs anyone up, sends no email and keeps no tokens.
ACCOUNT_ADAPTER = "accounts.sso.adapter.PortalAccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.sso.adapter.PortalSocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}

# django-scim2 serves /scim/v2/ (accounts/scim); each directory has its own bearer token.
SCIM_SERVICE_PROVIDER = {
    "USER_MODEL_GETTER": "accounts.scim.adapter.directory_account_model",
    "USER_ADAPTER": "accounts.scim.adapter.PortalSCIMUser",
    "USER_FILTER_PARSER": "accounts.scim.filters.DirectoryAccountFilterQuery",
    "AUTH_CHECK_MIDDLEWARE": "accounts.scim.auth.DirectoryTokenCheck",
    "SERVICE_PROVIDER_CONFIG_MODEL": "accounts.scim.adapter.PortalServiceProviderConfig",
    "BASE_LOCATION_GETTER": "accounts.scim.adapter.base_location",
    "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "accounts.scim.adapter.directory_filter_kwargs",
    "NETLOC": SITE_URL.split("://", 1)[-1].split("/", 1)[0],
    "SCHEME": SITE_URL.split("://", 1)[0],
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "One token per directory, made by manage.py scim_directory",
        }
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
}

OTP_TOTP_ISSUER = "Star MAT policy portal"
OTP_TOTP_TOLERANCE = 1

# --- Audit log (clause 6; audit/) --------------------------------------------------------
# How many reverse proxies of ours stand in front of Django. 0: the client address is
# REMOTE_ADDR. N: it is the Nth entry from the right of X-Forwarded-For (audit.services.client_ip);
# entries further left come from the client and are never believed.
AUDIT_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# ...and the header is believed only from these peers (addresses or networks of our proxies):
# anyone reaching the application server directly is taken at their own address (issue 14).
AUDIT_TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
# The chain key(s): each entry's hash is an HMAC under the current one (audit/chain.py).
# "id:base64-of-32-bytes[,older-id:older-key...]", the first current, older ones kept for ever
# (they verify the entries made with them). Inline or in a file; never in the database.
AUDIT_CHAIN_KEYS = env.str("AUDIT_CHAIN_KEYS", default="")
AUDIT_CHAIN_KEYS_FILE = env.str("AUDIT_CHAIN_KEYS_FILE", default="")
# How many transactions can append to the chain at once without waiting for one another: each
# holds one lane of the chain until it ends (audit/chain.py). More lanes cost nothing but a
# row each and a slightly longer checkpoint line; fewer must never drop below what exists
# (the lanes above are only no longer appended to, and still verify).
AUDIT_CHAIN_LANES = env.int("AUDIT_CHAIN_LANES", default=8)
# The anchor: a directory the database server cannot reach, where the hourly checkpoint of the
# chain's lane heads is appended (audit/anchor.py), signed with the anchor key (Ed25519 seed, same
# format). Empty: no checkpoints (development and tests; production refuses to start).
AUDIT_ANCHOR_PATH = env.str("AUDIT_ANCHOR_PATH", default="")
AUDIT_ANCHOR_KEYS = env.str("AUDIT_ANCHOR_KEYS", default="")
AUDIT_ANCHOR_KEYS_FILE = env.str("AUDIT_ANCHOR_KEYS_FILE", default="")
# The daily check reports a failure when the newest checkpoint is older than this.
AUDIT_ANCHOR_MAX_AGE = timedelta(hours=3)

# django-guardian: no database row for anonymous users; object permissions are per school.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: our own plus the npm packages installed by `make install` -------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded evidence and documents live outside the web root and are served only by views
# that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))

# --- Content Security Policy: no inline script, no third-party origins ------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="policy-portal@starmat.example")

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A broker that is down must not hang a web request: the outbox row is already committed
# and the sweep delivers it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    # Without a read timeout a broker that accepts the connection but never answers hangs
    # the request for ever (measured). 2 s stays above kombu's 1 s BRPOP poll of the worker.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # The audit chain (clause 6, docs/security.md): the entries since the last checkpoint are
    # checked and a signed checkpoint of the head is written outside the database, hourly;
    # the whole chain is checked against every checkpoint daily. Failures alert the trust
    # administrators; the day's first checkpoint is emailed to them.
    "audit-checkpoint": {
        "task": "audit.tasks.checkpoint",
        "schedule": crontab(minute=5),
    },
    "audit-verify-chain": {
        "task": "audit.tasks.verify",
        "schedule": crontab(hour=3, minute=40),
    },
    "notifications-sweep-outbox": {
        "task": "notifications.tasks.sweep_pending",
        "schedule": timedelta(minutes=1),
    },
    "consents-rollover": {
        "task": "consents.tasks.rollover",
        "schedule": crontab(hour=6, minute=0, day_of_month=1, month_of_year=9),
    },
    # Every disposal of the retention schedule (DATA_RETENTION_DAYS, issue 19), students who
    # left included; audited without personal data (privacy:retention shows the runs).
    "privacy-dispose": {
        "task": "privacy.tasks.dispose",
        "schedule": crontab(hour=2, minute=30),
    },
    "consents-purge-import-files": {
        "task": "consents.tasks.purge_import_files",
        "schedule": crontab(minute=50),
    },
    "privacy-sar-reminders": {
        "task": "privacy.tasks.remind_deadlines",
        "schedule": crontab(hour=7, minute=50),
    },
    "consents-remind-takedowns": {
        "task": "consents.tasks.remind_takedowns",
        "schedule": crontab(hour=8, minute=0),
    },
    "breaches-escalate-unacknowledged": {
        "task": "breaches.tasks.escalate",
        "schedule": crontab(minute=15),
    },
    "breaches-remind-inactive": {
        "task": "breaches.tasks.remind",
        "schedule": crontab(hour=7, minute=30),
    },
    "breaches-list-disposals": {
        "task": "breaches.tasks.disposals",
        "schedule": crontab(hour=7, minute=45, day_of_week="mon"),
    },
    "notifications-weekly-digest": {
        "task": "notifications.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    # Policy register (issue 8): owners' review reminders daily (deduplicated, so a re-run
    # sends nothing new); the leads' digest of what is due on Monday mornings.
    "policies-review-reminders": {
        "task": "policies.tasks.send_review_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "policies-weekly-digest": {
        "task": "policies.tasks.send_weekly_digest",
        "schedule": crontab(hour=6, minute=45, day_of_week="mon"),
    },
    # Official accounts (issue 4): approval waits over the limit (4.2) and overdue annual
    # reviews (4.5d), daily; each reminder is sent once per account and due date.
    "channels-approval-reminders": {
        "task": "channels.tasks.remind_overdue_approvals",
        "schedule": crontab(hour=7, minute=15),
    },
    "channels-review-reminders": {
        "task": "channels.tasks.remind_overdue_reviews",
        "schedule": crontab(hour=7, minute=20),
    },
    "channels-followup-reminders": {
        "task": "channels.tasks.remind_due_followups",
        "schedule": crontab(hour=7, minute=25),
    },
    # Credential escrow (issue 5): rotation due/overdue and yearly-check reminders (5.19),
    # once per due date; superseded versions past ESCROW_KEEP_OLD_DAYS lose their ciphertext.
    "escrow-reminders": {
        "task": "escrow.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=25),
    },
    "escrow-destroy-old-versions": {
        "task": "escrow.tasks.destroy_old_versions",
        "schedule": crontab(hour=3, minute=10),
    },
}

# --- Data protection (issue 19; docs/data-protection.md) ------------------------------
# The one retention schedule: every disposal (privacy.tasks.dispose) reads its period here.
# Periods in days after the event named; sources (the IRMS Information Management Toolkit
# for Schools/Academies, which the trust's schedule follows, and KCSIE for allegations) are
# in docs/data-protection.md, "Retention schedule". Breach cases keep their own table by
# outcome, BREACH_RETENTION_YEARS (years after closing; KCSIE for allegations about staff).
DATA_RETENTION_DAYS = {
    # Pupil consent and photo records end a year after the pupil leaves (IRMS: consent for
    # images, "while the pupil attends, then review"; the trust's schedule: one year).
    "students_left": env.int("CONSENT_RETENTION_AFTER_LEAVING_DAYS", default=365),
    # Carers go with their last student; one linked to no student and with no decision goes
    # at the next run (a carer row has no date of its own): 0.
    "carers_unlinked": 0,
    # Consent decisions of school years this long over (the current year's are in force).
    "consent_events": 2 * 365,
    # Records of posts checked for consent (IRMS: school publications, current year + 6).
    "publications": 6 * 365,
    # Credential retrievals (4.5c; IRMS: audit trails of access, 6 years).
    "retrievals": 6 * 365,
    # Notifications and their emails in the outbox, once read or sent (operational).
    "notifications": 365,
    # Signed-in sessions after they expire.
    "sessions": 0,
    # Uploaded MIS files and their check results (transient copies of the MIS).
    "import_batches": 30,
    # Subject access and rights requests after they were closed (ICO: one year).
    "subject_requests": 365,
}
CONSENT_RETENTION_AFTER_LEAVING_DAYS = DATA_RETENTION_DAYS["students_left"]
# Subject access: one calendar month from the request date (UK GDPR Art. 12(3)); the DPO
# is reminded from this many days before the deadline.
PRIVACY_SAR_REMIND_DAYS = 7

# --- Consent (issue 6) ------------------------------------------------------------------
CONSENT_IMPORT_MAX_BYTES = env.int("CONSENT_IMPORT_MAX_BYTES", default=20_000_000)
# Files with more rows than this are imported by a Celery task with a progress bar.
CONSENT_IMPORT_SYNC_ROWS = env.int("CONSENT_IMPORT_SYNC_ROWS", default=500)
# Retention: students who left more than this many days ago are purged with their records
# (the retention schedule below decides it: DATA_RETENTION_DAYS["students_left"]).
CONSENT_TAKEDOWN_REMINDER_DAYS = 2
# The consent round's carers' pages (issue 17): requests per window before 429, per address
# (10 min), per link (1 h) and letter codes typed per address (10 min).
CONSENT_ROUND_LIMITS = {
    "address": env.int("CONSENT_ROUND_LIMIT_ADDRESS", default=120),
    "link": env.int("CONSENT_ROUND_LIMIT_LINK", default=60),
    "code": env.int("CONSENT_ROUND_LIMIT_CODE", default=10),
}

# --- Official accounts (issue 4) --------------------------------------------------------
CHANNELS = {
    # 4.2: requests waiting more than this many school days (Mon–Fri) are flagged and reminded.
    "APPROVAL_REMINDER_SCHOOL_DAYS": env.int("CHANNELS_APPROVAL_REMINDER_SCHOOL_DAYS", default=10),
    # 4.5(d): every active account is reviewed at least once a year.
    "REVIEW_INTERVAL_DAYS": env.int("CHANNELS_REVIEW_INTERVAL_DAYS", default=365),
    # Reviews due within this many days show in the leaders' queue.
    "REVIEW_DUE_SOON_DAYS": 30,
    # 4.5(h): screenshots of inappropriate comments (PNG, JPEG, WebP by content).
    "SCREENSHOT_MAX_BYTES": env.int("CHANNELS_SCREENSHOT_MAX_BYTES", default=5 * 1024 * 1024),
}

# --- Credential escrow (issue 5; docs/security.md) ---------------------------------------
# 5.19: passwords of official accounts change at least this often (days); owners are
# reminded this many days before.
ESCROW_ROTATION_DAYS = env.int("ESCROW_ROTATION_DAYS", default=90)
ESCROW_ROTATION_REMINDER_DAYS = 14
# 4.5c: superseded login details stay sealed this long for recovery, then are destroyed.
ESCROW_KEEP_OLD_DAYS = env.int("ESCROW_KEEP_OLD_DAYS", default=30)
# 4.5c: a leader confirms the escrowed details still work at least this often (days).
ESCROW_CHECK_INTERVAL_DAYS = 365
# Retrievals one person may make in an hour; beyond it a refusal and an alert to the trust
# administrators.
ESCROW_RETRIEVALS_PER_HOUR = env.int("ESCROW_RETRIEVALS_PER_HOUR", default=10)

# --- Breaches (issue 7) -----------------------------------------------------------------
BREACH_EVIDENCE_MAX_BYTES = env.int("BREACH_EVIDENCE_MAX_BYTES", default=10_000_000)
# A report not acknowledged within this many school days goes to trust HR.
BREACH_ACK_SCHOOL_DAYS = env.int("BREACH_ACK_SCHOOL_DAYS", default=2)
BREACH_INACTIVE_SCHOOL_DAYS = 20
# Years a closed case is kept, by outcome (else by category, else default). docs/architecture.md.
BREACH_RETENTION_YEARS = {
    "default": 6,
    "gross_misconduct": 10,
    "formal_disciplinary": 6,
    "informal_advice": 1,
    "nfa": 1,
    "unfounded": 1,
    "malicious": 1,
}

# --- Trustees' dashboard (issue 9) ------------------------------------------------------
# Figures (and their rendered tables) are cached per scope for this many seconds in the
# default cache; a viewer's own audited change makes their next view recompute at once
# (dashboard/cache.py). 0 turns the cache off.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=120)

# --- Logging: structured enough to read, never a secret (see audit.masking) --------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
