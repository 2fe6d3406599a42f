"""The platform catalogue, kept by trust administrators (4.1)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.selectors import is_trust_admin
from audit.services import record

from ..models import (
    Platform,
)
from .checks import ChannelError

PLATFORM_FIELDS = [
    "name",
    "min_age",
    "terms_url",
    "dms_can_be_disabled",
    "comments_can_be_limited",
    "is_active",
]


def platform_save(*, actor: User, platform: Platform, data: dict[str, Any]) -> Platform:
    """Create or edit a platform of the catalogue (4.3). Trust administrators only."""
    if not is_trust_admin(actor):
        raise ChannelError("Only trust administrators edit the platform list.")
    with transaction.atomic():
        created = platform.pk is None
        changes = {
            f: data[f] for f in PLATFORM_FIELDS if f in data and getattr(platform, f) != data[f]
        }
        for f, v in changes.items():
            setattr(platform, f, v)
        platform.save()
        record(
            actor,
            "platform.created" if created else "platform.updated",
            platform,
            None,
            {"changed": sorted(changes)},
        )
    return platform
