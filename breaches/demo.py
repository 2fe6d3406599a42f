"""Demo breach reports: a friend request from a student (Northfield), a report about a
headteacher (Riverside, reaches trust HR), a closed case and a declaration. Safe to re-run."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import BreachCase, Declaration
from .services import (
    breach_report,
    case_acknowledge,
    case_close,
    case_decide_outcome,
    declaration_create,
)


def load(ctx) -> None:
    ctx.hints.append(
        "Breaches: Northfield's headteacher and safeguarding lead have a friend-request report "
        "(5.12); a report about Riverside's headteacher went to trust HR (hr@starmat.example); "
        "a Northfield report names an official account: its headteacher starts the password "
        "rotation and a review from the case (its owner is told nothing of the report)."
    )
    if BreachCase.objects.exists():
        return
    now = timezone.now()
    north, river = ctx.schools["northfield"], ctx.schools["riverside"]
    breach_report(
        actor=ctx.people["northfield.teacher"],
        school=north,
        category="student_contact",
        seen_at=now - timedelta(hours=3),
        platform="Instagram",
        description="A Year 6 student sent a follow request to my personal account. I declined it.",
    )
    breach_report(
        actor=ctx.people["riverside.leader"],
        school=river,
        category="reputation",
        seen_at=now - timedelta(days=1),
        subject=ctx.people["riverside.head"],
        description="A post on a personal account criticised a named parent.",
    )
    closed = breach_report(
        actor=ctx.people["oakwood.staff"],
        school=ctx.schools["oakwood"],
        category="personal_use",
        seen_at=now - timedelta(days=20),
        subject=ctx.people["oakwood.teacher"],
        description="Personal social media use during lessons.",
    )
    _case_naming_an_account(ctx, now)
    head = ctx.people["oakwood.head"]
    case_acknowledge(actor=head, case=closed)
    case_decide_outcome(
        actor=head,
        case=closed,
        outcome="informal_advice",
        summary="Reminded of 5.9: personal use only at lunch and outside hours.",
    )
    case_close(actor=head, case=closed)
    if not Declaration.objects.exists():
        declaration_create(
            actor=ctx.people["northfield.staff"],
            school=north,
            site="Personal blog",
            link="https://sam-staff.example.org",
            disclaimer_present=True,
        )


def _case_naming_an_account(ctx, now) -> None:
    """7.3 with 4.5c (issues 14, 15.4): a report about an account's owner naming the account;
    nothing happens to the account until the headteacher acts on the case page."""
    from channels.models import OfficialAccount

    north = ctx.schools["northfield"]
    account = (
        OfficialAccount.objects.filter(school=north, status="active", owner__isnull=False)
        .order_by("pk")
        .first()
    )
    if account is None:
        return
    reporter = ctx.people["northfield.leader"]
    breach_report(
        actor=reporter,
        school=north,
        category="reputation",
        seen_at=now - timedelta(hours=5),
        platform=account.platform.name,
        subject=account.owner if account.owner_id != reporter.pk else None,
        account=account,
        description="A post on the official account read like a personal remark about a parent.",
    )
