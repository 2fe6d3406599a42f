"""Reads of the escrow. Which official accounts' escrow records a person may see, who may
retrieve, and the reports (4.5c). Never returns a secret: decryption is a service."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import School, User
from accounts.roles import Perm
from accounts.selectors import (
    is_trust_admin,
    school_ids_with_perm,
    schools_administered_by,
    user_has_school_perm,
)
from accounts.types import Viewer
from channels.models import OfficialAccount
from channels.selectors import is_on_team, users_with_school_perm

from .models import Credential, CredentialVersion, Retrieval, SealedSecret

# Accounts that no longer hold a name have nothing to escrow.
ESCROWABLE = [
    OfficialAccount.Status.APPROVED,
    OfficialAccount.Status.ACTIVE,
    OfficialAccount.Status.SUSPENDED,
    OfficialAccount.Status.SUBMITTED,
    OfficialAccount.Status.DRAFT,
    OfficialAccount.Status.CHANGES_REQUESTED,
]


def _anonymous(user) -> bool:
    return not getattr(user, "is_authenticated", False) or not user.is_active


def escrow_account_visible_to(user: Viewer) -> QuerySet[OfficialAccount]:
    """Accounts whose escrow page the user may open: the school's leaders and headteacher
    (Perm.RETRIEVE_CREDENTIAL), trust administrators (break-glass) and the account's team."""
    if _anonymous(user):
        return OfficialAccount.objects.none()
    deputy_of = OfficialAccount.deputies.through.objects.filter(user=user).values(
        "officialaccount_id"
    )
    condition = (
        Q(school__in=school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL))
        | Q(owner=user)
        | Q(pk__in=deputy_of)
    )
    if is_trust_admin(user):
        condition |= Q(school__in=schools_administered_by(user).values("pk"))
    return OfficialAccount.objects.filter(condition)


def escrow_list_for(user: Viewer) -> QuerySet[OfficialAccount]:
    """The escrow page: a fixed number of queries however many accounts."""
    return (
        escrow_account_visible_to(user)
        .filter(status__in=ESCROWABLE)
        .select_related("school", "platform", "owner", "credential")
        .annotate(
            has_current=Exists(
                CredentialVersion.objects.filter(
                    credential__account=OuterRef("pk"), superseded_at__isnull=True
                )
            )
        )
        .order_by("school__name", "platform__name", "handle")
    )


def current_version(credential: Credential | None) -> CredentialVersion | None:
    if credential is None:
        return None
    return credential.versions.filter(superseded_at__isnull=True).first()


def credential_of(account: OfficialAccount) -> Credential | None:
    return Credential.objects.filter(account=account).first()


def may_deposit(user: Viewer, account: OfficialAccount) -> bool:
    """The owner or a deputy (4.5c: the owner gives the details; a deputy may stand in)."""
    return is_on_team(user, account)


def may_retrieve(user: Viewer, account: OfficialAccount) -> bool:
    return user_has_school_perm(user, Perm.RETRIEVE_CREDENTIAL, account.school_id)


def may_break_glass(user: Viewer, account: OfficialAccount) -> bool:
    """Trust administrators of the account's trust, in an emergency (reason required)."""
    return (
        not may_retrieve(user, account)
        and schools_administered_by(user).filter(pk=account.school_id).exists()
    )


def retrievals_in_last_hour(user: Viewer, now=None) -> int:
    now = now or timezone.now()
    return Retrieval.objects.filter(user=user, at__gt=now - timedelta(hours=1)).count()


def retrievals_in_last_hour_locking(user: Viewer, now) -> int:
    """The same count, read in the statement that locks the person's user row until the
    transaction ends: two retrievals by one person wait for each other, so the hourly limit
    cannot be raced past. Inside a transaction only."""
    recent = (
        Retrieval.objects.filter(user=OuterRef("pk"), at__gt=now - timedelta(hours=1))
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        User.objects.select_for_update()
        .filter(pk=user.pk)
        .annotate(recent=Coalesce(Subquery(recent), 0))
        .values_list("recent", flat=True)
        .get()
    )


def current_secrets(account: OfficialAccount) -> list[SealedSecret]:
    """The sealed fields of the account's current login details, each with its version and
    credential, in one query (empty if there is no current version, or it holds no field)."""
    return list(
        SealedSecret.objects.filter(
            version__credential__account=account, version__superseded_at__isnull=True
        ).select_related("version__credential")
    )


def retrieval_limit() -> int:
    return settings.ESCROW_RETRIEVALS_PER_HOUR


def retrievals_of_account(account: OfficialAccount) -> QuerySet[Retrieval]:
    """The per-account report: who retrieved the login details (4.5c)."""
    return Retrieval.objects.filter(credential__account=account).select_related("user")


def retrievals_by_person(viewer: Viewer, person: User) -> QuerySet[Retrieval]:
    """The per-person report (leavers, investigations): which credentials `person` retrieved,
    limited to the schools the viewer answers for."""
    qs = Retrieval.objects.filter(user=person)
    if not is_trust_admin(viewer):
        qs = qs.filter(school__in=school_ids_with_perm(viewer, Perm.RETRIEVE_CREDENTIAL))
    return qs.select_related(
        "school", "credential__account__platform", "credential__account"
    ).order_by("-at")


def may_see_reports(user: Viewer) -> bool:
    return (
        is_trust_admin(user)
        or School.objects.filter(
            pk__in=school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL)
        ).exists()
    )


def retrievers_of(school: School | int) -> QuerySet[User]:
    return users_with_school_perm(school, Perm.RETRIEVE_CREDENTIAL)


def versions_of(credential: Credential | None) -> QuerySet[CredentialVersion]:
    if credential is None:
        return CredentialVersion.objects.none()
    return credential.versions.select_related("deposited_by")


def escrow_state(account: OfficialAccount, today=None) -> tuple[str, str]:
    """(words, Bootstrap tone) for the list: from `escrow_list_for` rows, no query."""
    today = today or timezone.localdate()
    try:
        credential = account.credential
    except Credential.DoesNotExist:
        credential = None
    if credential is None or not getattr(account, "has_current", True):
        return "No login details yet", "danger"
    if credential.rotation_required:
        return "Password must be changed", "danger"
    if credential.rotation_overdue(today):
        return f"Change overdue since {credential.rotation_due:%d %b %Y}", "warning"
    return f"In escrow; change due {credential.rotation_due:%d %b %Y}", "success"


def escrow_gate(account: OfficialAccount) -> str | None:
    """channels.gates check (4.5c): an account goes live only with current login details in
    escrow, and not while they must be changed."""
    credential = Credential.objects.filter(account=account).first()
    if current_version(credential) is None:
        return (
            "The owner must put the account's login details in the credential escrow before "
            "it goes live (4.5c)."
        )
    if credential.rotation_required:
        return (
            "The account's password must be changed and the new login details put in the "
            "escrow first (5.19)."
        )
    return None


ESCROWED_STATUSES = [
    OfficialAccount.Status.APPROVED,
    OfficialAccount.Status.ACTIVE,
    OfficialAccount.Status.SUSPENDED,
]


def _escrowed_accounts(now) -> QuerySet[OfficialAccount]:
    """Accounts whose login details belong in the escrow, with `rotation_due`: when the
    password is next due to change."""
    due = F("credential__rotated_at") + Func(
        F("credential__rotation_interval_days"),
        function="make_interval",
        template="make_interval(days => %(expressions)s)",
        output_field=DurationField(),
    )
    return OfficialAccount.objects.filter(status__in=ESCROWED_STATUSES).annotate(rotation_due=due)


def details_to_give_or_change_for(user: Viewer, now=None) -> QuerySet[OfficialAccount]:
    """Accounts the user owns or deputises for whose login details are to be given (none
    deposited, or no password change recorded) or changed (a change required, or the rotation
    interval passed) (5.19)."""
    if _anonymous(user):
        return OfficialAccount.objects.none()
    now = now or timezone.now()
    deputy_of = OfficialAccount.deputies.through.objects.filter(user=user).values(
        "officialaccount_id"
    )
    return _escrowed_accounts(now).filter(
        (Q(owner=user) | Q(pk__in=deputy_of))
        & (
            Q(credential__rotated_at__isnull=True)
            | Q(credential__rotation_required=True)
            | Q(rotation_due__lte=now)
        )
    )


def passwords_due_for(user: Viewer, now=None) -> QuerySet[OfficialAccount]:
    """Accounts of the schools where the user retrieves login details whose password must be
    changed or is overdue (5.19)."""
    now = now or timezone.now()
    return _escrowed_accounts(now).filter(
        Q(school__in=school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL))
        & (Q(credential__rotation_required=True) | Q(rotation_due__lte=now))
    )
