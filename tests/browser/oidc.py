"""A real OpenID Connect provider for browser tests: scripts/oidc_provider.mjs (panva's
certified oidc-provider from npm) started on 127.0.0.1, with the demo trust's people."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import requests

from accounts.sso.demo_provider import demo_accounts, provider_config

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-only-sso-client-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_provider(site_url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    """Start the provider for a portal at `site_url`; returns (process, issuer) once its
    discovery document answers. Fails the test if it does not come up in 20 seconds."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    config = provider_config(
        issuer=issuer, port=port, site_urls=[site_url], accounts=demo_accounts(), secret=SECRET
    )
    path = folder / "oidc-provider.json"
    path.write_text(json.dumps(config))
    log = (folder / "oidc-provider.log").open("w")
    process = subprocess.Popen(
        ["node", str(ROOT / "scripts" / "oidc_provider.mjs"), str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the OpenID provider exited: {(folder / 'oidc-provider.log').read_text()}"
            )
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return process, issuer
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the OpenID provider did not answer within 20 seconds")
