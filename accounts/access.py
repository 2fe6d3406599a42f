"""The school-scoped access helper every view uses to reach a record (STYLE.md, Access).

A record of another school answers 404 exactly like a missing one, in status, body and time:
both are recorded the same way (issue 14, leaks 1 and 4), with only what the requester sent
(the model asked for, the id, the path), never anything about a record they may not see.
403 is only for a record the user can see but may not act on.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

T = TypeVar("T", bound=Model)


def get_visible_or_404(user, visible: QuerySet[T], **lookup) -> T:
    """Return the record from `visible` (a `visible_to(user)` queryset) or raise Http404.

    Every lookup that finds nothing visible is audited (clause 6) before the 404, whether the
    record is missing or belongs to someone else: the helper never asks which, so neither the
    answer, the time it takes nor the requester's own activity list can tell them apart.
    """
    try:
        return visible.get(**lookup)
    except (visible.model.DoesNotExist, ValueError, TypeError) as exc:
        if not isinstance(exc, visible.model.DoesNotExist):
            raise Http404 from None  # a malformed id is simply not found
        from audit.services import record, request_path

        label = visible.model._meta.label
        sent = {key: str(value)[:64] for key, value in lookup.items()}
        record(
            actor=user if getattr(user, "is_authenticated", False) else None,
            action="access.denied",
            data={"model": label, "lookup": sent, "path": request_path()},
        )
        raise Http404 from None


def require(condition: bool, message: str = "You may not do this.") -> None:
    """403 for a record the user can see but may not act on."""
    if not condition:
        raise PermissionDenied(message)
