"""Issue 17 in Chromium: the office starts the consent round; a carer opens the emailed link on
a phone, confirms the date of birth and answers; the teacher's check for that child changes at
once; the carer withdraws and the takedown task appears for the post's owner."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from channels.models import OfficialAccount
from consents.models import Student
from consents.selectors import current_school_year
from notifications.models import Notification

from .test_channels import sign_in
from .test_every_page import AXE_RUN, AXE_SOURCE, AXE_TAGS, OVERFLOW

OFFICE = "office@northfield.starmat.example"
PHONE = {"width": 360, "height": 740}


def teacher_check(teacher, account, student, slug: str) -> bool:
    teacher.goto(f"/consents/check/?account={account.pk}&form={student.form}", slug=slug)
    teacher.page.locator(f"#student-{student.pk}").check()
    teacher.submit("Check consent", slug=f"{slug}-answer")
    return teacher.page.locator("#check-allowed").is_visible()


def phone_page_is_sound(carer, where: str) -> None:
    assert carer.page.evaluate(OVERFLOW) is None, f"{where} scrolls sideways on a phone"
    violations = carer.page.evaluate(AXE_RUN, AXE_TAGS)
    assert not violations, (where, violations)


def test_carer_answers_on_a_phone_and_withdraws(new_visitor):
    call_command("load_demo", stdout=StringIO())
    account = OfficialAccount.objects.filter(
        school__name__startswith="Northfield", status="active"
    ).first()
    # A child without a decision this year (the demo leaves every seventh one without).
    child = Student.objects.get(school=account.school, mis_id=f"{account.school.urn}0006")
    carer_record = child.carer_links.first().carer

    teacher = new_visitor("teacher")
    sign_in(teacher, account.owner.email)
    assert not teacher_check(teacher, account, child, "check-before")

    office = new_visitor("office")
    sign_in(office, OFFICE)
    office.goto("consents:student_list", slug="consent-page")
    office.follow("Consent round", slug="round-start")
    ends = min(
        timezone.localdate() + datetime.timedelta(days=14),
        datetime.date(current_school_year() + 1, 8, 31),
    )
    office.fill("ends_on", ends.strftime("%d/%m/%Y"))
    office.submit("Start the round and send the emails", slug="round-started")
    assert "The round has started" in office.text()
    assert "Progress per class" in office.text()

    email = Notification.objects.get(kind="consents.round_link", to_email=carer_record.email)
    carer = new_visitor("carer")
    carer.page.set_viewport_size(PHONE)
    carer.context.add_init_script(AXE_SOURCE)
    carer.goto(email.link, slug="carer-confirm")
    assert child.given_name not in carer.text()
    phone_page_is_sound(carer, "the date-of-birth page")
    carer.fill("date_of_birth", "1/1/2000")
    carer.submit("Continue", slug="carer-wrong-dob")
    assert "does not match" in carer.text() and child.given_name not in carer.text()
    carer.fill("date_of_birth", child.date_of_birth.strftime("%d/%m/%Y"))
    carer.submit("Continue", slug="carer-answer-form")
    assert child.given_name in carer.text() and "wording 2026.1" in carer.text()
    phone_page_is_sound(carer, "the answer page")
    for radio in carer.page.locator('input[type="radio"][value="yes"]').all():
        radio.check()
    carer.page.locator(f'input[name="c{child.pk}_naming"][value="first_name"]').check()
    carer.submit("Save my answer", slug="carer-saved")
    assert "your answer is saved" in carer.text()

    # The teacher's check changes at once, and the post is recorded.
    assert teacher_check(teacher, account, child, "check-after")
    teacher.fill("post_url", "https://www.example.org/posts/round-day")
    teacher.fill("published_on", timezone.localdate().isoformat())
    teacher.submit("Record the post", slug="recorded")

    # The carer withdraws with the same link: the takedown appears for the owner.
    carer.goto(email.link, slug="carer-again")
    carer.submit("Withdraw all consent", slug="carer-withdrawn")
    assert "You have withdrawn consent" in carer.text()
    teacher.goto("consents:takedown_list", slug="takedowns")
    assert "round-day" in teacher.page.locator("#takedowns").inner_text()
    assert not teacher_check(teacher, account, child, "check-withdrawn")
    office.goto(office.path, slug="progress")
    assert "Answered" in office.page.locator("#round-progress").inner_text()
