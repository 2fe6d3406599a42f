"""Browser-test harness: Playwright drives Debian's Chromium against pytest-django's live server.

- One headless Chromium per test session (`browser`), a fresh context per person (`new_visitor`).
- Every page a test visits is saved as a full-page screenshot under
  test-artifacts/screenshots/<test-name>/NN-<slug>.png (git-ignored), so a reviewer can look at
  what the test saw; a failing test also saves its last page.
- Console errors, uncaught page errors, CSP violations and failed sub-resources (a missing CSS or
  JS file) fail the test: the portal's CSP forbids inline script and style, and a template that
  breaks it must not pass unnoticed.
- Every test in this directory carries the `browser` marker (`pytest -m "not browser"` skips them).

Chromium must be at /usr/bin/chromium (or $CHROMIUM_PATH); when it is missing the tests fail
with a message saying how to install it, they never skip (.ci/run installs it).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

# Playwright's sync API runs an event loop in the main thread; Django refuses ORM calls there
# unless told the caller knows what it is doing. Tests here only touch the ORM between browser
# steps, never concurrently, so this is safe. Must be set before any database work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

from .helpers import ARTIFACTS, Recorder, Visitor  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixtures can tell a failed test at teardown.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Browser tests need Debian's Chromium: "
            "`apt-get install chromium` (.ci/run does this), or set CHROMIUM_PATH. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh, throw-away user-data directory.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def recorder(request) -> Recorder:
    """Screenshot folder and console-error log of the current test."""
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in request.node.name)
    folder = ARTIFACTS / "screenshots" / name
    shutil.rmtree(folder, ignore_errors=True)  # screenshots of an earlier run would mislead
    return Recorder(folder=folder)


@pytest.fixture
def new_visitor(request, browser, live_server, recorder):
    """new_visitor("admin") -> a Visitor in a fresh browser context (own cookies and session)."""
    visitors: list[Visitor] = []
    failures_before = request.session.testsfailed

    def make(who: str = "visitor") -> Visitor:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        visitor = Visitor(context=context, base_url=live_server.url, recorder=recorder, who=who)
        visitors.append(visitor)
        return visitor

    yield make

    report = getattr(request.node, "rep_call", None)
    if report is not None:
        failed, passed = report.failed, report.passed
    else:  # fixtures imported into a test module outside this directory: no report hook
        failed = request.session.testsfailed > failures_before
        passed = not failed
    for visitor in visitors:
        if failed and not visitor.page.is_closed():
            # The test's own failure is the one to report, not a failed screenshot.
            with contextlib.suppress(Exception):
                visitor.shot("at-failure")
        if not visitor.page.is_closed():
            visitor.context.close()
    if passed:
        # Errors after the test's last check (a late console error) still fail it.
        recorder.assert_no_errors()


@pytest.fixture
def visitor(new_visitor) -> Visitor:
    """One anonymous person in a fresh browser context."""
    return new_visitor("visitor")


@pytest.fixture
def page(visitor):
    """The Playwright Page of `visitor` (fresh context per test)."""
    return visitor.page
