"""State changes made by directory provisioning (SCIM 2.0, issue 20). Each is one transaction
with its audit entry; a deactivation runs the portal's own leaver service.

Provisioning never grants roles: a provisioned person holds none until a school leader or
trust administrator gives one, so they see only what any staff member sees.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record

from ..models import LeaverEvent, School, SchoolEmailDomain, User
from ..services import user_deactivate, user_reactivate
from .auth import token_digest
from .models import Directory, DirectoryAccount

TOKEN_PREFIX = "scim_"
# A deactivation from the directory names it in the leaver record.
LEAVER_REASON = "Disabled in the directory {name} (SCIM provisioning)."


class ProvisioningError(Exception):
    """The directory asked for something the portal refuses; `status` and `scim_type` say
    how django-scim2 answers (400 invalidValue, 409 uniqueness)."""

    def __init__(self, message: str, *, status: int = 400, scim_type: str = "invalidValue"):
        super().__init__(message)
        self.status = status
        self.scim_type = scim_type


@dataclass
class PersonData:
    """What the portal keeps of a SCIM User (data minimisation: nothing else is stored)."""

    user_name: str | None = None
    email: str | None = None
    full_name: str | None = None
    external_id: str | None = None
    active: bool | None = None


# --- Directories and their tokens --------------------------------------------------------


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def directory_create(
    *, actor: User | None, name: str, school_urns: list[str] | None = None
) -> tuple[Directory, str]:
    """A new SCIM client; returns it and its bearer token, which is shown once and never
    stored (only its digest)."""
    name = (name or "").strip()
    if not name:
        raise ProvisioningError("Give the directory a name.")
    schools = list(School.objects.filter(urn__in=school_urns or []))
    if school_urns and len(schools) != len(set(school_urns)):
        known = {s.urn for s in schools}
        raise ProvisioningError(
            f"No school with URN {', '.join(sorted(set(school_urns) - known))}."
        )
    token = _new_token()
    with transaction.atomic():
        directory = Directory.objects.create(
            name=name, token_digest=token_digest(token), token_hint=token[:12]
        )
        directory.schools.set(schools)
        record(
            actor,
            "directory.created",
            target=directory,
            data={"name": name, "schools": sorted(s.urn for s in schools), "hint": token[:12]},
        )
    return directory, token


def directory_token_rotate(*, actor: User | None, directory: Directory) -> str:
    """A new token for the directory; the old one stops working at once."""
    token = _new_token()
    with transaction.atomic():
        Directory.objects.filter(pk=directory.pk).update(
            token_digest=token_digest(token),
            token_hint=token[:12],
            token_rotated_at=timezone.now(),
            revoked_at=None,
        )
        record(actor, "directory.token_rotated", target=directory, data={"hint": token[:12]})
    return token


def directory_revoke(*, actor: User | None, directory: Directory) -> None:
    """The directory's token stops working (provisioning from it stops)."""
    with transaction.atomic():
        Directory.objects.filter(pk=directory.pk).update(revoked_at=timezone.now())
        record(actor, "directory.revoked", target=directory, data={"name": directory.name})


def directory_domains(directory: Directory) -> set[str]:
    """Email domains this directory may provision: its schools' (every school's when it has
    none), plus the trust's own domains when it serves the whole trust."""
    domains = SchoolEmailDomain.objects.all()
    school_ids = list(directory.schools.values_list("pk", flat=True))
    if school_ids:
        domains = domains.filter(school_id__in=school_ids)
    allowed = {d.lower() for d in domains.values_list("domain", flat=True)}
    if not school_ids:
        allowed |= {d.lower() for d in settings.SSO_TRUST_EMAIL_DOMAINS}
    return allowed


def _check_email(directory: Directory, email: str) -> str:
    email = (email or "").strip().lower()
    if email.count("@") != 1 or len(email) > 254:
        raise ProvisioningError("Give the person's work email address.")
    if email.split("@", 1)[1] not in directory_domains(directory):
        raise ProvisioningError(
            "That email address is not on a domain of the schools this directory serves."
        )
    return email


# --- People ------------------------------------------------------------------------------


def scim_user_provision(*, directory: Directory, data: PersonData) -> DirectoryAccount:
    """Create (or link) the person a directory provisions.

    Someone the portal already knows by that email (invited by an administrator, say) is
    linked, not duplicated. A new person gets an account with no usable password (they sign
    in with single sign-on) and no role. Audited as `user.provisioned`.
    """
    if not (data.user_name or "").strip():
        raise ProvisioningError("userName is required.")
    email = _check_email(directory, data.email or data.user_name or "")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        created = user is None
        if created:
            user = User.objects.create_user(
                email=email,
                password=None,
                full_name=(data.full_name or email.split("@", 1)[0])[:150],
                is_active=data.active is not False,
            )
        elif DirectoryAccount.objects.filter(directory=directory, user=user).exists():
            raise ProvisioningError(
                "This person is already provisioned by this directory.",
                status=409,
                scim_type="uniqueness",
            )
        try:
            with transaction.atomic():
                account = DirectoryAccount.objects.create(
                    directory=directory,
                    user=user,
                    user_name=data.user_name.strip(),
                    external_id=(data.external_id or "")[:254],
                    active=data.active is not False,
                )
        except IntegrityError:
            raise ProvisioningError(
                "That userName is already used in this directory.",
                status=409,
                scim_type="uniqueness",
            ) from None
        record(
            None,
            "user.provisioned",
            target=user,
            data={"directory": directory.name, "created": created, "email": email},
        )
        if not created and data.active is False and user.is_active:
            _deactivate(account)
    return account


def scim_user_update(*, account: DirectoryAccount, data: PersonData) -> DirectoryAccount:
    """Apply the directory's changes (name, email, userName, externalId, active).

    `active: false` runs the leaver service; `active: true` after that brings the person
    back only when it was this directory that made them a leaver.
    """
    with transaction.atomic():
        account = (
            DirectoryAccount.objects.select_for_update()
            .select_related("user", "directory")
            .get(pk=account.pk)
        )
        user = account.user
        changed: list[str] = []
        if data.user_name is not None and data.user_name.strip() != account.user_name:
            account.user_name = data.user_name.strip()
            changed.append("userName")
        if data.external_id is not None and data.external_id != account.external_id:
            account.external_id = data.external_id[:254]
            changed.append("externalId")
        if data.full_name is not None and data.full_name.strip()[:150] != user.full_name:
            user.full_name = data.full_name.strip()[:150]
            changed.append("name")
        if data.email is not None:
            email = _check_email(account.directory, data.email)
            if email != user.email.lower():
                if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                    raise ProvisioningError(
                        "Another person in the portal has that email address.",
                        status=409,
                        scim_type="uniqueness",
                    )
                user.email = email
                changed.append("email")
        try:
            with transaction.atomic():
                account.save()
                user.save(update_fields=["full_name", "email"])
        except IntegrityError:
            raise ProvisioningError(
                "That userName is already used in this directory.",
                status=409,
                scim_type="uniqueness",
            ) from None
        if changed:
            record(
                None,
                "user.directory_updated",
                target=user,
                data={"directory": account.directory.name, "fields": changed},
            )
        if data.active is False and account.active:
            _deactivate(account)
        elif data.active is True and not account.active:
            _reactivate(account)
    return account


def scim_user_deactivate(*, account: DirectoryAccount, delete: bool = False) -> None:
    """The directory disabled (PATCH active:false) or deleted (DELETE) the person: the
    portal's leaver service runs (sessions end, their official accounts need a new owner,
    login details they retrieved must be rotated). A DELETE also removes the link, so the
    resource is gone for the directory; the person and the leaver record stay."""
    with transaction.atomic():
        account = (
            DirectoryAccount.objects.select_for_update()
            .select_related("user", "directory")
            .get(pk=account.pk)
        )
        if account.active:
            _deactivate(account)
        if delete:
            record(
                None,
                "user.directory_deleted",
                target=account.user,
                data={"directory": account.directory.name, "user_name": account.user_name},
            )
            account.delete()


def _deactivate(account: DirectoryAccount) -> None:
    account.active = False
    account.save(update_fields=["active", "updated_at"])
    user = User.objects.get(pk=account.user_id)
    record(
        None,
        "user.directory_deactivated",
        target=user,
        data={"directory": account.directory.name, "was_active": user.is_active},
    )
    if user.is_active:
        user_deactivate(None, user, LEAVER_REASON.format(name=account.directory.name))


def _reactivate(account: DirectoryAccount) -> None:
    account.active = True
    account.save(update_fields=["active", "updated_at"])
    user = User.objects.get(pk=account.user_id)
    last = LeaverEvent.objects.filter(user=user).first()
    by_this_directory = last is not None and last.reason == LEAVER_REASON.format(
        name=account.directory.name
    )
    record(
        None,
        "user.directory_reactivated",
        target=user,
        data={"directory": account.directory.name, "portal_account_reactivated": by_this_directory},
    )
    if not user.is_active and by_this_directory:
        user_reactivate(actor=None, user=user)
