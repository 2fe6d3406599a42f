"""State changes for schools, people and roles. Each runs in one transaction and is audited."""

from __future__ import annotations

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from audit.services import record

from .models import Membership, School, Trust, TrustRole, User
from .roles import SCHOOL_ROLE_PERMISSIONS, SchoolRole, TrustRoleKind


class AccountsError(Exception):
    """A rule of the people-and-access area was broken; the message is for the user."""


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


def role_assign(*, actor: User | None, user: User, school: School, role: str) -> Membership:
    """Give `user` a role at `school` and the permissions it carries."""
    if role not in SchoolRole.values:
        raise AccountsError("Unknown role.")
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
    return membership


def role_remove(*, actor: User | None, user: User, school: School, role: str) -> None:
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(user=user, school=school, role=role).delete()
        if deleted:
            _sync_school_perms(user, school)
            record(actor, "role.removed", user, school, {"role": role})


def trust_role_assign(*, actor: User | None, user: User, trust: Trust, role: str) -> TrustRole:
    if role not in TrustRoleKind.values:
        raise AccountsError("Unknown trust role.")
    with transaction.atomic():
        tr, created = TrustRole.objects.get_or_create(user=user, trust=trust, role=role)
        if created:
            if role == TrustRoleKind.TRUST_ADMIN and not user.is_staff:
                # Django admin is for trust administrators only (and behind 2FA).
                User.objects.filter(pk=user.pk).update(is_staff=True)
                user.is_staff = True
            record(actor, "role.assigned", user, None, {"trust_role": role})
    return tr


def trust_role_remove(*, actor: User | None, user: User, trust: Trust, role: str) -> None:
    with transaction.atomic():
        deleted, _ = TrustRole.objects.filter(user=user, trust=trust, role=role).delete()
        if deleted:
            if role == TrustRoleKind.TRUST_ADMIN:
                User.objects.filter(pk=user.pk).update(is_staff=False)
                user.is_staff = False
            record(actor, "role.removed", user, None, {"trust_role": role})
