"""gunicorn.conf.py: sync workers, logs to stdout, and no token in an access-log line."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_uses_sync_workers_and_logs_to_stdout(conf):
    assert conf.worker_class == "sync"
    assert conf.workers >= 1
    assert conf.accesslog == "-"
    assert conf.errorlog == "-"


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/reset/MQ/c4bz1k-4f2a9e1c0d7b8a6e5f3c2d1b0a9e8f7d/",
        "/accounts/invite/eyJ1IjoxfQ:1vA2bC:Zk9sT2xhYmNkZWZnaGlqa2xtbm9w/",
    ],
)
def test_access_log_line_hides_reset_and_invitation_tokens(conf, path):
    logger = conf.RedactingLogger(SimpleNamespace(**_gunicorn_cfg()))
    req = SimpleNamespace(headers=[], method="GET", path=path, query="token=secret", version=(1, 1))
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "RAW_URI": f"{path}?token=secret",
        "HTTP_REFERER": f"https://policy.starmat.example{path}",
        "QUERY_STRING": "token=secret",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)

    atoms = logger.atoms(resp, req, environ, _elapsed())
    line = conf.access_log_format % atoms

    assert "[redacted]" in line
    assert path.rstrip("/").rsplit("/", 1)[-1] not in line
    assert "secret" not in atoms["r"] + atoms["q"]
    assert "[redacted]" in atoms["f"]


def test_ordinary_paths_are_logged_as_they_are(conf):
    assert conf.redact_path("/official-accounts/12/edit/") == "/official-accounts/12/edit/"


def _gunicorn_cfg():
    from gunicorn.config import Config

    cfg = Config()
    return {name: setting.get() for name, setting in cfg.settings.items()}


def _elapsed():
    from datetime import timedelta

    return timedelta(milliseconds=12)
