"""The check before publishing and the record of what was published (4.5e, 4.5f).

The system decides, not a spreadsheet: a post with any student who may not appear is blocked,
and the page says what to do without revealing another family's reasons.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import require
from accounts.models import User
from audit.services import record
from channels.models import OfficialAccount
from notifications.services import notify

from .errors import ConsentError
from .models import Medium, Publication, PublicationStudent, Purpose, Student, Takedown
from .selectors import Verdict, consent_verdicts, school_year_of


def purpose_for_account(account) -> str:
    """What consent an official account needs: every official account is social media (4.1);
    a website or blog registered as an account needs website consent."""
    name = account.platform.name.lower()
    return Purpose.WEBSITE if ("blog" in name or "website" in name) else Purpose.SOCIAL_MEDIA


def publication_check(
    *, actor: User, account, medium: str, students: list[Student]
) -> list[Verdict]:
    """Verdicts per student for this account and medium; audited (who checked what)."""
    if medium not in Medium.values:
        raise ConsentError("Choose photo or video.")
    if any(s.school_id != account.school_id for s in students):
        raise ConsentError("Only students of the account's school can be checked.")
    verdicts = consent_verdicts(students, purpose_for_account(account), medium)
    record(
        actor,
        "consent.checked",
        account,
        account.school_id,
        {
            "medium": medium,
            "students": len(students),
            "blocked": sum(1 for v in verdicts if not v.allowed),
        },
    )
    return verdicts


def publication_record(
    *,
    actor: User,
    account: OfficialAccount,
    medium: str,
    students: list[Student],
    post_url: str,
    published_on: date,
) -> Publication:
    """Record a post after a passing check (4.5e). The check runs again inside the transaction,
    with the students' rows locked: a decision recorded meanwhile (`consent_record` locks the
    same row) either came first and blocks the post, or waits and then finds the post and opens
    its takedown."""
    if account.status != OfficialAccount.Status.ACTIVE:
        raise ConsentError("Only an active official account can publish.")
    if medium not in Medium.values:
        raise ConsentError("Choose photo or video.")
    if not students:
        raise ConsentError("Choose the students who appear.")
    if any(s.school_id != account.school_id for s in students):
        raise ConsentError("Only students of the account's school can appear in its posts.")
    purpose = purpose_for_account(account)
    with transaction.atomic():
        locked = list(
            Student.objects.select_for_update()
            .filter(pk__in=[s.pk for s in students], school_id=account.school_id)
            .order_by("pk")
        )
        if len(locked) != len({s.pk for s in students}):
            raise ConsentError("Only students of the account's school can appear in its posts.")
        verdicts = consent_verdicts(locked, purpose, medium, school_year_of(published_on))
        if any(not v.allowed for v in verdicts):
            raise ConsentError(
                "At least one student may not appear in this post. Nothing was recorded."
            )
        publication = Publication.objects.create(
            account=account,
            school_id=account.school_id,
            purpose=purpose,
            medium=medium,
            post_url=post_url,
            published_on=published_on,
            checked_by=actor,
        )
        PublicationStudent.objects.bulk_create(
            PublicationStudent(publication=publication, student=v.student, naming=v.naming)
            for v in verdicts
        )
        record(
            actor,
            "consent.publication_recorded",
            publication,
            account.school_id,
            {"account_id": account.pk, "medium": medium, "students": len(students)},
        )
    return publication


def open_takedowns(*, actor: User, student, decision, narrowed: list[str]) -> None:
    """Every recorded post that the new decision no longer allows becomes a takedown task for
    the account's owner, notified at once (and reminded until done)."""
    year = decision.school_year
    keys = {tuple(k.split("/")) for k in narrowed}
    appearances = PublicationStudent.objects.filter(
        student=student, publication__published_on__gte=date(year, 9, 1)
    ).select_related("publication__account__owner")
    for appearance in appearances:
        pub = appearance.publication
        if (pub.purpose, pub.medium) not in keys:
            continue
        if Takedown.objects.filter(
            publication=pub, student=student, status=Takedown.Status.OPEN
        ).exists():
            continue
        owner = pub.account.owner
        task = Takedown.objects.create(
            publication=pub,
            student=student,
            school_id=pub.school_id,
            owner=owner,
            decision=decision,
        )
        record(actor, "consent.takedown_opened", task, pub.school_id, {"publication_id": pub.pk})
        notify(
            [owner],
            "consents.takedown",
            context={"account": str(pub.account), "post_url": pub.post_url},
            link=reverse("consents:takedown_list"),
            school=pub.school_id,
            dedupe_key=f"takedown:{task.pk}",
        )


def takedown_done(*, actor: User, takedown: Takedown) -> Takedown:
    require(
        actor.pk == takedown.owner_id or _is_leader(actor, takedown.school_id),
        "Only the account's owner or a leader can mark this taken down.",
    )
    if takedown.status == Takedown.Status.DONE:
        return takedown
    with transaction.atomic():
        takedown.status = Takedown.Status.DONE
        takedown.done_at = timezone.now()
        takedown.done_by = actor
        takedown.save(update_fields=["status", "done_at", "done_by"])
        record(
            actor,
            "consent.takedown_done",
            takedown,
            takedown.school_id,
            {"publication_id": takedown.publication_id},
        )
    return takedown


def _is_leader(user, school_id: int) -> bool:
    from accounts.roles import Perm
    from accounts.selectors import user_has_school_perm

    return user_has_school_perm(user, Perm.APPROVE_CHANNEL, school_id)
