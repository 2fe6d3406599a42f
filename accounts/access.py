"""The school-scoped access helper every view uses to reach a record (STYLE.md, Access).

A record of another school answers 404 exactly like a missing one; the attempt is written to
the audit log. 403 is only for a record the user can see but may not act on.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

T = TypeVar("T", bound=Model)


def get_visible_or_404(user, visible: QuerySet[T], **lookup) -> T:
    """Return the record from `visible` (a `visible_to(user)` queryset) or raise Http404.

    When the record exists but lies outside what the user may see, the denial is audited
    (clause 6) before the same 404 a missing record gets.
    """
    try:
        return visible.get(**lookup)
    except (visible.model.DoesNotExist, ValueError, TypeError) as exc:
        if not isinstance(exc, visible.model.DoesNotExist):
            raise Http404 from None  # a malformed id is simply not found
        hidden = visible.model._default_manager.filter(**lookup).first()
        if hidden is not None:
            from audit.services import record

            record(
                actor=user if getattr(user, "is_authenticated", False) else None,
                action="access.denied",
                target=hidden,
                school=getattr(hidden, "school", None),
                data={"model": visible.model._meta.label},
            )
        raise Http404 from None


def require(condition: bool, message: str = "You may not do this.") -> None:
    """403 for a record the user can see but may not act on."""
    if not condition:
        raise PermissionDenied(message)
