"""State changes of breach cases (section 7). Each service checks its rule, runs in one
transaction, writes the chronology, the audit entry and the notification. Audit data and
notifications never carry what the report says: only ids, categories and states."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.access import require
from accounts.models import User
from accounts.roles import Perm, TrustRoleKind
from accounts.selectors import (
    has_trust_role,
    staff_of_school,
    trust_role_holders,
    user_has_school_perm,
)
from audit.services import record
from notifications.services import notify
from portal.errors import ServiceError
from portal.schooldays import add_school_days

from . import evidence as evidence_files
from .models import BreachCase, CaseEntry, Category, Declaration, Evidence, Outcome
from .routing import recipients
from .selectors import can_handle, cases_due_for_disposal, retention_until
from .signals import case_action_recorded, case_reported

Status = BreachCase.Status
OPEN_STATES = [Status.REPORTED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.OUTCOME_DECIDED]


class BreachError(ServiceError):
    """A rule of breach handling was broken; the message is for the user."""


def _link(case: BreachCase) -> str:
    return reverse("breaches:case_detail", args=[case.pk])


def _entry(case: BreachCase, author, kind: str, text: str = "", action: str = "") -> CaseEntry:
    BreachCase.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())
    return CaseEntry.objects.create(case=case, author=author, kind=kind, text=text, action=action)


def _grant(user, case: BreachCase) -> None:
    assign_perm("breaches.handle_case", user, case)


def breach_report(
    *,
    actor: User,
    school,
    category: str,
    seen_at: datetime,
    description: str,
    platform: str = "",
    link: str = "",
    subject=None,
    students_involved: bool = False,
    account=None,
    comment_report=None,
    files: list[bytes] = (),
) -> BreachCase:
    """A member of staff reports an apparent breach (7.3); it reaches the right people."""
    require(user_has_school_perm(actor, Perm.STAFF, school), "Only staff of the school can report.")
    if category not in Category.values:
        raise BreachError("Choose what kind of breach this is.")
    if subject is not None and not staff_of_school(school).filter(pk=subject.pk).exists():
        raise BreachError("The member of staff concerned must work at the school.")
    if account is not None and account.school_id != school.pk:
        raise BreachError("The official account must belong to the school.")
    cleaned = [evidence_files.clean(data) for data in files]
    with transaction.atomic():
        case = BreachCase.objects.create(
            school=school,
            reporter=actor,
            category=category,
            seen_at=seen_at,
            description=description,
            platform=platform,
            link=link,
            subject=subject,
            students_involved=students_involved or category == Category.STUDENT_CONTACT,
            account=account,
            comment_report=comment_report,
        )
        for data, content_type, ext, digest in cleaned:
            item = Evidence(
                case=case,
                extension=ext,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                uploaded_by=actor,
            )
            item.file.save(f"evidence{ext}", ContentFile(data), save=False)
            item.save()
        people = recipients(case)
        for person in people:
            _grant(person, case)
        _entry(
            case,
            actor,
            CaseEntry.Kind.ROUTING,
            "Routed to: " + ", ".join(p.get_full_name() for p in people),
        )
        record(
            actor,
            "breach.reported",
            case,
            school,
            {
                "category": category,
                "students_involved": case.students_involved,
                "routed_to": [p.pk for p in people],
                "evidence_files": len(cleaned),
            },
        )
        notify(
            people,
            "breaches.reported",
            context={"reference": case.reference},
            link=_link(case),
            school=school,
        )
        notify(
            [actor],
            "breaches.receipt",
            context={"reference": case.reference},
            link=reverse("breaches:my_report", args=[case.pk]),
            school=school,
        )
        case_reported.send(sender=BreachCase, case=case)
    return case


def _require_handler(actor, case: BreachCase) -> None:
    require(can_handle(actor, case), "Only the people this case was routed to can handle it.")


def _move(
    actor, case: BreachCase, to: str, allowed_from: list[str], action: str, **fields
) -> BreachCase:
    _require_handler(actor, case)
    with transaction.atomic():
        # Lock the row and read its state now: two handlers (or the escalation task) must not
        # both move the same case.
        case.status = (
            BreachCase.objects.select_for_update().values_list("status", flat=True).get(pk=case.pk)
        )
        if case.status not in allowed_from:
            raise BreachError(
                f"A case that is {case.get_status_display().lower()} cannot be moved to that state."
            )
        before = case.status
        case.status = to
        for k, v in fields.items():
            setattr(case, k, v)
        case.save(update_fields=["status", *fields])
        _entry(case, actor, CaseEntry.Kind.STATUS, f"{Status(before).label} → {Status(to).label}")
        record(actor, f"breach.{action}", case, case.school_id, {"from": before, "to": to})
        watchers = [u for u in {case.owner, *recipients(case)} if u and u.pk != actor.pk]
        notify(
            watchers,
            "breaches.updated",
            context={"reference": case.reference},
            link=_link(case),
            school=case.school_id,
        )
    return case


def case_acknowledge(*, actor: User, case: BreachCase) -> BreachCase:
    """The handler confirms the report was received (starts the clock of 7.3's 'immediately')."""
    return _move(
        actor,
        case,
        Status.ACKNOWLEDGED,
        [Status.REPORTED],
        "acknowledged",
        acknowledged_at=timezone.now(),
        owner=case.owner or actor,
    )


def case_investigate(*, actor: User, case: BreachCase) -> BreachCase:
    return _move(
        actor,
        case,
        Status.INVESTIGATING,
        [Status.ACKNOWLEDGED],
        "investigating",
        owner=case.owner or actor,
    )


def case_assign_owner(*, actor: User, case: BreachCase, owner) -> BreachCase:
    """Hand the case to another person who may see it (routed, or trust HR)."""
    _require_handler(actor, case)
    if owner.pk == case.subject_id:
        raise BreachError("A case can never be given to the person it is about.")
    if not (can_handle(owner, case) or has_trust_role(owner, TrustRoleKind.TRUST_HR)):
        raise BreachError("The new owner must be someone the case was routed to, or trust HR.")
    with transaction.atomic():
        case.owner = owner
        case.save(update_fields=["owner"])
        _grant(owner, case)
        _entry(case, actor, CaseEntry.Kind.NOTE, f"Case owner: {owner.get_full_name()}")
        record(actor, "breach.owner_assigned", case, case.school_id, {"owner_id": owner.pk})
        notify(
            [owner],
            "breaches.assigned",
            context={"reference": case.reference},
            link=_link(case),
            school=case.school_id,
        )
    return case


def case_add_note(*, actor: User, case: BreachCase, text: str) -> CaseEntry:
    _require_handler(actor, case)
    if not text.strip():
        raise BreachError("Write the note first.")
    if case.status == Status.CLOSED:
        raise BreachError("A closed case takes no more entries.")
    with transaction.atomic():
        entry = _entry(case, actor, CaseEntry.Kind.NOTE, text.strip())
        record(actor, "breach.note_added", case, case.school_id, {"entry_id": entry.pk})
    return entry


def case_record_action(*, actor: User, case: BreachCase, action: str, text: str = "") -> CaseEntry:
    """An action taken: content removed, account suspended, login details to be changed (which
    sets rotation required in the escrow), referral to the designated officer or police."""
    _require_handler(actor, case)
    if action not in CaseEntry.Action.values:
        raise BreachError("Choose the action taken.")
    if case.status == Status.CLOSED:
        raise BreachError("A closed case takes no more entries.")
    with transaction.atomic():
        entry = _entry(case, actor, CaseEntry.Kind.ACTION, text.strip(), action)
        record(
            actor,
            "breach.action_recorded",
            case,
            case.school_id,
            {"action": action, "entry_id": entry.pk},
        )
        case_action_recorded.send(sender=BreachCase, case=case, action=action, actor=actor)
    return entry


def case_decide_outcome(*, actor: User, case: BreachCase, outcome: str, summary: str) -> BreachCase:
    """7.4: the outcome, with a summary of the reasons."""
    if outcome not in Outcome.values:
        raise BreachError("Choose an outcome.")
    if not summary.strip():
        raise BreachError("An outcome needs a summary of the reasons.")
    case = _move(
        actor,
        case,
        Status.OUTCOME_DECIDED,
        [Status.ACKNOWLEDGED, Status.INVESTIGATING],
        "outcome_decided",
        outcome=outcome,
        outcome_summary=summary.strip(),
    )
    CaseEntry.objects.create(
        case=case,
        author=actor,
        kind=CaseEntry.Kind.DECISION,
        text=f"{Outcome(outcome).label}: {summary.strip()}",
    )
    return case


def case_close(*, actor: User, case: BreachCase) -> BreachCase:
    if not case.outcome or not case.outcome_summary:
        raise BreachError("A case is closed only with an outcome and a summary.")
    now = timezone.now()
    return _move(
        actor,
        case,
        Status.CLOSED,
        [Status.OUTCOME_DECIDED],
        "closed",
        closed_at=now,
        retention_until=retention_until(case.category, case.outcome, now.date()),
    )


def case_opened(*, actor: User, case: BreachCase) -> None:
    """Every opening of a case is audited: who viewed what, when."""
    record(actor, "breach.viewed", case, case.school_id, {})


def escalate_unacknowledged(now: datetime | None = None) -> int:
    """Reports not acknowledged within BREACH_ACK_SCHOOL_DAYS go to trust HR (once each)."""
    now = now or timezone.now()
    days = settings.BREACH_ACK_SCHOOL_DAYS
    escalated = 0
    for case in BreachCase.objects.filter(status=Status.REPORTED, escalated_at__isnull=True):
        due = add_school_days(timezone.localtime(case.created_at).date(), days)
        if timezone.localdate(now) < due:
            continue
        with transaction.atomic():
            if not BreachCase.objects.filter(pk=case.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            hr = [u for u in trust_role_holders(TrustRoleKind.TRUST_HR) if u.pk != case.subject_id]
            for person in hr:
                _grant(person, case)
            _entry(
                case,
                None,
                CaseEntry.Kind.ROUTING,
                f"Not acknowledged within {days} school days: escalated to trust HR.",
            )
            record(None, "breach.escalated", case, case.school_id, {"after_school_days": days})
            notify(
                hr,
                "breaches.escalated",
                context={"reference": case.reference},
                link=_link(case),
                school=case.school_id,
                dedupe_key=f"breach-escalated:{case.pk}",
            )
            escalated += 1
    return escalated


def remind_inactive(now: datetime | None = None) -> int:
    """Open cases without activity for BREACH_INACTIVE_SCHOOL_DAYS: the owner (or the routed
    people) are reminded, once per due date."""
    now = now or timezone.now()
    days = settings.BREACH_INACTIVE_SCHOOL_DAYS
    sent = 0
    for case in BreachCase.objects.filter(status__in=OPEN_STATES[1:]).select_related("owner"):
        due = add_school_days(timezone.localtime(case.last_activity_at).date(), days)
        if timezone.localdate(now) < due:
            continue
        people = [case.owner] if case.owner else recipients(case)
        with transaction.atomic():
            sent += len(
                notify(
                    people,
                    "breaches.inactive",
                    context={"reference": case.reference},
                    link=_link(case),
                    school=case.school_id,
                    dedupe_key=f"breach-inactive:{case.pk}:{due.isoformat()}",
                )
            )
    return sent


def case_dispose(*, actor: User, case: BreachCase) -> None:
    """Delete a closed case past its retention date, with its evidence files (audited)."""
    if not has_trust_role(actor, TrustRoleKind.TRUST_HR):
        raise BreachError("Only trust HR disposes of cases.")
    if (
        case.status != Status.CLOSED
        or not case.retention_until
        or case.retention_until > timezone.localdate()
    ):
        raise BreachError("Only closed cases past their retention date can be disposed of.")
    with transaction.atomic():
        record(
            actor,
            "breach.disposed",
            None,
            case.school_id,
            {
                "case": str(case.pk),
                "category": case.category,
                "outcome": case.outcome,
                "retention_until": case.retention_until.isoformat(),
            },
        )
        files = [e.file for e in case.evidence.all()]
        case.delete()
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def list_disposals(today: date | None = None) -> int:
    """Beat task: tell trust HR which cases are due for disposal (once per case)."""
    due = list(cases_due_for_disposal(today))
    if due:
        with transaction.atomic():
            notify(
                trust_role_holders(TrustRoleKind.TRUST_HR),
                "breaches.disposal_due",
                context={"count": len(due)},
                link=reverse("breaches:disposals"),
                dedupe_key=f"breach-disposals:{(today or timezone.localdate()).isoformat()}",
            )
    return len(due)


def declaration_create(
    *, actor: User, school, site: str, link: str, disclaimer_present: bool
) -> Declaration:
    """5.5: a member of staff tells the headteacher their personal site mentions their job."""
    require(user_has_school_perm(actor, Perm.STAFF, school), "Declare to a school you work at.")
    from accounts.roles import SchoolRole
    from accounts.selectors import holders_of_role

    with transaction.atomic():
        decl = Declaration.objects.create(
            user=actor, school=school, site=site, link=link, disclaimer_present=disclaimer_present
        )
        record(actor, "declaration.made", decl, school, {"disclaimer_present": disclaimer_present})
        notify(
            holders_of_role(school, SchoolRole.HEADTEACHER),
            "breaches.declaration",
            context={"site": site},
            link=reverse("breaches:declaration_list"),
            school=school,
        )
    return decl


def declaration_acknowledge(*, actor: User, declaration: Declaration) -> Declaration:
    require(
        user_has_school_perm(actor, Perm.HANDLE_BREACHES, declaration.school_id),
        "The headteacher acknowledges declarations.",
    )
    if declaration.acknowledged_at:
        return declaration
    with transaction.atomic():
        declaration.acknowledged_by = actor
        declaration.acknowledged_at = timezone.now()
        declaration.save(update_fields=["acknowledged_by", "acknowledged_at"])
        record(actor, "declaration.acknowledged", declaration, declaration.school_id, {})
        notify(
            [declaration.user],
            "breaches.declaration_acknowledged",
            context={"site": declaration.site},
            link=reverse("breaches:declaration_list"),
            school=declaration.school_id,
        )
    return declaration


def case_from_comment_report(*, actor: User, report) -> BreachCase:
    """4.5(h): a leader turns an inappropriate-comment report into a breach case. The case
    points at the report; the screenshot becomes evidence when it is a JPEG or PNG."""
    require(
        user_has_school_perm(actor, Perm.RECEIVE_COMMENT_REPORTS, report.school_id),
        "Only the school's leadership team opens cases from comment reports.",
    )
    existing = BreachCase.objects.filter(comment_report=report).first()
    if existing is not None:
        return existing
    files: list[bytes] = []
    note = ""
    if report.screenshot:
        with report.screenshot.open("rb") as fh:
            data = fh.read()
        try:
            evidence_files.clean(data)
            files.append(data)
        except evidence_files.EvidenceRefused as exc:
            # The screenshot stays on the comment report; the case says why it is not copied.
            note = f"\nThe screenshot is on the comment report only: {exc}"
    removed = "It has been removed." if report.was_removed else "It is not removed yet."
    description = (
        f"Inappropriate comment on {report.account}. {removed}\n{report.description}{note}"
    )
    return breach_report(
        actor=actor,
        school=report.school,
        category=Category.INAPPROPRIATE_COMMENT,
        seen_at=report.created_at,
        description=description.strip(),
        platform=report.account.platform.name,
        link=report.comment_url,
        account=report.account,
        comment_report=report,
        files=files,
    )
