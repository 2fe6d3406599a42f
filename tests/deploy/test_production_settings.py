"""Production settings refuse to start half-configured and pass `check --deploy` when complete."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import (
    AUDIT_ANCHOR_TEST_KEYS,
    AUDIT_CHAIN_TEST_KEYS,
    PYTHON,
    ROOT,
    TEST_KEYS,
    manage,
    production_env,
    run,
)

REQUIRED = ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"]


@pytest.mark.parametrize("name", REQUIRED)
def test_production_refuses_to_start_without_required_variable(name):
    result = manage("check", env=production_env(**{name: ""}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set" in result.stderr


def test_production_refuses_to_start_without_credential_keys_or_keys_file():
    result = manage("check", env=production_env(CREDENTIAL_KEYS="", CREDENTIAL_KEYS_FILE=""))

    assert result.returncode != 0
    assert "CREDENTIAL_KEYS or CREDENTIAL_KEYS_FILE must be set" in result.stderr


def test_production_starts_with_credential_keys_file_instead_of_inline_keys(tmp_path):
    keys_file = tmp_path / "credential_keys"
    keys_file.write_text(TEST_KEYS + "\n")

    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(CREDENTIAL_KEYS="", CREDENTIAL_KEYS_FILE=str(keys_file)),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_credential_keys_file_that_is_missing(tmp_path):
    missing = tmp_path / "not-there"

    result = manage(
        "check", env=production_env(CREDENTIAL_KEYS="", CREDENTIAL_KEYS_FILE=str(missing))
    )

    assert result.returncode != 0
    assert "CREDENTIAL_KEYS_FILE" in result.stderr
    assert "missing or empty" in result.stderr


@pytest.mark.parametrize("name", ["AUDIT_CHAIN_KEYS", "AUDIT_ANCHOR_KEYS"])
def test_production_refuses_to_start_without_the_audit_keys(name):
    result = manage("check", env=production_env(**{name: "", f"{name}_FILE": ""}))

    assert result.returncode != 0
    assert f"{name} or {name}_FILE must be set" in result.stderr


@pytest.mark.parametrize("name", ["AUDIT_CHAIN_KEYS", "AUDIT_ANCHOR_KEYS"])
def test_production_refuses_an_audit_key_file_that_is_missing(name, tmp_path):
    env = production_env(**{name: "", f"{name}_FILE": str(tmp_path / "not-there")})

    result = manage("check", env=env)

    assert result.returncode != 0
    assert f"{name}_FILE names" in result.stderr and "missing or empty" in result.stderr


def test_production_starts_with_the_audit_keys_in_files(tmp_path):
    chain, anchor = tmp_path / "audit_chain_keys", tmp_path / "audit_anchor_keys"
    chain.write_text(AUDIT_CHAIN_TEST_KEYS + "\n")
    anchor.write_text(AUDIT_ANCHOR_TEST_KEYS + "\n")
    env = production_env(
        AUDIT_CHAIN_KEYS="",
        AUDIT_CHAIN_KEYS_FILE=str(chain),
        AUDIT_ANCHOR_KEYS="",
        AUDIT_ANCHOR_KEYS_FILE=str(anchor),
    )

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_an_anchor_directory():
    result = manage("check", env=production_env(AUDIT_ANCHOR_PATH=""))

    assert result.returncode != 0
    assert "AUDIT_ANCHOR_PATH must be set" in result.stderr


def test_production_refuses_the_env_example_placeholder_secret_key():
    result = manage("check", env=production_env(SECRET_KEY="CHANGE-ME"))

    assert result.returncode != 0
    assert "SECRET_KEY still holds the .env.example placeholder" in result.stderr


def test_check_deploy_passes_with_every_variable_set():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_a_weak_secret_key():
    """The deploy check is live: a short key is reported, so the passing run above means something."""
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(SECRET_KEY="too-short")
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="policy.starmat.example")
plain = c.get("/accounts/login/")
health_plain = c.get("/healthz")
health_tls = c.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
behind_proxy = RequestFactory().get(
    "/", REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9"
)
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": settings.SESSION_COOKIE_HTTPONLY,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "CSRF_COOKIE_HTTPONLY": settings.CSRF_COOKIE_HTTPONLY,
    "SECURE_PROXY_SSL_HEADER": list(settings.SECURE_PROXY_SSL_HEADER),
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "CONN_MAX_AGE": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "health_plain_status": health_plain.status_code,
    "health_tls_hsts": health_tls.get("Strict-Transport-Security"),
    "lockout_address": get_client_ip_address(behind_proxy),
}))
"""


def test_production_behind_the_proxy_redirects_http_sends_hsts_and_locks_out_by_client_address():
    # The compose network's proxy, as .env.example configures it (TRUSTED_PROXIES).
    env = production_env(TRUSTED_PROXY_COUNT="1", TRUSTED_PROXIES="127.0.0.1,::1,172.16.0.0/12")
    result = run([PYTHON, "-c", PROBE], env=env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["DEBUG"] is False
    assert probe["SESSION_COOKIE_SECURE"] and probe["SESSION_COOKIE_HTTPONLY"]
    assert probe["CSRF_COOKIE_SECURE"] and probe["CSRF_COOKIE_HTTPONLY"]
    assert probe["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert probe["SECURE_HSTS_SECONDS"] >= 31536000
    assert probe["CONN_MAX_AGE"] > 0
    # Plain http is sent to https; the load balancer's health probe is not.
    assert probe["plain_status"] == 301
    assert probe["plain_location"] == "https://policy.starmat.example/accounts/login/"
    assert probe["health_plain_status"] == 200
    assert probe["health_tls_hsts"].startswith("max-age=31536000")
    # Sign-in lockouts key on the address our one proxy saw, not the proxy's own address
    # and not what the client wrote further left.
    assert probe["lockout_address"] == "203.0.113.9"


# --- .env.example documents every variable ----------------------------------------------

ENV_READ = re.compile(
    r"""(?:\benv(?:\.\w+)?|_required|os\.environ\.get|os\.getenv|os\.environ\.setdefault)"""
    r"""\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)
ENV_INDEX = re.compile(r"""os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]""")
COMPOSE_VAR = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)")


def variables_read_by(paths) -> set[str]:
    names: set[str] = set()
    for path in paths:
        text = path.read_text()
        names |= set(ENV_READ.findall(text)) | set(ENV_INDEX.findall(text))
    return names


def documented_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_reader_finds_variables_in_every_form_it_claims_to(tmp_path):
    sample = tmp_path / "s.py"
    sample.write_text(
        'A = env.int("ONE", default=1)\nB = env("TWO")\nC = _required("THREE")\n'
        'D = os.environ.get("FOUR")\nE = os.environ["FIVE"]\nF = os.getenv("SIX")\n'
    )
    assert variables_read_by([sample]) == {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX"}


def test_every_variable_the_settings_read_is_documented_in_env_example():
    sources = [*sorted((ROOT / "config").rglob("*.py")), ROOT / "gunicorn.conf.py"]
    read = variables_read_by(sources)
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CREDENTIAL_KEYS"} <= read

    missing = read - documented_in_env_example()

    assert not missing, f"add to .env.example with a comment: {sorted(missing)}"


def test_every_variable_docker_compose_interpolates_is_documented_in_env_example():
    used = set(COMPOSE_VAR.findall((ROOT / "docker-compose.yml").read_text()))
    assert "POSTGRES_PASSWORD" in used

    missing = used - documented_in_env_example()

    assert not missing, f"add to .env.example with a comment: {sorted(missing)}"


def test_env_example_holds_no_usable_secret():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    )

    assert values["SECRET_KEY"] == "CHANGE-ME"
    assert values["POSTGRES_PASSWORD"] == "CHANGE-ME"
    assert ":CHANGE-ME@" in values["DATABASE_URL"]
    assert "CREDENTIAL_KEYS" not in values
    assert "AUDIT_CHAIN_KEYS" not in values and "AUDIT_ANCHOR_KEYS" not in values


def test_celery_app_loads_with_production_settings_and_the_scheduler_compose_names():
    code = (
        "import django; django.setup(); from config import celery_app; "
        "print(celery_app.main, celery_app.conf.beat_scheduler, celery_app.conf.broker_url)"
    )

    result = run([PYTHON, "-c", code], env=production_env(CELERY_BROKER_URL="redis://redis:6379/0"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "smp_portal",
        "django_celery_beat.schedulers:DatabaseScheduler",
        "redis://redis:6379/0",
    ]
    beat = (ROOT / "docker-compose.yml").read_text()
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
