"""The consent round's rules (issue 17): links, codes, the date-of-birth check, answers as
decision events, withdrawal with takedowns, one reminder per carer, bounces."""

from __future__ import annotations

import datetime

import pytest
from django.core import signing
from django.core.cache import cache

from audit.models import AuditEntry
from consents.models import (
    ConsentDecision,
    Medium,
    Naming,
    Publication,
    PublicationStudent,
    Purpose,
    RoundInvite,
    Takedown,
)
from consents.rounds import services, tokens
from consents.rounds.selectors import (
    LinkProblem,
    children_of,
    invite_for_code,
    invite_for_token,
    progress_by_class,
)
from consents.selectors import consent_verdicts
from consents.services import ALL_ITEMS
from notifications.emails import build_message
from notifications.models import Notification
from tests.channels.factories import make_account

from .round_helpers import DOB, ENDS, TODAY, family, link_of, start, token_of


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(TODAY)
    cache.clear()


def answer_all(invite, value: bool, naming=Naming.FIRST_NAME):
    children = children_of(invite)
    return services.carer_answer(
        invite=invite,
        answers={c.pk: (dict.fromkeys(ALL_ITEMS, value), naming) for c in children},
        children=children,
    )


def test_start_emails_each_carer_with_an_address_once_through_the_outbox(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    family(world.school_a)
    _, (carer,) = family(world.school_a, n_carers=1)
    family(world.school_a, email=False)
    family(world.school_b)  # another school: not in this round
    with django_capture_on_commit_callbacks(execute=True):
        rnd = start(world)
    rows = Notification.objects.filter(kind="consents.round_link")
    assert rows.count() == 2 and {r.recipient_id for r in rows} == {None}
    assert carer.email in {r.to_email for r in rows}
    assert RoundInvite.objects.filter(round=rnd).count() == 3
    assert len(mailoutbox) == 2 and "/consent/r/" in mailoutbox[0].body
    entry = AuditEntry.objects.get(action="consent.round_started")
    assert entry.data["emailed"] == 2
    # No audit entry carries a token or a link.
    for row in rows:
        assert token_of(row.link) not in str(list(AuditEntry.objects.values_list("data")))


def test_a_second_round_in_the_same_school_year_is_refused(world):
    family(world.school_a)
    start(world)
    with pytest.raises(services.RoundError):
        start(world)


def test_teacher_cannot_start_a_round(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.round_start(
            actor=world.teacher_a, school=world.school_a, ends_on=ENDS, wording=None
        )


def test_genuine_link_opens_its_invite(world):
    _, (carer,) = family(world.school_a)
    start(world)
    row = Notification.objects.get(to_email=carer.email)
    invite = invite_for_token(token_of(link_of(row)))
    assert invite.carer == carer


def test_tampered_link_is_refused_plainly(world):
    _, (carer,) = family(world.school_a)
    start(world)
    token = token_of(Notification.objects.get(to_email=carer.email).link)
    body, sig = token.rsplit(":", 1)
    for bad in (
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        "x" + token,
        body + ":" + sig[::-1],
    ):
        with pytest.raises(LinkProblem, match="not right"):
            invite_for_token(bad)


def test_token_signed_for_another_purpose_is_refused(world):
    _, (carer,) = family(world.school_a)
    start(world)
    invite = RoundInvite.objects.get(carer=carer)
    forged = signing.dumps([invite.pk, "guess"], salt="some.other.purpose")
    with pytest.raises(LinkProblem, match="not right"):
        invite_for_token(forged)
    # Signed rightly but with a secret the invite never held: refused too.
    with pytest.raises(LinkProblem, match="replaced"):
        invite_for_token(tokens.link_token(invite.pk, "guess"))


def test_link_expires_after_the_rounds_end(world, time_machine):
    _, (carer,) = family(world.school_a)
    start(world)
    token = token_of(Notification.objects.get(to_email=carer.email).link)
    time_machine.move_to(datetime.datetime(2026, 10, 30, 23, 0))
    assert invite_for_token(token).carer == carer  # the last day still works
    time_machine.move_to(datetime.datetime(2026, 10, 31, 8, 0))
    with pytest.raises(LinkProblem, match="expired on 30 October 2026"):
        invite_for_token(token)


def test_revoked_link_and_code_stop_at_once(world):
    _, (carer,) = family(world.school_a)
    rnd = start(world)
    token = token_of(Notification.objects.get(to_email=carer.email).link)
    invite = RoundInvite.objects.get(carer=carer)
    services.invite_revoke(actor=world.office_a, invite=invite)
    with pytest.raises(LinkProblem, match="cancelled"):
        invite_for_token(token)
    assert AuditEntry.objects.filter(action="consent.round_link_revoked").exists()
    _, (paper,) = family(world.school_a, email=False)
    RoundInvite.objects.create(round=rnd, carer=paper)
    ((_, code),) = services.letters_issue(actor=world.office_a, rnd=rnd)
    services.invite_revoke(actor=world.office_a, invite=RoundInvite.objects.get(carer=paper))
    with pytest.raises(LinkProblem):
        invite_for_code(code)


def test_resend_replaces_the_old_link(world):
    _, (carer,) = family(world.school_a)
    start(world)
    old = token_of(Notification.objects.get(to_email=carer.email).link)
    services.invite_resend(actor=world.office_a, invite=RoundInvite.objects.get(carer=carer))
    new = token_of(Notification.objects.filter(to_email=carer.email).latest("pk").link)
    with pytest.raises(LinkProblem, match="replaced"):
        invite_for_token(old)
    assert invite_for_token(new).carer == carer


def test_wrong_dates_of_birth_lock_the_link_until_the_office_resends(world):
    student, (carer,) = family(world.school_a)
    start(world)
    invite = RoundInvite.objects.get(carer=carer)
    children = [student]
    for _ in range(5):
        assert not services.invite_confirm(
            invite=invite, children=children, date_of_birth=datetime.date(2015, 3, 28)
        )
    invite.refresh_from_db()
    assert invite.locked
    # Locked: even the right date is refused, and the link says so.
    assert not services.invite_confirm(invite=invite, children=children, date_of_birth=DOB)
    token = token_of(Notification.objects.get(to_email=carer.email).link)
    with pytest.raises(LinkProblem, match="locked"):
        invite_for_token(token)
    assert AuditEntry.objects.filter(action="consent.round_locked").count() == 1
    services.invite_resend(actor=world.office_a, invite=invite)
    invite.refresh_from_db()
    assert not invite.locked
    assert services.invite_confirm(invite=invite, children=children, date_of_birth=DOB)


def test_child_without_a_date_of_birth_cannot_be_confirmed(world):
    student, (carer,) = family(world.school_a, dob=None)
    start(world)
    invite = RoundInvite.objects.get(carer=carer)
    assert not services.invite_confirm(
        invite=invite, children=[student], date_of_birth=datetime.date(2015, 1, 1)
    )


def test_online_answer_is_a_decision_event_like_office_entry(world):
    student, (carer,) = family(world.school_a)
    rnd = start(world)
    invite = RoundInvite.objects.get(carer=carer)
    (decision,) = answer_all(invite, True, Naming.INITIALS)
    assert decision.method == ConsentDecision.Method.ONLINE
    assert decision.wording == rnd.wording and decision.carer == carer
    assert decision.entered_by is None and decision.given_on == datetime.date(2026, 10, 2)
    verdict = consent_verdicts([student], Purpose.SOCIAL_MEDIA, Medium.PHOTO)[0]
    assert verdict.allowed and verdict.naming == Naming.INITIALS
    invite.refresh_from_db()
    assert invite.answered_at is not None
    assert AuditEntry.objects.filter(action="consent.round_answered").exists()


def test_the_more_restrictive_carer_still_wins_online(world):
    student, (mum, dad) = family(world.school_a, n_carers=2)
    start(world)
    answer_all(RoundInvite.objects.get(carer=mum), True)
    answer_all(RoundInvite.objects.get(carer=dad), False)
    assert not consent_verdicts([student], Purpose.WEBSITE, Medium.VIDEO)[0].allowed


def test_withdrawal_online_opens_the_takedown_at_once(world):
    student, (carer,) = family(world.school_a)
    start(world)
    invite = RoundInvite.objects.get(carer=carer)
    answer_all(invite, True)
    account = make_account(world.school_a, requested_by=world.teacher_a, status="active")
    pub = Publication.objects.create(
        account=account,
        school=world.school_a,
        purpose=Purpose.SOCIAL_MEDIA,
        medium=Medium.PHOTO,
        post_url="https://example.org/p/1",
        published_on=datetime.date(2026, 10, 2),
        checked_by=world.teacher_a,
    )
    PublicationStudent.objects.create(publication=pub, student=student, naming="first_name")
    (decision,) = answer_all(invite, False)
    assert decision.is_withdrawal and decision.naming == Naming.NONE
    task = Takedown.objects.get(student=student)
    assert task.owner == account.owner and task.decision == decision


def test_carer_cannot_answer_for_another_child(world):
    _, (carer,) = family(world.school_a)
    other, _ = family(world.school_a)
    start(world)
    invite = RoundInvite.objects.get(carer=carer)
    with pytest.raises(services.RoundError):
        services.carer_answer(
            invite=invite,
            answers={other.pk: (dict.fromkeys(ALL_ITEMS, True), "initials")},
            children=children_of(invite),
        )


def test_one_reminder_per_carer_per_round(world):
    _, (waiting,) = family(world.school_a)
    _, (answered,) = family(world.school_a)
    family(world.school_a, email=False)
    rnd = start(world)
    answer_all(RoundInvite.objects.get(carer=answered), True)
    assert services.round_remind(actor=world.office_a, rnd=rnd) == 1
    assert services.round_remind(actor=world.office_a, rnd=rnd) == 0
    reminders = Notification.objects.filter(kind="consents.round_reminder")
    assert [r.to_email for r in reminders] == [waiting.email]
    # The reminder's link is the live one; the first email's no longer is.
    assert invite_for_token(token_of(reminders[0].link)).carer == waiting
    # The reminder is the first email saying the answer is still needed, with the live link.
    message = build_message(reminders[0])
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "still needs your answer" in body and "asks for your answer" not in body
        assert reminders[0].link in body


def test_letter_code_opens_the_page_typed_loosely(world):
    _, (carer,) = family(world.school_a, email=False)
    rnd = start(world)
    ((invite, code),) = services.letters_issue(actor=world.office_a, rnd=rnd)
    assert invite.carer == carer and len(code) == 11
    assert invite_for_code(code.lower().replace("-", " ")).carer == carer
    with pytest.raises(LinkProblem):
        invite_for_code("AAAAA-AAAAA")
    with pytest.raises(LinkProblem, match="exactly as it is printed"):
        invite_for_code("short")
    path = services.invite_open_by_code(invite=invite)
    assert invite_for_token(token_of(path)).carer == carer
    # Printing again gives a new code: the first letter's stops working.
    services.letters_issue(actor=world.office_a, rnd=rnd)
    with pytest.raises(LinkProblem):
        invite_for_code(code)


def test_bounced_email_shows_in_the_class_progress(world):
    family(world.school_a, form="7A")
    _, (bouncing,) = family(world.school_a, form="7B")
    rnd = start(world)
    Notification.objects.filter(to_email=bouncing.email).update(email_status="failed")
    rows = {r.form: r for r in progress_by_class(rnd)}
    assert (rows["7A"].students, rows["7A"].answered, rows["7A"].bounced) == (1, 0, 0)
    assert (rows["7B"].students, rows["7B"].answered, rows["7B"].bounced) == (1, 0, 1)
    answer_all(RoundInvite.objects.get(carer=bouncing), True)
    rows = {r.form: r for r in progress_by_class(rnd)}
    assert (rows["7B"].answered, rows["7B"].bounced, rows["7B"].not_answered) == (1, 0, 0)
