"""What a signed-in request knows of its person without asking the database again (issue 21).

Every signed-in request needs the person's roles (the menu, every access check) and whether
their second factor was given (django-otp's device). Both used to cost queries on every
request. They are now remembered in the session (server-side: the cache and the database, never
the cookie) together with the person's `User.access_version`, and used only while that version
is still the person's current one. The user row is read on every request anyway (Django's
authentication), so the check costs nothing.

Correctness rests on one rule: whatever changes an input of what is remembered raises the
version in the same transaction. The receivers below do it for every input:

- roles: `Membership`, `TrustRole` and the per-school permission rows
  (`SchoolUserObjectPermission`);
- a trust role's schools: a school created in, moved to or removed from a trust raises the
  version of everyone with a role in that trust;
- second factor: any django-otp device saved or deleted (confirming, deleting or replacing a
  device, the single sign-on's MFA device, backup codes).

Queryset `.update()` and `bulk_create` send no signals: code that changes those models in bulk
must call `raise_access_version` itself (the scale and demo builders make fresh people, whose
sessions start empty).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from .models import Membership, School, SchoolUserObjectPermission, TrustRole, User
from .selectors import _cache

STATE_KEY = "portal_access"
# Entries of `accounts.selectors._cache` worth remembering: (to JSON, back from JSON).
_REMEMBERED = {
    "trust_roles": (sorted, frozenset),
    "school_roles": (
        lambda v: sorted([s, r] for s, r in v),
        lambda v: frozenset((int(s), r) for s, r in v),
    ),
    "school_perms": (
        lambda v: {k: sorted(ids) for k, ids in v.items()},
        lambda v: {k: frozenset(ids) for k, ids in v.items()},
    ),
    "has_confirmed_device": (bool, bool),
}


# Set when a request changed anyone's access: what it computed may come from a transaction
# that then rolled back, so it is not remembered (the next request computes it again).
_request = threading.local()


def raise_access_version(user_ids: Iterable[int]) -> None:
    """What every session remembers of these people is stale from now on."""
    ids = sorted({int(pk) for pk in user_ids if pk is not None})
    _request.changed = True
    if ids:
        User.objects.filter(pk__in=ids).update(access_version=F("access_version") + 1)


def _state(request, user) -> dict | None:
    state = request.session.get(STATE_KEY)
    if (
        isinstance(state, dict)
        and state.get("uid") == user.pk
        and state.get("v") == user.access_version
    ):
        return state
    return None


class AccessStateMiddleware(OTPMiddleware):
    """django-otp's middleware, plus the session's memory of roles and the verified device.

    Put where `django_otp.middleware.OTPMiddleware` would go (after authentication)."""

    def __call__(self, request):
        _request.changed = False
        response = super().__call__(request)
        if not _request.changed:
            self._remember(request)
        return response

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        state = _state(request, user)
        if state is not None:
            cache = _cache(user)
            for key, (_, load) in _REMEMBERED.items():
                if key in state:
                    cache[key] = load(state[key])
        if persistent_id and state is not None and state.get("otp") == persistent_id:
            # Verified at this version: no device was changed or removed since. The device
            # row is read only if a page asks for its details.
            user.otp_device = SimpleLazyObject(
                lambda: self._device_from_persistent_id(persistent_id)
            )
        elif persistent_id:
            user.otp_device = self._finalize_device(
                request, user, self._device_from_persistent_id(persistent_id)
            )
        return user

    def _remember(self, request) -> None:
        """After the response: keep what this request learned, if it is new to the session."""
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not getattr(request.user, "is_authenticated", False):
            return
        if session.get(SESSION_KEY) != str(user.pk):
            return  # signed out or in as someone else during the request
        known = getattr(user, "_portal_cache", {})
        state = _state(request, user) or {"uid": user.pk, "v": user.access_version}
        new = {
            key: dump(known[key])
            for key, (dump, _) in _REMEMBERED.items()
            if key in known and key not in state
        }
        persistent_id = session.get(DEVICE_ID_SESSION_KEY)
        device = getattr(user, "otp_device", None)
        # A lazy device came from the state already; a real one was checked this request.
        if (
            persistent_id
            and "otp" not in state
            and device is not None
            and type(device) is not SimpleLazyObject
        ):
            new["otp"] = persistent_id
        if new or session.get(STATE_KEY) is not state:
            session[STATE_KEY] = {**state, **new}


def _on_role_row(sender, instance, **kwargs) -> None:
    raise_access_version([instance.user_id])


def _on_school(sender, instance: School, **kwargs) -> None:
    if kwargs.get("update_fields") is not None and "trust" not in kwargs["update_fields"]:
        return
    # Everyone with a trust role (a handful of people): the school may have joined or left
    # their trust, and its previous trust is not known after the save.
    raise_access_version(TrustRole.objects.values_list("user_id", flat=True))


def _on_device(sender, instance, **kwargs) -> None:
    raise_access_version([instance.user_id])


def connect() -> None:
    for model in (Membership, TrustRole, SchoolUserObjectPermission):
        post_save.connect(_on_role_row, sender=model, dispatch_uid=f"access-{model.__name__}")
        post_delete.connect(_on_role_row, sender=model, dispatch_uid=f"access-d-{model.__name__}")
    post_save.connect(_on_school, sender=School, dispatch_uid="access-school")
    post_delete.connect(_on_school, sender=School, dispatch_uid="access-d-school")
    # Every concrete device model (TOTP, backup codes, the single sign-on's MFA device), each
    # by name: a receiver for every model would stop Django deleting anything in bulk.
    for model in apps.get_models():
        if issubclass(model, Device):
            uid = f"access-{model._meta.label}"
            post_save.connect(_on_device, sender=model, dispatch_uid=uid)
            post_delete.connect(_on_device, sender=model, dispatch_uid=f"{uid}-d")
