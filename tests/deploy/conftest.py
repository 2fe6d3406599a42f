"""Helpers for the deployment tests: run manage.py and snippets in a fresh interpreter.

Production settings are read once per process, so every test that needs them starts a
subprocess with its own environment instead of overriding settings in this one.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
TEST_KEYS = "deploy1:ZGVwbG95LXRlc3Qta2V5LW5vdC1mb3ItdXNlLTMyYnk="
# The audit chain's HMAC key and the checkpoints' signing key (throwaway, 32 bytes each).
AUDIT_CHAIN_TEST_KEYS = "deploychain1:ZGVwbG95LWF1ZGl0LWNoYWluLWtleS1ub3QtZm9yLXU="
AUDIT_ANCHOR_TEST_KEYS = "deployanchor1:ZGVwbG95LWF1ZGl0LWFuY2hvci1rZXktbm90LWZvci0="


def production_env(**overrides: str) -> dict[str, str]:
    """A complete production environment; an override of "" counts as unset.

    Values are set explicitly (never removed) so a developer's .env, which base.py reads
    with setdefault, cannot fill in a variable a test means to leave out.
    """
    env = dict(os.environ)
    # The browser tests set this for pytest-django's live server; a deployment never has it
    # (check --deploy refuses it), and the two may run in one pytest process.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_portal"
        ),
        ALLOWED_HOSTS="policy.starmat.example",
        CSRF_TRUSTED_ORIGINS="https://policy.starmat.example",
        CREDENTIAL_KEYS=TEST_KEYS,
        CREDENTIAL_KEYS_FILE="",
        AUDIT_CHAIN_KEYS=AUDIT_CHAIN_TEST_KEYS,
        AUDIT_CHAIN_KEYS_FILE="",
        AUDIT_ANCHOR_KEYS=AUDIT_ANCHOR_TEST_KEYS,
        AUDIT_ANCHOR_KEYS_FILE="",
        AUDIT_ANCHOR_PATH=tempfile.gettempdir(),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def manage(*args: str, env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    return run([PYTHON, "manage.py", *args], env=env, timeout=timeout)


@pytest.fixture
def prod_env():
    return production_env
