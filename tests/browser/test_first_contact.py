"""A newcomer's first contact (issue 13): `git clone`, then the README's first command with
nothing configured (no DATABASE_URL) on a free port; the sign-in page answers, a demo person
signs in through the real form (password, then the code `manage.py demo_totp` prints), sees
their home page, and Ctrl-C leaves nothing running, the embedded PostgreSQL included.

The clone reuses the installed .venv and node_modules (tests.fresh_clone); everything else,
the embedded PostgreSQL's data among it, lives in a temporary folder.
"""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request

from tests.fresh_clone import (
    CODE,
    clone_repository,
    free_port,
    newcomer_env,
    readme_commands,
    scratch_folder,
    stop_group,
    wait_for_nothing_under,
)

from .helpers import Visitor

LEADER = "leader@northfield.starmat.example"  # a role that signs in with a second factor
PASSWORD = "star-demo-pass-2026"  # printed by load_demo with the logins


def wait_for_page(url: str, process: subprocess.Popen, log, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"`make run` stopped:\n{log.read_text()[-5000:]}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our server)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"no sign-in page after {timeout}s:\n{log.read_text()[-5000:]}")


def test_make_run_in_a_fresh_clone_serves_the_demo_a_leader_signs_in_and_ctrl_c_stops_all(
    browser, recorder
):
    with scratch_folder() as scratch:
        clone = clone_repository(scratch / "clone")
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log = scratch / "make-run.log"
        command = readme_commands()[0].split()
        assert command == ["make", "run"]
        with open(log, "w") as out:
            make_run = subprocess.Popen(
                [*command, f"PORT={port}"],
                cwd=clone,
                env=newcomer_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own terminal, as it were: Ctrl-C is a group signal
            )
        try:
            wait_for_page(f"{base_url}/accounts/login/", make_run, log)
            printed = log.read_text()
            assert "embedded PostgreSQL 16 at 127.0.0.1:" in printed
            assert LEADER in printed and PASSWORD in printed, "the logins are printed"
            assert "Subject:" not in printed, "the demo's emails are not printed"

            context = browser.new_context(
                base_url=base_url, viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(20_000)
            leader = Visitor(context=context, base_url=base_url, recorder=recorder, who="newcomer")
            leader.goto("/accounts/login/", slug="sign-in")
            leader.fill("username", LEADER)
            leader.fill("password", PASSWORD)
            leader.submit("Sign in", slug="after-password")
            assert leader.path.startswith("/accounts/two-factor/"), leader.page.url

            # As the README says: the code from demo_totp, in a second terminal with nothing set.
            totp = subprocess.run(
                [".venv/bin/python", "manage.py", "demo_totp", LEADER],
                cwd=clone,
                env=newcomer_env(),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert totp.returncode == 0, totp.stderr
            leader.fill("otp_token", CODE.search(totp.stdout).group(1))
            leader.submit("Verify", slug="home")

            assert leader.path == "/", leader.page.url
            assert leader.page.get_by_role("heading", level=1).inner_text() == "Welcome, Lee"
            menu = leader.page.get_by_role("button", name="Lee Leader (Northfield)")
            assert menu.count() == 1, "the header names who is signed in"
            context.close()
        finally:
            stop_group(make_run, signal.SIGINT, timeout=90)  # Ctrl-C
        left = wait_for_nothing_under(scratch)
        assert not left, f"left running after Ctrl-C: {left}"
        assert not (clone / "var" / "postgres" / "postmaster.pid").exists()
        assert (clone / "var" / "postgres" / "PG_VERSION").exists(), "the data is kept in var/"
