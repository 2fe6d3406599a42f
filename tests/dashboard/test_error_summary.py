"""Every form's errors come with the error summary (issue 18; STYLE.md "Forms people can fix"):
the title starts "Error:", a summary at the top links each message to its field, and the
messages of the main forms say what to do rather than "This field is required"."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.channels.factories import make_account
from tests.consents.factories import student_with_carers


class _Page(HTMLParser):
    """Ids and input names on the page; the summary's links and their texts."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.names: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self._in_summary = 0
        self._link: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden" and "name" in a:
            self.names.add(a["name"])
        if "data-error-summary" in a:
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self._link = {"href": a.get("href", ""), "field": a.get("data-field", ""), "text": ""}

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link["href"], self._link["field"], self._link["text"].strip()))
            self._link = None
        if self._in_summary and tag == "div":
            self._in_summary -= 1

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data


# A browser always sends the CSRF token, so an "empty" form is never an empty POST (views
# build their forms with `request.POST or None`).
EMPTY = {"csrfmiddlewaretoken": "x"}


def assert_error_summary(response, *expected: str) -> list[str]:
    assert response.status_code in (200, 400), response.status_code
    body = response.content.decode()
    assert re.search(r"<title>\s*Error: ", body), "the title does not start with Error:"
    page = _Page()
    page.feed(body)
    assert page.links, "no error summary with links"
    for href, field, text in page.links:
        # Each link leads somewhere: the field's id, or (for a hand-drawn field) its name.
        assert href.lstrip("#") in page.ids or field in page.names, (href, field, text)
        assert "This field is required" not in text, text
    texts = [text for _, _, text in page.links]
    for phrase in expected:
        assert any(phrase in t for t in texts), (phrase, texts)
    return texts


def test_empty_breach_report_says_what_to_do_for_each_field(world, client_for):
    response = client_for("teacher_a").post(
        reverse("breaches:report"), {**EMPTY, "school": world.school_a.pk}
    )
    texts = assert_error_summary(
        response,
        "Choose the kind of breach",
        "Enter when you saw it, for example 3/12/2026 14:30",
        "Describe what happened",
    )
    assert len(texts) == 3


def test_breach_report_seen_in_the_future_says_to_enter_a_past_time(world, client_for):
    response = client_for("teacher_a").post(
        reverse("breaches:report"),
        {
            "school": world.school_a.pk,
            "category": "reputation",
            "seen_at": "2099-01-01T10:00",
            "description": "x",
        },
    )
    assert_error_summary(response, "Enter a time that has already happened")


def test_empty_check_before_publishing_links_to_the_hand_drawn_fields(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    student, _ = student_with_carers(world.school_a)
    client = client_for("teacher_a")
    url = reverse("consents:check") + f"?account={account.pk}&q={student.family_name}"
    response = client.post(url, {**EMPTY, "account": account.pk})
    assert_error_summary(response, "Tick each student who appears")


def test_empty_account_registration_lists_every_problem(world, client_for):
    response = client_for("teacher_a").post(reverse("channels:account_create"), EMPTY)
    assert_error_summary(
        response,
        "Choose the platform",
        "Enter the account's name on the platform",
        "Choose at least one deputy",
    )


def test_empty_deposit_asks_for_the_login_details(world, client_for):
    account = make_account(world.school_a, requested_by=world.teacher_a, status="approved")
    url = reverse("escrow:deposit", kwargs={"pk": account.pk})
    response = client_for("teacher_a").post(url, EMPTY)
    assert_error_summary(
        response, "Enter the username or email", "Enter the account's current password"
    )


def test_empty_consent_decision_says_what_to_enter(world, client_for):
    student, _ = student_with_carers(world.school_a)
    url = reverse("consents:decision_create", args=[student.pk])
    response = client_for("office_a").post(url, EMPTY)
    assert_error_summary(
        response, "Choose the parent or carer", "Enter the date the carer gave their answer"
    )


def test_empty_invitation_asks_for_name_and_email(world, client_for):
    response = client_for("trust_admin").post(reverse("accounts:person_invite"), EMPTY)
    assert_error_summary(response, "Enter the person's full name", "Enter their work email")


@pytest.mark.parametrize("url_name", ["breaches:report", "channels:account_create"])
def test_a_form_shown_without_errors_has_no_summary(world, client_for, url_name):
    body = client_for("teacher_a").get(reverse(url_name)).content.decode()
    assert "data-error-summary" not in body
    assert not re.search(r"<title>\s*Error:", body)
