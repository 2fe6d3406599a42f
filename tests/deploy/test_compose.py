"""docker-compose.yml, Dockerfile and .dockerignore: valid, complete, and free of secrets.

There is no Docker engine where the suite runs, so these check the files, not a running stack.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
REQUIRED_SERVICES = {"postgres", "redis", "web", "worker", "beat", "mailpit"}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|_KEY|KEYS$|DATABASE_URL|EMAIL_URL")
INTERPOLATION = re.compile(r"^\$\{[A-Z][A-Z0-9_]*(?::?[-?][^}]*)?\}$")
URL_WITH_PASSWORD = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:(?!\$\{)[^\s@]+@")


def load_compose(path: Path = COMPOSE) -> dict:
    return yaml.safe_load(path.read_text())


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def dependency_problems(compose: dict) -> list[str]:
    services = compose.get("services", {})
    problems = []
    for name, service in services.items():
        for key in ("depends_on", "links"):
            targets = service.get(key) or []
            for target in targets:
                target = target.split(":")[0]
                if target not in services:
                    problems.append(f"{name}.{key} names {target!r}, which is not a service")
    return problems


def inline_secrets(compose: dict, text: str) -> list[str]:
    found = []
    for name, service in compose.get("services", {}).items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment if "=" in item)
        for key, value in environment.items():
            if SECRET_NAME.search(key) and value and not INTERPOLATION.match(str(value)):
                found.append(f"{name}.environment.{key}")
    found += [m.group(0) for m in URL_WITH_PASSWORD.finditer(text)]
    return found


def test_compose_file_is_valid_against_the_compose_spec_schema():
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_schema_check_rejects_an_invalid_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: x\n    restart_policy: always\n")
    result = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0


def test_compose_names_every_service_the_portal_needs():
    missing = REQUIRED_SERVICES - set(load_compose()["services"])

    assert not missing, missing


def test_every_depends_on_and_links_target_is_a_service():
    assert dependency_problems(load_compose()) == []


def test_dependency_check_catches_a_missing_service():
    compose = {"services": {"web": {"depends_on": {"db": {"condition": "service_healthy"}}}}}

    assert dependency_problems(compose) == ["web.depends_on names 'db', which is not a service"]


def test_beat_runs_exactly_one_replica_with_the_database_scheduler():
    beat = load_compose()["services"]["beat"]

    assert beat["deploy"]["replicas"] == 1
    assert "beat" in command_text(beat)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command_text(beat)


def test_worker_runs_celery_for_the_config_app():
    assert re.search(r"celery -A config worker", command_text(load_compose()["services"]["worker"]))


def test_web_migrates_and_collects_static_then_serves_with_gunicorn():
    command = command_text(load_compose()["services"]["web"])

    migrate = command.index("manage.py migrate --noinput")
    collect = command.index("manage.py collectstatic --noinput")
    serve = command.index("gunicorn --config gunicorn.conf.py config.wsgi")
    assert migrate < collect < serve


def test_web_healthcheck_asks_healthz():
    healthcheck = load_compose()["services"]["web"]["healthcheck"]

    assert "/healthz" in " ".join(healthcheck["test"])


@pytest.mark.parametrize("service", ["postgres", "redis"])
def test_backing_services_have_healthchecks_and_the_app_waits_for_them(service):
    services = load_compose()["services"]

    assert services[service]["healthcheck"]["test"]
    assert services["web"]["depends_on"][service]["condition"] == "service_healthy"


def test_postgres_is_version_16_with_a_volume():
    postgres = load_compose()["services"]["postgres"]

    assert postgres["image"].startswith("postgres:16")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])


def test_mailpit_catches_email():
    compose = load_compose()

    assert compose["services"]["mailpit"]["image"].startswith("axllent/mailpit")
    assert "EMAIL_URL=smtp://mailpit:1025" in (ROOT / ".env.example").read_text()


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_app_services_take_secrets_from_the_env_file(service):
    config = load_compose()["services"][service]

    env_file = config["env_file"]
    assert ".env" in ([env_file] if isinstance(env_file, str) else env_file)
    assert config["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_no_secret_value_is_inline_in_the_compose_file():
    assert inline_secrets(load_compose(), COMPOSE.read_text()) == []


def test_inline_secret_check_catches_literal_values():
    compose = {
        "services": {
            "web": {"environment": {"SECRET_KEY": "abc123", "TRUST_NAME": "Star"}},
            "postgres": {"environment": ["POSTGRES_PASSWORD=hunter2"]},
        }
    }
    text = "DATABASE_URL: postgres://smp:hunter2@postgres:5432/smp\n"

    assert inline_secrets(compose, text) == [
        "web.environment.SECRET_KEY",
        "postgres.environment.POSTGRES_PASSWORD",
        "postgres://smp:hunter2@",
    ]


# --- Dockerfile and .dockerignore --------------------------------------------------------


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_dockerfile_runs_python_311_slim_as_a_non_root_user():
    text = dockerfile()
    runtime = text.split("FROM python:3.11-slim", 1)

    assert len(runtime) == 2, "the runtime stage is python:3.11-slim"
    users = re.findall(r"^USER\s+(\S+)", runtime[1], flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    # The code is root-owned, so the app user cannot rewrite it.
    assert "COPY --chown=app" not in runtime[1]


def test_dockerfile_installs_pinned_requirements_and_builds_assets_with_npm_ci_in_a_node_stage():
    text = dockerfile()
    node_stage, runtime = text.split("FROM python:3.11-slim", 1)

    assert "pip install --no-deps -r requirements/base.txt" in runtime
    assert re.search(r"^FROM node:\S+ AS assets", node_stage, flags=re.MULTILINE)
    assert "npm ci" in node_stage
    assert "COPY package.json package-lock.json" in node_stage
    assert "npm" not in runtime.replace("/build/node_modules", "")
    assert "COPY --from=assets" in runtime


def test_requirements_base_pins_every_package():
    lines = [
        line.strip()
        for line in (ROOT / "requirements/base.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert lines
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line) for line in lines), lines


def test_dockerfile_bakes_in_no_secret():
    text = dockerfile()

    assert not re.search(r"^(?:ENV|ARG)\b.*" + SECRET_NAME.pattern, text, flags=re.MULTILINE)
    assert "COPY .env" not in text


def test_dockerignore_keeps_env_files_and_local_state_out_of_the_image():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".env", ".env.*", "!.env.example", ".venv/", "node_modules/", ".git/"} <= ignored
