"""State changes for schools, people and roles. Each runs in one transaction and is audited.

Who may do what comes from POLICY-MAP.md ("Who uses it"): trust administrators manage schools,
invite people, assign and remove roles and deactivate leavers. `actor=None` is the system
(demo data, test set-up): it skips the administrator check and notifies nobody.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import record
from portal.errors import ServiceError

from . import events
from .models import (
    LeaverEvent,
    Membership,
    PortalSession,
    School,
    SchoolEmailDomain,
    Trust,
    TrustRole,
    User,
)
from .roles import SCHOOL_ROLE_PERMISSIONS, SchoolRole, TrustRoleKind
from .selectors import forget_cached_roles, trust_administered_by
from .sessions import end_sessions


class AccountsError(ServiceError):
    """A rule of the people-and-access area was broken; the message is for the user."""


def _require_admin_of(actor: User | None, trust: Trust | int) -> None:
    """Only a trust administrator of `trust` may manage its schools and people."""
    if actor is None:
        return
    trust_id = getattr(trust, "pk", trust)
    admin_trust = trust_administered_by(actor)
    if admin_trust is None or admin_trust.pk != trust_id:
        raise AccountsError("Only a trust administrator of this trust may do this.")


def _sync_school_perms(user: User, school: School) -> None:
    """Make the user's guardian grants on `school` exactly those of the roles they hold."""
    wanted: set[str] = set()
    for role in Membership.objects.filter(user=user, school=school).values_list("role", flat=True):
        wanted |= SCHOOL_ROLE_PERMISSIONS[role]
    from guardian.shortcuts import get_perms

    held = set(get_perms(user, school))
    for perm in wanted - held:
        assign_perm(f"accounts.{perm}", user, school)
    for perm in held - wanted:
        remove_perm(f"accounts.{perm}", user, school)
    forget_cached_roles(user)


def _role_changed(
    actor: User | None,
    user: User,
    school: School | None,
    role: str,
    change: str,
    *,
    notify_person: bool = True,
) -> None:
    """Send `events.role_changed` inside the caller's transaction (the person's notice,
    notifications/account_notices.py, connects to it)."""
    label = (SchoolRole(role) if school is not None else TrustRoleKind(role)).label
    sender = Membership if school is not None else TrustRole
    events.role_changed.send(
        sender=sender,
        user=user,
        school=school,
        role=role,
        label=label,
        change=change,
        actor=actor,
        notify_person=notify_person,
    )


def role_assign(
    *, actor: User | None, user: User, school: School, role: str, notify_person: bool = True
) -> Membership:
    """Give `user` a role at `school` and the permissions it carries (POLICY-MAP.md, roles).

    A school has one headteacher at a time (7.3: breach reports go to them)."""
    if role not in SchoolRole.values:
        raise AccountsError("Unknown role.")
    _require_admin_of(actor, school.trust_id)
    if not user.is_active:
        raise AccountsError(f"{user} has been deactivated; reactivate them first.")
    with transaction.atomic():
        if role == SchoolRole.HEADTEACHER:
            current = Membership.objects.filter(school=school, role=role).exclude(user=user).first()
            if current is not None:
                raise AccountsError(
                    f"{school} already has a headteacher ({current.user}). Remove that role first."
                )
        membership, created = Membership.objects.get_or_create(user=user, school=school, role=role)
        if created:
            _sync_school_perms(user, school)
            record(actor, "role.assigned", user, school, {"role": role})
            _role_changed(actor, user, school, role, "assigned", notify_person=notify_person)
    return membership


def role_remove(*, actor: User | None, user: User, school: School, role: str) -> None:
    """Take a school role away; raises `accounts.events.role_removed` (credential rotation)."""
    _require_admin_of(actor, school.trust_id)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(user=user, school=school, role=role).delete()
        if deleted:
            _sync_school_perms(user, school)
            record(actor, "role.removed", user, school, {"role": role})
            _role_changed(actor, user, school, role, "removed")
            events.role_removed.send(
                sender=Membership, user=user, school=school, role=role, actor=actor
            )


def trust_role_assign(
    *, actor: User | None, user: User, trust: Trust, role: str, notify_person: bool = True
) -> TrustRole:
    """Give a trust-wide role (trust administrator, trust HR / executive, trustee)."""
    if role not in TrustRoleKind.values:
        raise AccountsError("Unknown trust role.")
    _require_admin_of(actor, trust)
    if not user.is_active:
        raise AccountsError(f"{user} has been deactivated; reactivate them first.")
    with transaction.atomic():
        tr, created = TrustRole.objects.get_or_create(user=user, trust=trust, role=role)
        forget_cached_roles(user)
        if created:
            if role == TrustRoleKind.TRUST_ADMIN and not user.is_staff:
                # Django admin is for trust administrators only (and behind 2FA).
                User.objects.filter(pk=user.pk).update(is_staff=True)
                user.is_staff = True
            record(actor, "role.assigned", user, None, {"trust_role": role})
            _role_changed(actor, user, None, role, "assigned", notify_person=notify_person)
    return tr


def trust_role_remove(*, actor: User | None, user: User, trust: Trust, role: str) -> None:
    """Take a trust-wide role away. An administrator cannot remove their own administrator
    role (the trust must not lock itself out by accident)."""
    _require_admin_of(actor, trust)
    if actor is not None and actor.pk == user.pk and role == TrustRoleKind.TRUST_ADMIN:
        raise AccountsError("You cannot remove your own trust administrator role.")
    with transaction.atomic():
        deleted, _ = TrustRole.objects.filter(user=user, trust=trust, role=role).delete()
        forget_cached_roles(user)
        if deleted:
            if role == TrustRoleKind.TRUST_ADMIN:
                User.objects.filter(pk=user.pk).update(is_staff=False)
                user.is_staff = False
            record(actor, "role.removed", user, None, {"trust_role": role})
            _role_changed(actor, user, None, role, "removed")
            events.role_removed.send(
                sender=TrustRole, user=user, school=None, role=role, actor=actor
            )


# --- Schools ----------------------------------------------------------------------------

# RFC 1035 labels (letters, digits, inner hyphens, at most 63 characters), at least two labels
# and an alphabetic top-level label.
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normalise_domains(raw: list[str] | str) -> list[str]:
    """Clean a list of email domains (lower case, no '@', no duplicates) or raise
    AccountsError naming the first bad one."""
    items = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else list(raw)
    domains: list[str] = []
    for item in items:
        domain = item.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise AccountsError(
                f"“{item.strip()}” is not an email domain. Write it like alder.sch.uk "
                "(no spaces, no @, no http://)."
            )
        if domain not in domains:
            domains.append(domain)
    return domains


def _set_domains(school: School, domains: list[str]) -> None:
    taken = (
        SchoolEmailDomain.objects.filter(domain__in=domains)
        .exclude(school=school)
        .select_related("school")
        .first()
    )
    if taken is not None:
        raise AccountsError(f"The domain {taken.domain} already belongs to {taken.school}.")
    SchoolEmailDomain.objects.filter(school=school).exclude(domain__in=domains).delete()
    for domain in domains:
        SchoolEmailDomain.objects.get_or_create(school=school, domain=domain)


_SCHOOL_FIELDS = ("name", "urn", "phase", "age_from", "age_to")


def _check_school_fields(fields: dict, school: School | None) -> None:
    if fields["age_from"] > fields["age_to"]:
        raise AccountsError("The age range runs from the youngest to the oldest age.")
    clash = School.objects.filter(urn=fields["urn"])
    if school is not None:
        clash = clash.exclude(pk=school.pk)
    if clash.exists():
        raise AccountsError(f"Another school already has URN {fields['urn']}.")


def school_create(*, actor: User | None, trust: Trust, domains: list[str], **fields) -> School:
    """Add a member school of the trust with the email domains it owns (4.5a)."""
    _require_admin_of(actor, trust)
    fields = {k: fields[k] for k in _SCHOOL_FIELDS}
    _check_school_fields(fields, None)
    domains = normalise_domains(domains)
    with transaction.atomic():
        school = School.objects.create(trust=trust, **fields)
        _set_domains(school, domains)
        record(actor, "school.created", school, school, {**fields, "domains": domains})
    return school


def school_update(*, actor: User | None, school: School, domains: list[str], **fields) -> School:
    """Change a school's details and the email domains it owns."""
    _require_admin_of(actor, school.trust_id)
    fields = {k: fields[k] for k in _SCHOOL_FIELDS}
    _check_school_fields(fields, school)
    domains = normalise_domains(domains)
    with transaction.atomic():
        before = {k: getattr(school, k) for k in _SCHOOL_FIELDS}
        before_domains = sorted(school.email_domains.values_list("domain", flat=True))
        for key, value in fields.items():
            setattr(school, key, value)
        school.save()
        _set_domains(school, domains)
        changed = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
        if sorted(domains) != before_domains:
            changed["domains"] = [before_domains, sorted(domains)]
        if changed:
            record(actor, "school.updated", school, school, {"changed": changed})
    return school


# --- People: invitation, deactivation ---------------------------------------------------


def user_invite(
    actor: User | None,
    email: str,
    full_name: str,
    school: School | None = None,
    role: str | None = None,
    trust_role: str | None = None,
    *,
    trust: Trust | None = None,
) -> User:
    """Invite a person: an account with no usable password and their first role, and an email
    with a one-time link to set a password (accounts:invite_accept).

    Re-inviting an address that has an account is refused (use user_invite_resend)."""
    email = User.objects.normalize_email(email.strip()).lower()
    full_name = full_name.strip()
    if not email or not full_name:
        raise AccountsError("A name and an email address are required.")
    if not ((school is not None and role) or trust_role):
        raise AccountsError("Choose a first role: a school and a role there, or a trust role.")
    trust = trust or (school.trust if school is not None else trust_administered_by(actor))
    if trust is None:
        raise AccountsError("Choose the trust for a trust role.")
    _require_admin_of(actor, trust)
    if school is not None and school.trust_id != trust.pk:
        raise AccountsError("That school is not part of your trust.")
    if User.objects.filter(email__iexact=email).exists():
        raise AccountsError(
            f"{email} already has an account. Open their page to add a role, or resend "
            "their invitation if they have not set a password yet."
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                full_name=full_name,
                password=None,
                invited_at=timezone.now(),
                invited_by=actor,
            )
            if school is not None and role:
                role_assign(actor=actor, user=user, school=school, role=role, notify_person=False)
            if trust_role:
                trust_role_assign(
                    actor=actor, user=user, trust=trust, role=trust_role, notify_person=False
                )
            record(
                actor,
                "user.invited",
                user,
                school,
                {"email": email, "role": role or "", "trust_role": trust_role or ""},
            )
            _send_invitation_on_commit(user)
    except IntegrityError:
        # Two administrators inviting the same address at once: the unique index decides.
        raise AccountsError(f"{email} already has an account.") from None
    return user


def _send_invitation_on_commit(user: User) -> None:
    from .emails import send_invitation

    user_id = user.pk
    transaction.on_commit(lambda: send_invitation(user_id))


def user_invite_resend(*, actor: User | None, user: User) -> None:
    """Send the invitation link again to someone who has not set a password yet."""
    _require_admin_of(actor, trust_administered_by(actor) if actor else 0)
    if not user.is_active:
        raise AccountsError(f"{user} has been deactivated.")
    if user.has_usable_password():
        raise AccountsError(f"{user} has already set a password; they can reset it if forgotten.")
    with transaction.atomic():
        record(actor, "user.invitation_resent", user, None, {"email": user.email})
        _send_invitation_on_commit(user)


def user_invitation_accept(*, user: User, password: str) -> None:
    """The invited person set their password through the one-time link (the token dies with
    the old password hash). `password` has passed the validators (SetPasswordForm)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(user, "user.invitation_accepted", user, None, {})


def user_deactivate(actor: User | None, user: User, reason: str) -> LeaverEvent:
    """Deactivate a leaver: no more sign-in, every session ended at once, a LeaverEvent row,
    the `accounts.events.user_left` signal for later features (account handover 4.5(c),
    credential rotation) and a notice to the leaders of the person's schools.

    Roles are kept (they say what the person held) but grant nothing while inactive."""
    reason = (reason or "").strip()
    if not reason:
        raise AccountsError("Give a reason (it is kept with the leaver record).")
    if actor is not None:
        if actor.pk == user.pk:
            raise AccountsError("You cannot deactivate yourself.")
        if trust_administered_by(actor) is None:
            raise AccountsError("Only a trust administrator may deactivate people.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise AccountsError(f"{user} is already deactivated.")
        school_ids = sorted(
            set(Membership.objects.filter(user=user).values_list("school_id", flat=True))
        )
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        sessions_ended = end_sessions(PortalSession.objects.filter(user=user))
        event = LeaverEvent.objects.create(
            user=user,
            actor=actor,
            actor_name=actor.get_full_name() if actor else "",
            reason=reason,
            school_ids=school_ids,
            sessions_ended=sessions_ended,
        )
        record(
            actor,
            "user.deactivated",
            user,
            None,
            {"reason": reason, "school_ids": school_ids, "sessions_ended": sessions_ended},
        )
        # The leaders of the person's schools are told by a receiver of user_left
        # (notifications/account_notices.py), in this transaction.
        events.user_left.send(sender=User, user=user, event=event, actor=actor)
    return event


def user_reactivate(*, actor: User | None, user: User) -> None:
    """Let a person sign in again (e.g. deactivated by mistake); their roles come back."""
    if actor is not None and trust_administered_by(actor) is None:
        raise AccountsError("Only a trust administrator may reactivate people.")
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False).update(
            is_active=True, deactivated_at=None
        )
        if not updated:
            raise AccountsError(f"{user} is already active.")
        user.is_active, user.deactivated_at = True, None
        record(actor, "user.reactivated", user, None, {})


# --- Per-record grants ------------------------------------------------------------------


def grant_record_access(
    user: AbstractBaseUser, obj: Model, perm: str, *, actor: User | None = None
) -> None:
    """Share one record with one person (e.g. a breach case shared with an investigator):
    a django-guardian object permission `perm` ("codename" or "app_label.codename") on `obj`.
    Read back with accounts.selectors.record_ids_granted."""
    codename = perm.split(".", 1)[-1]
    with transaction.atomic():
        assign_perm(f"{obj._meta.app_label}.{codename}", user, obj)
        record(
            actor,
            "access.granted",
            obj,
            getattr(obj, "school", None) if not isinstance(obj, School) else obj,
            {"perm": codename, "user_id": user.pk},
        )


def revoke_record_access(
    user: AbstractBaseUser, obj: Model, perm: str, *, actor: User | None = None
) -> None:
    """Withdraw a grant made by grant_record_access."""
    codename = perm.split(".", 1)[-1]
    with transaction.atomic():
        remove_perm(f"{obj._meta.app_label}.{codename}", user, obj)
        record(
            actor,
            "access.revoked",
            obj,
            getattr(obj, "school", None) if not isinstance(obj, School) else obj,
            {"perm": codename, "user_id": user.pk},
        )
