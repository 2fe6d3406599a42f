"""Issue 7 in Chromium: a friend request from a student reaches the safeguarding lead and the
headteacher while another school's headteacher gets 404; a report about the headteacher
reaches trust HR and not the head; an unacknowledged report escalates; a case is closed."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from breaches.models import BreachCase
from breaches.services import escalate_unacknowledged

from .test_channels import sign_in


def report(
    visitor, *, category: str, subject: str | None = None, students: bool = False, slug: str
):
    visitor.goto("breaches:report", slug=f"{slug}-form")
    visitor.page.locator('[name="category"]').select_option(value=category)
    visitor.fill("seen_at", "2026-11-20T09:30")
    visitor.fill("description", f"Browser test report: {slug}.")
    if subject:
        visitor.page.locator('[name="subject"]').select_option(label=subject)
    if students:
        visitor.page.locator('[name="students_involved"]').check()
    visitor.submit("Send report", slug=slug)
    return BreachCase.objects.filter(description=f"Browser test report: {slug}.").get()


def test_friend_request_reaches_dsl_and_head_not_another_school(new_visitor):
    call_command("load_demo", stdout=StringIO())
    teacher = new_visitor("teacher")
    sign_in(teacher, "teacher@riverside.starmat.example")
    case = report(teacher, category="student_contact", slug="friend-request")
    assert "Reported" in teacher.text()

    for who in ("dsl", "head"):
        person = new_visitor(who)
        sign_in(person, f"{who}@riverside.starmat.example")
        person.goto("breaches:case_detail", case.pk, slug=f"{who}-opens")
        assert "Friend request or contact from a student" in person.text()

    other = new_visitor("other-head")
    sign_in(other, "head@oakwood.starmat.example")
    other.goto("breaches:case_detail", case.pk, slug="other-school-404", status=404)


def test_report_about_head_reaches_trust_hr_and_escalation_and_closing(new_visitor):
    call_command("load_demo", stdout=StringIO())
    leader = new_visitor("leader")
    sign_in(leader, "leader@oakwood.starmat.example")
    case = report(leader, category="reputation", subject="Helen Head (Oakwood)", slug="about-head")

    head = new_visitor("head")
    sign_in(head, "head@oakwood.starmat.example")
    head.goto("breaches:case_detail", case.pk, slug="head-404", status=404)

    # Nobody acknowledges it: two school days later it escalates (a frozen "now").
    later = timezone.now() + datetime.timedelta(days=5)
    assert escalate_unacknowledged(now=later) >= 1

    hr = new_visitor("hr")
    sign_in(hr, "hr@starmat.example")
    hr.goto("breaches:case_detail", case.pk, slug="hr-opens")
    assert "Escalated to trust HR" in hr.text()
    hr.submit("Acknowledge", slug="acknowledged")
    hr.page.locator('[name="outcome"]').select_option(value="nfa")
    hr.fill("summary", "The post did not identify anyone; advice given informally.")
    hr.submit("Record outcome", slug="outcome")
    hr.submit("Close the case", slug="closed")
    assert hr.page.locator("#case-status").inner_text() == "Closed"
