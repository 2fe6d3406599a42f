"""Follow-ups of annual reviews that found a concern (4.4, 4.5d, 4.5i, 4.5j; issue 15).

A review that records a concern opens one follow-up: what will be done, by whom, by when. The
account shows it until it is resolved; while the account is suspended it is out of use, so the
follow-up is neither shown as waiting nor reminded. The school's leaders and the follow-up's
owner are reminded once per due date (beat task `channels.tasks.remind_due_followups`).

Services (writes) and selectors (reads) of follow-ups live here; `account_review` in
channels.services calls `followup_open` inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm, staff_of_school, user_has_school_perm
from audit.services import record
from notifications.services import notify
from portal.figures import FigureRow, FigureTable, Scope, count_cell

from .models import AccountEvent, AccountReview, OfficialAccount, ReviewFollowUp
from .selectors import _anonymous, leaders_of

Status = OfficialAccount.Status
FollowUpStatus = ReviewFollowUp.Status
# A follow-up is waiting only while its account is in use or could be again.
OUT_OF_USE = [Status.SUSPENDED, Status.CLOSED, Status.REJECTED]
# The review form proposes a due date this many days ahead.
DEFAULT_DAYS = 28


class FollowUpError(Exception):
    """A rule about follow-ups was broken; the message is for the person (`field`: the form
    field it belongs to)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _event(account: OfficialAccount, actor: User, action: str, note: str) -> None:
    AccountEvent.objects.create(
        account=account,
        actor=actor,
        action=action,
        from_status=account.status,
        to_status=account.status,
        note=note,
    )


def _context(followup: ReviewFollowUp) -> dict:
    account = followup.account
    return {
        "account": str(account),
        "school": account.school.name,
        "platform": account.platform.name,
        "handle": account.handle,
        "due": followup.due_date.isoformat(),
        "owner_name": followup.owner.get_full_name(),
    }


def _link(followup: ReviewFollowUp) -> str:
    return reverse("channels:account_detail", kwargs={"pk": followup.account_id}) + "#followups"


# --- services ---------------------------------------------------------------------------------


def followup_open(
    *, actor: User, review: AccountReview, owner: User | None, due_date: date | None, concern: str
) -> ReviewFollowUp:
    """The review found a concern: record what will be done, by whom and by when (4.5d).
    Called inside the review's transaction, so both are saved or neither."""
    account = review.account
    if owner is None:
        raise FollowUpError("Choose who will deal with the concern.", "followup_owner")
    if not staff_of_school(account.school_id).filter(pk=owner.pk).exists():
        raise FollowUpError(
            f"The follow-up's owner must be a member of staff of {account.school.name}.",
            "followup_owner",
        )
    if due_date is None:
        raise FollowUpError("Enter the date it must be done by.", "followup_due")
    if due_date < timezone.localdate():
        raise FollowUpError("The date it must be done by cannot be in the past.", "followup_due")
    concern = (concern or "").strip()
    if not concern:
        raise FollowUpError("Say what is wrong and what will be done.", "notes")
    followup = ReviewFollowUp.objects.create(
        review=review,
        account=account,
        school_id=account.school_id,
        concern=concern,
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    _event(account, actor, "followup_opened", f"{owner.get_full_name()}, by {due_date:%d/%m/%Y}.")
    record(
        actor,
        "account.followup_opened",
        account,
        account.school,
        {"followup_id": followup.pk, "owner_id": owner.pk, "due": due_date},
    )
    notify(
        [owner],
        "channels.followup_assigned",
        context=_context(followup),
        link=_link(followup),
        school=account.school,
    )
    return followup


def may_resolve(user, followup: ReviewFollowUp) -> bool:
    """The follow-up's owner or a leader of the school."""
    return user.pk == followup.owner_id or user_has_school_perm(
        user, Perm.APPROVE_CHANNEL, followup.school_id
    )


def followup_resolve(*, actor: User, followup: ReviewFollowUp, resolution: str) -> ReviewFollowUp:
    """The concern is dealt with: say what was done. The school's leaders are told."""
    with transaction.atomic():
        followup = (
            ReviewFollowUp.objects.select_for_update(of=("self",))
            .select_related("account__school", "account__platform", "owner")
            .get(pk=followup.pk)
        )
        if followup.status != FollowUpStatus.OPEN:
            raise FollowUpError("This follow-up is already resolved.")
        if not may_resolve(actor, followup):
            raise FollowUpError("Only the follow-up's owner or a leader of the school resolves it.")
        resolution = (resolution or "").strip()
        if not resolution:
            raise FollowUpError("Say what was done.", "resolution")
        followup.status = FollowUpStatus.RESOLVED
        followup.resolved_at = timezone.now()
        followup.resolved_by = actor
        followup.resolution = resolution
        followup.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        _event(followup.account, actor, "followup_resolved", resolution)
        record(
            actor,
            "account.followup_resolved",
            followup.account,
            followup.school_id,
            {"followup_id": followup.pk},
        )
        notify(
            leaders_of(followup.school_id).exclude(pk=actor.pk),
            "channels.followup_resolved",
            context={**_context(followup), "resolved_by": actor.get_full_name()},
            link=_link(followup),
            school=followup.school_id,
        )
    return followup


def send_followup_reminders(today: date | None = None) -> int:
    """Remind the school's leaders and the owner of every follow-up that has reached its due
    date, once per follow-up and due date (safe to run any number of times)."""
    today = today or timezone.localdate()
    sent = 0
    for followup in due_followups(today):
        with transaction.atomic():
            sent += len(
                notify(
                    [*leaders_of(followup.school_id), followup.owner],
                    "channels.followup_due",
                    context=_context(followup),
                    link=_link(followup),
                    school=followup.school_id,
                    dedupe_key=f"channels.followup_due:{followup.pk}:{followup.due_date}",
                )
            )
    return sent


# --- selectors --------------------------------------------------------------------------------


def _waiting() -> QuerySet[ReviewFollowUp]:
    return ReviewFollowUp.objects.filter(status=FollowUpStatus.OPEN).exclude(
        account__status__in=OUT_OF_USE
    )


def due_followups(today: date) -> QuerySet[ReviewFollowUp]:
    return (
        _waiting()
        .filter(due_date__lte=today)
        .select_related("account__school", "account__platform", "owner")
    )


def followup_visible_to(user) -> QuerySet[ReviewFollowUp]:
    """The school's leaders and the follow-up's owner; anyone else gets the 404 of a missing
    one."""
    if _anonymous(user):
        return ReviewFollowUp.objects.none()
    return ReviewFollowUp.objects.filter(
        Q(school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL)) | Q(owner=user)
    )


def open_followups_of(account: OfficialAccount) -> list[ReviewFollowUp]:
    """What the account page shows until resolved (nothing while the account is suspended)."""
    if account.status in OUT_OF_USE:
        return []
    return list(
        account.followups.filter(status=FollowUpStatus.OPEN).select_related("owner", "review")
    )


def followups_for(user) -> QuerySet[ReviewFollowUp]:
    """The leaders' queue: open follow-ups of their schools and those they own, soonest first.
    Three columns from three tables in one query, whatever the number of rows."""
    return (
        _waiting()
        .filter(Q(school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL)) | Q(owner=user))
        .select_related("account__platform", "account__school", "owner")
        .order_by("due_date", "pk")
    )


# --- counts: the leaders' home and the trustees' dashboard -----------------------------------


def open_followups_in(school_ids: list[int]) -> QuerySet[ReviewFollowUp]:
    """Open follow-ups of these schools' accounts in use: the home card "review follow-ups
    open" counts these (the one rule, also behind `followups_for`'s schools)."""
    return _waiting().filter(school_id__in=list(school_ids))


def open_count(school_ids: list[int]) -> int:
    return open_followups_in(school_ids).count()


@dataclass
class _Counts:
    open: int = 0
    overdue: int = 0


def followup_dashboard_figures(scope: Scope) -> list[FigureTable]:
    """Open and overdue review follow-ups per school (counts of accounts' follow-ups identify
    nobody). One query."""
    rows = (
        _waiting()
        .filter(school_id__in=scope.school_ids)
        .values("school_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=scope.today)),
        )
        .order_by()
    )
    per_school = {r["school_id"]: _Counts(r["open"], r["overdue"]) for r in rows}
    total = _Counts()
    table_rows = []
    for school in scope.schools:
        c = per_school.get(school.pk, _Counts())
        total.open += c.open
        total.overdue += c.overdue
        table_rows.append(FigureRow(school.name, [count_cell(c.open), count_cell(c.overdue)]))
    table_rows.append(
        FigureRow(
            scope.total_label, [count_cell(total.open), count_cell(total.overdue)], is_total=True
        )
    )
    return [
        FigureTable(
            key="channels-review-followups",
            title="Concerns from annual account reviews",
            columns=["Follow-ups open", "Past their due date"],
            rows=table_rows,
            note="A review that finds a concern opens a follow-up with an owner and a due date "
            "(4.5d); it stays open until resolved. Suspended accounts are not counted.",
        )
    ]
