"""gunicorn.conf.py: sync workers, logs to stdout, and no token in an access-log line."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from .conftest import PYTHON, ROOT, production_env, run


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
    assert conf.control_socket_disable is True, "$HOME is not writable in the image"


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


def test_compose_healthcheck_passes_against_gunicorn_with_production_settings(tmp_path):
    """Start gunicorn as the web container does and run compose's own healthcheck at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    healthcheck = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "healthcheck"
    ]["test"]
    assert healthcheck[:3] == ["CMD", "python", "-c"]
    check_code = healthcheck[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = production_env(GUNICORN_WORKERS="1", GUNICORN_BIND=f"127.0.0.1:{port}")
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            result = run([PYTHON, "-c", check_code], env=env, timeout=30)
            if result.returncode == 0 or time.monotonic() > deadline or server.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    output = (tmp_path / "gunicorn.log").read_text()
    assert result.returncode == 0, result.stderr + output
    assert '"GET /healthz HTTP/1.1" 200' in output
