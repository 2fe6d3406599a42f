"""Every state change of the credential escrow (4.5c, 5.19). Each service checks its rule,
runs in one transaction, writes the audit entry and the notification there, and raises
`EscrowError` (a sentence for the person) when the rule says no.

Secrets: the values passed to `credential_deposit` are sealed at once and never stored,
logged, audited or put into a notification; `credential_retrieve` decrypts only after its
audit entry and the owner's notification are written (and committed, when it is the outer
transaction), so a retrieval that cannot be recorded returns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import School, User
from accounts.roles import TrustRoleKind
from accounts.selectors import headteacher_of
from audit.services import record
from channels.models import OfficialAccount
from channels.selectors import team_of
from notifications.services import notify
from portal.errors import ServiceError

from . import selectors
from .crypto import keyring, rewrap, seal, unseal
from .models import Credential, CredentialVersion, Retrieval, SealedSecret

F = SealedSecret.Field


class EscrowError(ServiceError):
    """A rule of the escrow said no; `message` is shown to the person."""


class RetrievalRefused(EscrowError):
    """The hourly retrieval limit was reached (the refusal itself is recorded)."""


@dataclass(frozen=True)
class Revealed:
    """Decrypted login details, for one response only. repr() never shows a value."""

    account_id: int
    version_number: int
    values: dict[str, str] = field(repr=False)

    def __repr__(self) -> str:
        return f"Revealed(account={self.account_id}, version={self.version_number}, values=***)"

    def get(self, name: str) -> str:
        return self.values.get(name, "")


def secret_context(credential: Credential, version: CredentialVersion, name: str) -> str:
    """Authenticated data binding a ciphertext to its record, version, school and field:
    ciphertext copied to another row, version, school or field does not decrypt."""
    return (
        f"escrow.credential:{credential.uuid}:school:{credential.school_id}"
        f":version:{version.uuid}:field:{name}"
    )


def _link(account: OfficialAccount) -> str:
    return reverse("escrow:account", kwargs={"pk": account.pk})


def _trust_admins_of(school: School | int) -> list[User]:
    school_id = getattr(school, "pk", school)
    return list(
        User.objects.filter(
            is_active=True,
            trust_roles__role=TrustRoleKind.TRUST_ADMIN,
            trust_roles__trust__schools__pk=school_id,
        ).distinct()
    )


def _credential_for_update(account: OfficialAccount) -> Credential:
    # By id, so the caller's account object does not cache this half-made instance.
    credential, _ = Credential.objects.get_or_create(
        account_id=account.pk, defaults={"school_id": account.school_id}
    )
    return Credential.objects.select_for_update().get(pk=credential.pk)


# --- deposit -------------------------------------------------------------------------------


# Error reports (DEBUG pages, admin emails) show these locals as "********************".
@sensitive_variables("username", "password", "recovery_codes", "notes", "values", "value")
def credential_deposit(
    *,
    actor: User,
    account: OfficialAccount,
    username: str,
    password: str,
    recovery_codes: str = "",
    notes: str = "",
) -> CredentialVersion:
    """4.5c: the owner (or a deputy) puts the current login details in escrow, at
    registration and after every password change. Records who and when, never the value;
    resets the rotation clock and clears "rotation required" (5.19)."""
    if not selectors.may_deposit(actor, account):
        raise EscrowError("Only the account's owner or a deputy can give its login details.")
    if account.status in (OfficialAccount.Status.CLOSED, OfficialAccount.Status.REJECTED):
        raise EscrowError("This account is closed: there are no login details to keep.")
    if not username.strip():
        raise EscrowError("Give the username or login email.", field="username")
    if not password.strip():  # issue 14: a single space was accepted as a password
        raise EscrowError(
            "Enter the account's current password: spaces alone are not a password.",
            field="password",
        )
    values = {
        F.USERNAME: username.strip(),
        F.PASSWORD: password,
        F.RECOVERY_CODES: recovery_codes.strip(),
        F.NOTES: notes.strip(),
    }
    now = timezone.now()
    with transaction.atomic():
        credential = _credential_for_update(account)
        previous = credential.versions.filter(superseded_at__isnull=True).first()
        if previous is not None:
            previous.superseded_at = now
            previous.save(update_fields=["superseded_at"])
        number = (previous.number if previous else 0) + 1
        last = credential.versions.order_by("-number").values_list("number", flat=True).first()
        number = max(number, (last or 0) + 1)
        version = CredentialVersion.objects.create(
            credential=credential, number=number, deposited_by=actor, deposited_at=now
        )
        ring = keyring()
        stored = []
        for name, value in values.items():
            if not value:
                continue
            sealed = seal(value, context=secret_context(credential, version, name), ring=ring)
            SealedSecret.objects.create(
                version=version,
                field=name,
                key_id=sealed.key_id,
                wrapped_key=sealed.wrapped_key,
                nonce=sealed.nonce,
                ciphertext=sealed.ciphertext,
            )
            stored.append(str(name))
        was_required = credential.rotation_required
        credential.rotated_at = now
        credential.rotation_required = False
        credential.rotation_reason = ""
        credential.rotation_required_at = None
        credential.save(
            update_fields=[
                "rotated_at",
                "rotation_required",
                "rotation_reason",
                "rotation_required_at",
            ]
        )
        record(
            actor,
            "credential.deposited",
            credential,
            account.school_id,
            {
                "account_id": account.pk,
                "version": version.number,
                "fields": stored,
                "cleared_rotation_required": was_required,
            },
        )
    return version


# --- retrieval -----------------------------------------------------------------------------


def _hour_window(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H")


def _refuse_over_limit(actor: User, account: OfficialAccount, now: datetime) -> None:
    """Record the refusal and alert the trust administrators (once per hour window), in its
    own transaction so the alert stands although the retrieval does not happen."""
    with transaction.atomic():
        record(
            actor,
            "credential.retrieval_refused",
            account,
            account.school_id,
            {"account_id": account.pk, "why": "hourly limit", "limit": selectors.retrieval_limit()},
        )
        notify(
            _trust_admins_of(account.school_id),
            "escrow.rate_limited",
            context={"person": actor.get_full_name(), "person_id": actor.pk},
            link=reverse("escrow:person_report", kwargs={"pk": actor.pk}),
            school=account.school_id,
            dedupe_key=f"escrow.rate_limited:{actor.pk}:{_hour_window(now)}",
        )


@sensitive_variables("values")
def credential_retrieve(
    *, actor: User, account: OfficialAccount, reason: str, break_glass: bool = False
) -> Revealed:
    """4.5c: a leader or the headteacher of the account's school retrieves the current login
    details, with a reason; a trust administrator may in an emergency (break-glass: reason
    required, the headteacher is told at once). At most ESCROW_RETRIEVALS_PER_HOUR per person.

    The Retrieval row, the audit entry and the owner's notification are written first, in
    one transaction; only when that has succeeded is anything decrypted.
    """
    reason = reason.strip()
    if not reason:
        raise EscrowError("Say why you need the login details.", field="reason")
    if selectors.may_retrieve(actor, account):
        break_glass = False
    elif selectors.may_break_glass(actor, account):
        if not break_glass:
            raise EscrowError(
                "Trust administrators retrieve login details only in an emergency: confirm "
                "that this is one.",
                field="break_glass",
            )
    else:
        raise EscrowError("Only the school's leaders and headteacher can retrieve login details.")
    now = timezone.now()
    with transaction.atomic():
        # One retrieval at a time per person, so the hourly count cannot be raced past.
        recent = selectors.retrievals_in_last_hour_locking(actor, now)
        over_limit = recent >= selectors.retrieval_limit()
        if not over_limit:
            secrets = selectors.current_secrets(account)
            if secrets:
                version = secrets[0].version
                credential = version.credential
            else:
                credential = Credential.objects.filter(account=account).first()
                version = selectors.current_version(credential)
            if version is None:
                raise EscrowError("No login details have been given for this account yet.")
            if version.destroyed_at is not None:  # pragma: no cover - current is never destroyed
                raise EscrowError("These login details were destroyed.")
            Retrieval.objects.create(
                credential=credential,
                version=version,
                school_id=account.school_id,
                user=actor,
                at=now,
                reason=reason[:500],
                break_glass=break_glass,
            )
            record(
                actor,
                "credential.break_glass" if break_glass else "credential.retrieved",
                credential,
                account.school_id,
                {"account_id": account.pk, "version": version.number, "reason": reason[:500]},
            )
            context = {"account": str(account), "by": actor.get_full_name()}
            notify(
                [u for u in team_of(account) if u.pk != actor.pk],
                "escrow.retrieved",
                context=context,
                link=_link(account),
                school=account.school_id,
            )
            if break_glass:
                head = headteacher_of(account.school_id)
                notify(
                    [head] if head else selectors.retrievers_of(account.school_id),
                    "escrow.break_glass",
                    context=context,
                    link=_link(account),
                    school=account.school_id,
                )
    if over_limit:
        _refuse_over_limit(actor, account, now)
        raise RetrievalRefused(
            f"You have retrieved login details {selectors.retrieval_limit()} times in the last "
            "hour, the most allowed. The trust administrators have been told. Try again later."
        )
    ring = keyring()
    values = {
        s.field: unseal(
            s.sealed, context=secret_context(credential, version, s.field), ring=ring
        ).decode("utf-8")
        for s in secrets
    }
    return Revealed(account_id=account.pk, version_number=version.number, values=values)


# --- rotation (5.19) -----------------------------------------------------------------------

# What the account's team reads when the school's leaders ask for a change: no cause named.
ROTATION_ASKED_REASON = "The school asked for the login details to be changed."


def credential_require_rotation(*, actor: User | None, credential: Credential, reason: str) -> bool:
    """5.19: the password must change (someone who knew it left or lost their role, a breach
    named the account). Clears only on a new deposit. Returns False if it was already set."""
    with transaction.atomic():
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        if credential.rotation_required:
            return False
        credential.rotation_required = True
        credential.rotation_reason = reason[:300]
        credential.rotation_required_at = timezone.now()
        credential.save(
            update_fields=["rotation_required", "rotation_reason", "rotation_required_at"]
        )
        account = credential.account
        record(
            actor,
            "credential.rotation_required",
            credential,
            credential.school_id,
            {"account_id": account.pk, "reason": reason[:300]},
        )
        notify(
            team_of(account),
            "escrow.rotation_required",
            context={"account": str(account)},
            link=_link(account),
            school=credential.school_id,
        )
    return True


def _require_for(credentials, actor, reason: str) -> int:
    return sum(
        1
        for c in credentials
        if credential_require_rotation(actor=actor, credential=c, reason=reason)
    )


def credentials_flag_leaver(*, actor: User | None, user: User) -> int:
    """5.19: a leaver who retrieved, deposited or owned login details: those passwords change."""
    retrieved = Retrieval.objects.filter(user=user).values("credential_id")
    deposited = CredentialVersion.objects.filter(deposited_by=user).values("credential_id")
    credentials = Credential.objects.filter(
        Q(pk__in=retrieved) | Q(pk__in=deposited) | Q(account__owner=user)
    ).select_related("account", "account__school", "account__platform")
    return _require_for(
        credentials, actor, f"{user.get_full_name()}, who knew the login details, has left."
    )


def credentials_flag_role_removed(*, actor: User | None, user: User, school: School | None) -> int:
    """5.19: someone who retrieved login details at a school lost their role there (or a
    trust-wide role: every credential they retrieved)."""
    retrieved = Retrieval.objects.filter(user=user)
    if school is not None:
        retrieved = retrieved.filter(school=school)
    credentials = Credential.objects.filter(
        pk__in=retrieved.values("credential_id")
    ).select_related("account")
    return _require_for(
        credentials,
        actor,
        f"{user.get_full_name()}, who retrieved the login details, no longer holds that role.",
    )


def breach_action_hook(case, action: str, actor: User | None) -> None:
    """A case handler started the rotation from the case: the owner must deposit new details.

    The reason the owner and deputies read points to no case (issue 14): the subject of a
    report may be one of them."""
    if action == "credentials_rotated" and getattr(case, "account_id", None):
        credential = Credential.objects.filter(account_id=case.account_id).first()
        if credential is not None:
            credential_require_rotation(
                actor=actor,
                credential=credential,
                reason=ROTATION_ASKED_REASON,
            )


# --- yearly check and reminders --------------------------------------------------------


def credential_check_confirm(*, actor: User, credential: Credential) -> Credential:
    """4.5c: once a year a leader confirms the escrowed details still work."""
    account = credential.account
    if not selectors.may_retrieve(actor, account):
        raise EscrowError("Only the school's leaders and headteacher can confirm the check.")
    if selectors.current_version(credential) is None:
        raise EscrowError("There are no login details to check yet.")
    with transaction.atomic():
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        credential.last_checked_at = timezone.now()
        credential.last_checked_by = actor
        credential.save(update_fields=["last_checked_at", "last_checked_by"])
        record(
            actor,
            "credential.checked",
            credential,
            credential.school_id,
            {"account_id": account.pk},
        )
    return credential


def send_rotation_reminders(today: date | None = None) -> int:
    """5.19: owners (and deputies) are reminded ESCROW_ROTATION_REMINDER_DAYS before a
    password is due to change and once it is overdue (leaders too); leaders are reminded of
    the yearly check. Each reminder goes once per due date, however often this runs."""
    today = today or timezone.localdate()
    soon = timedelta(days=settings.ESCROW_ROTATION_REMINDER_DAYS)
    sent = 0
    credentials = (
        Credential.objects.filter(
            rotated_at__isnull=False,
            account__status__in=selectors.ESCROWABLE,
        )
        .select_related("account", "account__owner", "account__school", "account__platform")
        .prefetch_related("account__deputies")
    )
    for credential in credentials:
        account = credential.account
        due = credential.rotation_due
        with transaction.atomic():
            if due is not None and today >= due:
                sent += len(
                    notify(
                        [*team_of(account), *selectors.retrievers_of(account.school_id)],
                        "escrow.rotation_overdue",
                        context={"account": str(account), "due": due.isoformat()},
                        link=_link(account),
                        school=account.school_id,
                        dedupe_key=f"escrow.rotation_overdue:{credential.pk}:{due}",
                    )
                )
            elif due is not None and today >= due - soon:
                sent += len(
                    notify(
                        team_of(account),
                        "escrow.rotation_due",
                        context={"account": str(account), "due": due.isoformat()},
                        link=_link(account),
                        school=account.school_id,
                        dedupe_key=f"escrow.rotation_due:{credential.pk}:{due}",
                    )
                )
            check_due = credential.check_due
            if check_due is not None and today >= check_due - soon:
                sent += len(
                    notify(
                        selectors.retrievers_of(account.school_id),
                        "escrow.check_due",
                        context={"account": str(account), "due": check_due.isoformat()},
                        link=_link(account),
                        school=account.school_id,
                        dedupe_key=f"escrow.check_due:{credential.pk}:{check_due}",
                    )
                )
    return sent


def destroy_old_versions(now: datetime | None = None) -> int:
    """4.5c: earlier versions are kept sealed for ESCROW_KEEP_OLD_DAYS for recovery, then
    their ciphertext is deleted. The version row stays as the record of who deposited when."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ESCROW_KEEP_OLD_DAYS)
    destroyed = 0
    old = CredentialVersion.objects.filter(
        superseded_at__lt=cutoff, destroyed_at__isnull=True
    ).select_related("credential")
    for version in old:
        with transaction.atomic():
            SealedSecret.objects.filter(version=version).delete()
            version.destroyed_at = now
            version.save(update_fields=["destroyed_at"])
            record(
                None,
                "credential.version_destroyed",
                version.credential,
                version.credential.school_id,
                {"version": version.number, "superseded_at": version.superseded_at},
            )
            destroyed += 1
    return destroyed


def credentials_rewrap(batch: int = 200) -> tuple[int, int]:
    """Key rotation: rewrap every data key under the current KEK (ciphertext untouched).
    Safe to run again: rows already under the current key are skipped. Returns
    (rewrapped, remaining under other keys, which is 0 unless a row failed)."""
    ring = keyring()
    done = 0
    while True:
        with transaction.atomic():
            rows = list(
                SealedSecret.objects.select_for_update(skip_locked=True)
                .exclude(key_id=ring.current_id)
                .order_by("pk")[:batch]
            )
            if not rows:
                break
            for row in rows:
                moved = rewrap(row.sealed, ring=ring)
                row.key_id = moved.key_id
                row.wrapped_key = moved.wrapped_key
                row.save(update_fields=["key_id", "wrapped_key"])
            done += len(rows)
    if done:
        record(
            None, "credential.keys_rotated", None, None, {"rewrapped": done, "key": ring.current_id}
        )
    remaining = SealedSecret.objects.exclude(key_id=ring.current_id).count()
    return done, remaining
