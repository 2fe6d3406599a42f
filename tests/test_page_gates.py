"""The accessibility gates (tests/browser/test_every_page.py) cover every page: a URL with
parameters must say where its demo object comes from, or be a POST-only action, or be
declared as not a page. Without a browser, so it fails fast."""

from __future__ import annotations

import uuid

from django.urls import reverse

from tests.browser.site_pages import CANDIDATES, NOT_PAGES, url_names

DUMMY = {"pk": 999999, "report_pk": 999999, "evidence_id": 999999}


def _dummy_kwargs(params: list[str]) -> dict:
    kwargs = {}
    for p in params:
        if p in DUMMY:
            kwargs[p] = DUMMY[p]
        elif p == "pk":
            kwargs[p] = str(uuid.UUID(int=0))
        else:
            kwargs[p] = "x"
    return kwargs


def test_every_parameterised_url_is_known_to_the_page_gates(world, client_for):
    client = client_for("trust_admin")
    unknown = []
    for name, params in sorted(url_names().items()):
        if not params or name in CANDIDATES or name in NOT_PAGES:
            continue
        try:
            url = reverse(name, kwargs=_dummy_kwargs(params))
        except Exception:  # a uuid parameter named pk
            url = reverse(name, kwargs={**_dummy_kwargs(params), "pk": str(uuid.UUID(int=0))})
        if client.get(url).status_code != 405:
            unknown.append(name)
    assert not unknown, (
        "pages with URL parameters the accessibility gates cannot find a demo object for: add "
        f"them to CANDIDATES (or NOT_PAGES) in tests/browser/site_pages.py: {unknown}"
    )


def test_candidates_and_not_pages_name_existing_urls():
    names = set(url_names())
    assert not (set(CANDIDATES) | set(NOT_PAGES)) - names
