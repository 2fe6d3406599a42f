"""Issue 18, WCAG 2.2.1 (timing adjustable), in Chromium with the page's clock under the test's
control: revealed login details warn before they hide and can be kept on screen; a session
about to end warns, and "Stay signed in" keeps it. Keyboard only."""

from __future__ import annotations

import re

from django.conf import settings

from tests.escrow.factories import PASSWORD, escrowed_account


def _context_signed_in_as(browser, live_server, user):
    from django.test import Client
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.stepup import STEP_UP_SESSION_KEY

    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test authenticator", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[STEP_UP_SESSION_KEY] = timezone.now().timestamp()
    session.save()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_revealed_login_details_warn_and_can_be_kept_on_screen(browser, live_server, world):
    account = escrowed_account(world)
    context = _context_signed_in_as(browser, live_server, world.leader_a)
    page = context.new_page()
    page.clock.install()
    try:
        page.goto(f"/escrow/accounts/{account.pk}/retrieve/")
        page.locator('[name="reason"]').fill("The owner is off sick.")
        page.locator('[name="reason"]').press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # focus is on "Retrieve"
        revealed = page.locator("#revealed")
        live = page.locator("[data-auto-hide-panel] [data-live]")
        assert PASSWORD in revealed.inner_text()
        assert "shown for 60 seconds" in live.inner_text()

        page.clock.run_for(41_000)  # under 20 seconds left: warned, in the live region
        assert re.search(r"will be hidden in (19|20) seconds", live.inner_text()), live.inner_text()
        assert PASSWORD in revealed.inner_text()

        keep = page.get_by_role("button", name="Keep showing for 60 more seconds")
        keep.focus()
        page.keyboard.press("Enter")
        assert "60 seconds more" in live.inner_text()
        page.clock.run_for(50_000)  # 91 s after showing: still there, thanks to the press
        assert PASSWORD in revealed.inner_text()

        page.clock.run_for(11_000)
        assert PASSWORD not in revealed.inner_text()
        assert "Hidden again" in live.inner_text()
    finally:
        context.close()


def test_a_session_about_to_end_warns_and_the_person_stays_signed_in(browser, live_server, world):
    context = _context_signed_in_as(browser, live_server, world.teacher_a)
    page = context.new_page()
    page.clock.install()
    try:
        page.goto("/")
        dialog = page.locator("dialog[data-session-timeout]")
        assert not dialog.evaluate("d => d.open")
        page.clock.run_for(27 * 60_000)
        assert not dialog.evaluate("d => d.open")
        page.clock.run_for(61_000)  # 28 minutes idle: two minutes before the end
        assert dialog.evaluate("d => d.open")
        assert "You will be signed out in" in dialog.inner_text()
        # The dialog takes focus; "Stay signed in" is its first control.
        assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
        with page.expect_response("**/accounts/session/extend/") as extended:
            page.keyboard.press("Enter")
        assert extended.value.json()["extendable"] is True
        page.wait_for_function("() => !document.querySelector('dialog[data-session-timeout]').open")
        # Signed in still: the home page answers without a trip to the sign-in page.
        page.goto("/")
        assert page.url.rstrip("/") == live_server.url.rstrip("/")
    finally:
        context.close()
