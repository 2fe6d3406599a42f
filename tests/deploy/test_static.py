"""Static files in production: collected with hashed names, vendor assets local, no CDN, CSP."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from .conftest import PYTHON, production_env, run

VENDOR_ASSETS = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "vendor/chartjs/chart.umd.min.js",
]

# collectstatic into a temporary STATIC_ROOT with the production storage (manifest +
# compression), then render the sign-in page over "https" exactly as gunicorn would serve it.
COLLECT_AND_RENDER = """
import json, sys, django
django.setup()
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
from django.test import Client
from django.urls import reverse
r = Client(HTTP_HOST="policy.starmat.example").get(
    reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https"
)
print(json.dumps({
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "status": r.status_code,
    "csp": r.get("Content-Security-Policy", ""),
    "csrf_cookie": r.cookies["csrftoken"].output() if "csrftoken" in r.cookies else "",
    "body": r.content.decode(),
}))
"""


@pytest.fixture(scope="module")
def collected(tmp_path_factory, django_db_setup):
    static_root = tmp_path_factory.mktemp("staticfiles")
    # Should the sign-in page ever read the database, it reads the migrated test database.
    env = production_env()
    test_db = connection.settings_dict["NAME"]
    env["DATABASE_URL"] = urlsplit(env["DATABASE_URL"])._replace(path=f"/{test_db}").geturl()
    result = run([PYTHON, "-c", COLLECT_AND_RENDER, str(static_root)], env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return static_root, json.loads(result.stdout.strip().splitlines()[-1])


def test_collectstatic_with_production_storage_writes_the_vendor_assets(collected):
    static_root, page = collected
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]

    assert page["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    for asset in VENDOR_ASSETS + ["css/portal.css", "js/portal.js"]:
        assert (static_root / asset).is_file(), asset
        hashed = manifest[asset]
        assert hashed != asset
        assert (static_root / hashed).is_file()
        assert (static_root / f"{hashed}.gz").is_file(), "whitenoise serves compressed copies"


def test_production_sign_in_page_uses_hashed_local_assets_and_no_cdn(collected):
    _, page = collected
    body = page["body"]
    sources = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', body)

    assert page["status"] == 200
    assert sources, "the page loads its stylesheets and scripts"
    assert all(src.startswith("/static/") for src in sources), sources
    assert re.search(r"/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css", body)
    assert "cdn" not in body.lower()


def test_production_sign_in_page_csp_forbids_inline_script_and_csrf_cookie_is_secure(collected):
    _, page = collected
    assert script_src(page["csp"]) == ["'self'"]
    assert "csrftoken" in page["csrf_cookie"]
    assert "Secure" in page["csrf_cookie"]
    assert "HttpOnly" in page["csrf_cookie"]


def script_src(csp_header: str) -> list[str]:
    for part in csp_header.split(";"):
        words = part.split()
        if words and words[0] == "script-src":
            return words[1:]
    raise AssertionError(f"no script-src in {csp_header!r}")


@pytest.mark.django_db
def test_sign_in_page_has_csp_without_unsafe_inline_and_no_inline_script(client):
    response = client.get(reverse("accounts:login"))
    body = response.content.decode()

    assert response.status_code == 200
    sources = script_src(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    # Every <script> has a src (no inline code) and every asset is served by us.
    assert re.findall(r"<script\b(?![^>]*\bsrc=)[^>]*>", body) == []
    assert not re.search(r'(?:src|href)="(?:https?:)?//', body)
    assert ' style="' not in body
