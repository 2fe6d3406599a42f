"""Helpers for notification tests: probe kinds whose templates live in tests/notifications."""

from copy import deepcopy
from pathlib import Path

import pytest

from notifications.kinds import KINDS, Kind

from .backends import FlakyBackend

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def probe_kinds(settings, monkeypatch):
    """Register tests.confidential_probe and tests.plain_probe (digestible) for one test."""
    templates = deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [TEMPLATES_DIR, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    monkeypatch.setitem(
        KINDS, "tests.confidential_probe", Kind("Something needs your attention", confidential=True)
    )
    monkeypatch.setitem(KINDS, "tests.plain_probe", Kind("A plain reminder", digestible=True))


@pytest.fixture
def flaky_relay(settings):
    """flaky_relay(n): the next n sends fail with an SMTP error."""

    def arm(failures: int):
        FlakyBackend.failures = failures
        FlakyBackend.calls = 0
        settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
        return FlakyBackend

    yield arm
    FlakyBackend.failures = FlakyBackend.calls = 0
