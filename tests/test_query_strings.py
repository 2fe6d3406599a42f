"""Issue 14: no query string can cause a server error, on any URL of the project.

Every URL name of the URL conf (tests/browser/site_pages.py walks it), reversed with a real
object where the page gates know one (else an id that does not exist), is asked for by people
of several roles with query strings no form of ours produces: NUL bytes and other control
characters (refused with 400 by accounts.query_guard), bytes that are not UTF-8, and values of
the wrong type or size for every parameter a page reads. Nothing may answer 5xx.
"""

from __future__ import annotations

import itertools
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.breaches.factories import report
from tests.browser.site_pages import CANDIDATES, url_names
from tests.conftest import sign_in
from tests.escrow.factories import escrowed_account

# Every parameter a page of ours reads from the query string (views, forms, filters).
PARAMS = [
    "q",
    "year",
    "form",
    "status",
    "page",
    "school",
    "period",
    "category",
    "platform",
    "account",
    "next",
    "purpose",
    "before",
    "after",
    "action",
    "actor",
    "target",
    "date_from",
    "date_to",
    "expired",
    "sort",
    "kind",
    "role",
    "o",
]
BAD_VALUES = {
    "nul": "a\x00b",
    "control": "a\x1bb",
    "huge number": "9" * 40,
    "negative": "-1",
    "words": "abc",
    "bad date": "2026-13-45",
    "sql": "' OR 1=1 --",
    "long": "é" * 500,
    "list": "[]",
}
DUMMIES = (999999, str(uuid.UUID(int=0)), "x")
PERSONAS = ("trust_admin", "head_a", "office_a", "anonymous")


def _queries() -> dict[str, str]:
    out = {name: "&".join(f"{p}={quote(v)}" for p in PARAMS) for name, v in BAD_VALUES.items()}
    out["not utf-8"] = "q=%ff%fe&school=%c3%28"
    out["repeated"] = "&".join(f"{p}=1&{p}=x" for p in PARAMS)
    out["no value"] = "&".join(PARAMS)
    return out


def _paths() -> list[str]:
    paths = []
    for name, params in sorted(url_names().items()):
        if not params:
            paths.append(reverse(name))
            continue
        found = CANDIDATES[name]() if name in CANDIDATES else []
        if found:
            paths.append(reverse(name, kwargs=found[0][1]))
            continue
        for choice in itertools.product(DUMMIES, repeat=len(params)):
            try:
                paths.append(reverse(name, kwargs=dict(zip(params, choice, strict=True))))
                break
            except NoReverseMatch:
                continue
    return paths


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_query_string_causes_a_server_error_on_any_url(world, persona):
    escrowed_account(world)
    report(world)
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        sign_in(client, world.people[persona])
    failures = []
    for path in _paths():
        for label, query in _queries().items():
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append(f"{path} ({label}): {response.status_code}")
            if label in ("nul", "control", "not utf-8"):
                assert response.status_code == 400, (path, label, response.status_code)
    assert not failures, "\n".join(failures)


def test_a_nul_byte_gets_the_400_page_with_words(client_for):
    response = client_for("office_a").get("/consents/students/?q=a%00b")
    assert response.status_code == 400
    assert "cannot read" in response.content.decode()
