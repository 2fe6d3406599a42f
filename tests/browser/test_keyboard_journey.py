"""Issue 18: a teacher with a keyboard only (no mouse, no clicks) signs in, reports a breach and
runs the check before publishing, and meets the error summary on the way: it takes focus, its
title says "Error:", and each link takes the keyboard to the field to fix. Every element the
keyboard lands on shows where the focus is (WCAG 2.4.7)."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from breaches.models import BreachCase
from consents.models import Student

from .helpers import replay_data_migrations
from .screenshots import save_readme_screenshot

TEACHER = "teacher@northfield.starmat.example"

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute("name") || "",
        text: (el.innerText || el.value || "").trim().slice(0, 80),
        summary: el.hasAttribute("data-error-summary"),
        ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
            || style.boxShadow !== "none",
    };
}"""


class Keyboard:
    """Moves through a page with Tab and acts with Enter, Space and typing only."""

    def __init__(self, page):
        self.page = page

    def focused(self) -> dict | None:
        return self.page.evaluate(FOCUSED)

    def tab_to(self, matches, what: str, limit: int = 80) -> dict:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            here = self.focused()
            if here and matches(here):
                assert here["ring"], f"no visible focus on {here}"
                return here
        raise AssertionError(f"Tab never reached {what}")

    def tab_to_name(self, name: str) -> dict:
        return self.tab_to(lambda f: f["name"] == name, f"the field {name!r}")

    def tab_to_text(self, text: str) -> dict:
        return self.tab_to(lambda f: f["text"] == text, repr(text))

    def enter_and_wait(self) -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.page.wait_for_load_state("load")


def assert_error_summary_has_focus(page, *messages: str) -> None:
    assert page.title().startswith("Error: "), page.title()
    summary = page.locator("[data-error-summary]")
    assert summary.evaluate("el => el === document.activeElement"), "summary has no focus"
    text = summary.inner_text()
    for message in messages:
        assert message in text, text


def test_teacher_reports_a_breach_and_checks_consent_with_the_keyboard_only(browser, live_server):
    replay_data_migrations()
    call_command("load_demo", stdout=StringIO())
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    keys = Keyboard(page)
    try:
        # Sign in.
        page.goto("/accounts/login/")
        keys.tab_to_name("username")
        page.keyboard.type(TEACHER)
        keys.tab_to_name("password")
        page.keyboard.type(DEMO_PASSWORD)
        keys.enter_and_wait()
        assert page.url.endswith("/"), page.url

        # Home: the teacher's main actions come first.
        keys.tab_to_text("Report a breach")
        keys.enter_and_wait()
        assert "/breaches/report/" in page.url

        # Send the report empty: the error summary takes focus and says what to do.
        keys.tab_to_text("Send report")
        keys.enter_and_wait()
        assert_error_summary_has_focus(
            page,
            "Choose the school",
            "Choose the kind of breach",
            "Enter when you saw it",
            "Describe what happened",
        )
        # Its first link takes the keyboard to the field.
        keys.tab_to(lambda f: f["tag"] == "a" and "the school" in f["text"], "the link")
        page.keyboard.press("Enter")
        assert keys.focused()["name"] == "school"  # this teacher works at two schools
        page.keyboard.press("ArrowDown")  # the first school
        keys.tab_to_name("category")
        page.keyboard.press("ArrowDown")  # the first kind of breach
        keys.tab_to_name("seen_at")
        page.keyboard.type("20/11/2026 09:30")  # as the hint says
        keys.tab_to_name("description")
        page.keyboard.type("Keyboard journey: a post showed a pupil's face without consent.")
        keys.tab_to_text("Send report")
        keys.enter_and_wait()
        assert not page.title().startswith("Error"), page.locator("main").inner_text()
        case = BreachCase.objects.get(description__startswith="Keyboard journey")
        assert case.seen_at.day == 20 and case.seen_at.month == 11

        # Back home, then the check before publishing.
        page.keyboard.press("Tab")  # the skip link, first on every page
        keys.tab_to_text("Home")
        keys.enter_and_wait()
        keys.tab_to_text("Check before publishing")
        keys.enter_and_wait()
        assert "/consents/check/" in page.url
        student = Student.objects.filter(school__urn="140001", left_on=None).order_by("pk")[0]
        keys.tab_to_name("q")
        page.keyboard.type(student.family_name)
        keys.enter_and_wait()  # Find

        # Check without ticking anyone: the summary says to tick the students.
        keys.tab_to_text("Check consent")
        keys.enter_and_wait()
        assert_error_summary_has_focus(page, "Tick each student who appears")
        keys.tab_to(lambda f: f["tag"] == "a" and "Tick each" in f["text"], "the link")
        page.keyboard.press("Enter")
        first = keys.focused()
        assert first["name"] == "students", first
        page.keyboard.press("Space")
        keys.tab_to_text("Check consent")
        keys.enter_and_wait()
        assert not page.title().startswith("Error"), page.title()
        answer = page.locator("#check-blocked, #check-allowed").inner_text()
        assert re.search(r"Do not publish|Every student may appear", answer), answer
        save_readme_screenshot(page, "check-before-publishing")
        assert not errors, errors
    finally:
        context.close()
