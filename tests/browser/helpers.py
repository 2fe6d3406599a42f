"""What browser tests do with a page: navigate, fill, submit, screenshot, sign in with TOTP."""

from __future__ import annotations

import base64
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython
from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import BrowserContext, Response

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Init script run before any page script; CDP injects it whatever the page's CSP says, so a CSP
# violation is always reported on the console even if Chromium's own message changes.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""


@dataclass
class Recorder:
    """Screenshots and browser errors of one test (shared by every person in the test)."""

    folder: Path
    count: int = 0
    errors: list[str] = field(default_factory=list)

    def path_for(self, who: str, slug: str) -> Path:
        self.count += 1
        clean = re.sub(r"[^a-z0-9]+", "-", f"{who}-{slug}".lower()).strip("-")
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{self.count:02d}-{clean}.png"

    def assert_no_errors(self) -> None:
        errors, self.errors = self.errors, []
        assert not errors, "The browser reported errors:\n" + "\n".join(errors)


class Visitor:
    """One person's browser context: every navigation is screenshotted and error-checked."""

    def __init__(self, *, context: BrowserContext, base_url: str, recorder: Recorder, who: str):
        self.context = context
        self.base_url = base_url
        self.recorder = recorder
        self.who = who
        context.add_init_script(CSP_REPORTER)
        self.page = context.new_page()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: recorder.errors.append(f"[{who}] page error: {exc}"))
        self.page.on("response", self._on_response)
        self.page.on("requestfailed", self._on_request_failed)

    # --- recording ------------------------------------------------------------------------
    def _on_console(self, msg) -> None:
        # Chromium's own "Failed to load resource" line duplicates _on_response, which knows
        # whether the failing load was the page itself (a test may expect a 404 page).
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.recorder.errors.append(
                f"[{self.who}] console error on {self.page.url}: {msg.text}"
            )

    def _on_response(self, response: Response) -> None:
        # Documents are checked by the step that loads them (a test may expect a 404 page);
        # a sub-resource that fails (CSS, JS, image) is always a defect.
        if response.request.resource_type != "document" and response.status >= 400:
            self.recorder.errors.append(
                f"[{self.who}] {response.status} for {response.request.resource_type} {response.url}"
            )

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED is a request the page itself dropped (it navigated away, or the
        # response was an HTTP error that _on_response already reports).
        if request.failure != "net::ERR_ABORTED":
            self.recorder.errors.append(
                f"[{self.who}] request failed: {request.url} {request.failure}"
            )

    def shot(self, slug: str) -> Path:
        path = self.recorder.path_for(self.who, slug)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check(self, slug: str) -> None:
        """Screenshot the current page and fail on any browser error so far."""
        self.shot(slug)
        self.recorder.assert_no_errors()

    # --- navigation -----------------------------------------------------------------------
    def url(self, target: str, *args, **kwargs) -> str:
        """A path as given, or a URL name reversed ("accounts:login")."""
        if target.startswith(("/", "http")):
            return target
        return reverse(target, args=args or None, kwargs=kwargs or None)

    @property
    def path(self) -> str:
        """The current path with its query string ("/accounts/two-factor/?next=%2F")."""
        return self.page.url.removeprefix(self.base_url).split("#")[0]

    def goto(self, target: str, *args, slug: str | None = None, status: int = 200, **kwargs):
        response = self.page.goto(self.url(target, *args, **kwargs))
        self.page.wait_for_load_state("load")
        self.check(slug or target)
        assert response is not None and response.status == status, (
            f"{target}: expected {status}, got {response and response.status}"
        )
        return response

    def fill(self, name: str, value: str) -> None:
        """Fill the form field with this `name` attribute (the form's contract)."""
        self.page.locator(f'[name="{name}"]').fill(value)

    def submit(self, button: str, *, slug: str, status: int = 200):
        """Click the button with this accessible name and wait for the next page."""
        with self.page.expect_navigation() as nav:
            self.page.get_by_role("button", name=button, exact=True).click()
        response = nav.value
        self.page.wait_for_load_state("load")
        self.check(slug)
        assert response is not None and response.status == status, (
            f"{slug}: expected {status}, got {response and response.status} at {self.page.url}"
        )
        return response

    def follow(self, link: str | re.Pattern, *, slug: str, status: int = 200):
        """Click the link with this accessible name and wait for the next page."""
        with self.page.expect_navigation() as nav:
            self.page.get_by_role("link", name=link).first.click()
        response = nav.value
        self.check(slug)
        assert response is not None and response.status == status, (
            f"{slug}: expected {status}, got {response and response.status} at {self.page.url}"
        )
        return response

    def close(self) -> None:
        self.context.close()

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()


# --- data ---------------------------------------------------------------------------------
# Project migrations with RunPython code, by what that code does. Seeds write rows a fresh
# install has (and are idempotent); schema code (triggers) survives a TRUNCATE. A new
# RunPython migration must be added to one of these, or replay_data_migrations() fails.
SEED_MIGRATIONS = {
    "audit.0003_chain_head",
    "channels.0002_seed_platforms",
    "policies.0002_seed_social_media_policy",
}
SCHEMA_MIGRATIONS = {
    "audit.0002_append_only",
    "breaches.0003_caseentry_append_only",
    "escrow.0002_retrieval_append_only",
    # Fills a new column of existing local variants: nothing to do on an empty database.
    "policies.0003_policy_variant_base_version",
}


def replay_data_migrations() -> list[str]:
    """Run the project's seed migrations again, so the database holds what a fresh install
    has (the platform catalogue, the trust's Social Media Policy, the audit chain head).

    Live-server tests use a transactional database that Django empties with TRUNCATE after
    each test, which takes seeded rows with it; the demo loaders build on them. Seeds are
    idempotent, so replaying on a database that still has the data changes nothing.
    Returns the migrations replayed.
    """
    loader = MigrationLoader(connection)
    base = Path(settings.BASE_DIR).resolve()
    venv = base / ".venv"
    plan: list[tuple[str, str]] = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in plan:
                plan.append(key)
    replayed = []
    for key in plan:
        migration = loader.graph.nodes[key]
        name = ".".join(key)
        codes = [op.code for op in migration.operations if isinstance(op, RunPython)]
        path = Path(sys.modules[type(migration).__module__].__file__).resolve()
        if not codes or base not in path.parents or venv in path.parents:
            continue
        if name in SCHEMA_MIGRATIONS:
            continue
        assert name in SEED_MIGRATIONS, (
            f"{name} runs Python code: add it to SEED_MIGRATIONS (idempotent seed data) or "
            "SCHEMA_MIGRATIONS (survives TRUNCATE) in tests/browser/helpers.py"
        )
        state_apps = loader.project_state(key, at_end=False).apps
        with connection.schema_editor() as editor:
            for code in codes:
                code(state_apps, editor)
        replayed.append(name)
    return replayed


# --- TOTP ---------------------------------------------------------------------------------
def code_for_key(key: bytes, step: int = 30, t0: int = 0, digits: int = 6, drift: int = 0) -> str:
    return f"{totp(key, step, t0, digits, drift):0{digits}d}"


def code_for_secret(secret: str) -> str:
    """The current code for a base32 secret as an authenticator app would show it."""
    clean = re.sub(r"[\s-]", "", secret).upper()
    key = base64.b32decode(clean + "=" * (-len(clean) % 8))
    return code_for_key(key)


def code_for_device(device) -> str:
    """The next code `device` accepts: django-otp refuses a time step it has already used, so
    when the current step is spent (a second sign-in within 30 s) use the next one, which the
    device's tolerance of one step accepts."""
    device.refresh_from_db()
    now_t = int((time.time() - device.t0) // device.step)
    drift = device.drift
    if now_t + drift <= device.last_t:
        drift = device.last_t + 1 - now_t
    return code_for_key(device.bin_key, device.step, device.t0, device.digits, drift)


# --- the sign-in contract (accounts/views/signin.py, accounts/two_factor.py) ----------------
def sign_in_with_password(visitor: Visitor, email: str, password: str, *, status: int = 200):
    visitor.goto("accounts:login", slug="sign-in")
    visitor.fill("username", email)
    visitor.fill("password", password)
    return visitor.submit("Sign in", slug="after-password", status=status)


def verify_totp(visitor: Visitor, device) -> None:
    """On the second-factor page of someone with a confirmed device: enter the current code."""
    assert visitor.path.startswith(reverse("accounts:two_factor")), visitor.page.url
    visitor.fill("otp_token", code_for_device(device))
    visitor.submit("Verify", slug="after-code")


def enrol_totp(visitor: Visitor) -> str:
    """On the enrolment page: read the secret, confirm a code; returns the backup codes text."""
    # Most people scan the QR code rather than type the key: a broken image (it raises no
    # console error) would leave them stuck.
    qr = visitor.page.get_by_role("img", name=re.compile("QR code", re.I))
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code does not render"
    secret = visitor.page.get_by_test_id("totp-secret").inner_text()
    visitor.fill("otp_token", code_for_secret(secret))
    visitor.submit("Confirm", slug="after-enrol")
    codes = visitor.page.get_by_test_id("backup-codes")
    codes.wait_for()
    return codes.inner_text()
