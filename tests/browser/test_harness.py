"""The harness itself: a portal page that breaks its Content Security Policy, or loads a missing
static file, must fail a browser test (otherwise the other browser tests prove little)."""

from __future__ import annotations

import pytest

INJECTED = (
    '<script>document.title = "inline ran";</script>'
    '<p class="injected" style="color: red">inline style</p>'
    '<link rel="stylesheet" href="/static/css/does-not-exist.css">'
)


def test_csp_violations_and_missing_static_files_are_reported_as_errors(visitor):
    def inject(route):
        # The real response, headers (and so the real CSP) included, with inline code added.
        response = route.fetch()
        body = response.text().replace("</main>", INJECTED + "</main>")
        route.fulfill(response=response, body=body)

    visitor.page.route("**/accounts/login/", inject)
    visitor.page.goto(visitor.url("accounts:login"))
    visitor.page.wait_for_load_state("load")
    visitor.shot("page-with-inline-code")

    assert visitor.page.title() != "inline ran", "the CSP let an inline script run"
    with pytest.raises(AssertionError) as failure:
        visitor.recorder.assert_no_errors()
    report = str(failure.value)
    assert "CSP violation: script-src" in report
    assert "CSP violation: style-src" in report
    assert "404 for stylesheet" in report and "does-not-exist.css" in report


def test_a_clean_portal_page_reports_no_errors(visitor):
    visitor.goto("accounts:login", slug="sign-in")  # goto fails the test on any browser error
    assert visitor.recorder.errors == []
