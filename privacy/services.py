"""Writes of the privacy app (issue 19): subject access requests and rights requests. Each
runs in one transaction and writes its audit entry; entries hold ids, kinds and dates, never
the person's name (the request's subject is a record reference)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.access import require
from accounts.models import User
from accounts.roles import TrustRoleKind
from accounts.selectors import has_trust_role, trust_role_holders
from audit.services import record
from notifications.services import notify

from .bundle import render_zip
from .kinds import SAR_DUE
from .models import RightsRequest, SubjectAccessRequest
from .selectors import Person, bundle_for


class PrivacyError(Exception):
    """A rule of the data protection process was not met; the view shows the message."""


def is_dpo(user: User) -> bool:
    return has_trust_role(user, TrustRoleKind.DPO)


def one_month_after(day: date) -> date:
    """The Art. 12(3) deadline: the corresponding day of the next month, or its last day
    when the next month is shorter (ICO guidance)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sar_create(*, actor: User, person: Person, received_on: date) -> SubjectAccessRequest:
    """Record a subject access request for `person`, due one month from `received_on`."""
    require(is_dpo(actor), "Only the data protection officer records subject access requests.")
    if received_on > timezone.localdate():
        raise PrivacyError("Enter a request date that is today or in the past.")
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.create(
            kind=person.kind,
            subject=person.ref,
            subject_label=person.label[:200],
            received_on=received_on,
            due_on=one_month_after(received_on),
            recorded_by=actor,
        )
        record(
            actor,
            "privacy.sar_recorded",
            sar,
            data={"kind": person.kind, "due_on": sar.due_on.isoformat()},
        )
    return sar


def sar_produce(*, actor: User, sar: SubjectAccessRequest) -> bytes:
    """Build the person's bundle (zip) and record that it was produced."""
    require(is_dpo(actor), "Only the data protection officer produces subject access bundles.")
    bundle = bundle_for(sar.subject)
    if bundle is None:
        raise PrivacyError("This person's records have been disposed of: nothing is held.")
    content = render_zip(bundle, request_id=sar.pk, due_on=sar.due_on)
    with transaction.atomic():
        sar.produced_at = timezone.now()
        sar.produced_count += 1
        sar.save(update_fields=["produced_at", "produced_count"])
        record(
            actor,
            "privacy.sar_produced",
            sar,
            data={
                "kind": sar.kind,
                "sections": len(bundle.sections),
                "rows": sum(len(s.rows) for s in bundle.sections),
                "bytes": len(content),
            },
        )
    return content


def sar_close(*, actor: User, sar: SubjectAccessRequest) -> None:
    require(is_dpo(actor), "Only the data protection officer closes requests.")
    if sar.closed_at:
        raise PrivacyError("This request is already closed.")
    with transaction.atomic():
        sar.closed_at = timezone.now()
        sar.save(update_fields=["closed_at"])
        record(
            actor, "privacy.sar_closed", sar, data={"on_time": timezone.localdate() <= sar.due_on}
        )


def rights_request_create(
    *, actor: User, person: Person, kind: str, received_on: date, details: str
) -> RightsRequest:
    require(is_dpo(actor), "Only the data protection officer records rights requests.")
    with transaction.atomic():
        req = RightsRequest.objects.create(
            kind=kind,
            subject_kind=person.kind,
            subject=person.ref,
            subject_label=person.label[:200],
            received_on=received_on,
            details=details,
            recorded_by=actor,
        )
        record(actor, "privacy.rights_recorded", req, data={"kind": kind})
    return req


def rights_request_decide(
    *, actor: User, req: RightsRequest, outcome: str, reason: str
) -> RightsRequest:
    """Record the outcome. A refusal or a partial one must give its reason and legal basis
    (shown in the person's subject access bundle)."""
    require(is_dpo(actor), "Only the data protection officer decides rights requests.")
    if outcome == RightsRequest.Outcome.OPEN:
        raise PrivacyError("Choose an outcome.")
    if outcome != RightsRequest.Outcome.DONE and not reason.strip():
        raise PrivacyError("Give the reason and the law that lets the trust keep the data.")
    with transaction.atomic():
        req.outcome, req.outcome_reason, req.decided_at = outcome, reason, timezone.now()
        req.save(update_fields=["outcome", "outcome_reason", "decided_at"])
        record(actor, "privacy.rights_decided", req, data={"outcome": outcome})
    return req


def remind_deadlines(today: date | None = None) -> int:
    """Beat task: remind the data protection officers of open requests due within
    PRIVACY_SAR_REMIND_DAYS or overdue (once a day per request)."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.PRIVACY_SAR_REMIND_DAYS)
    due = list(SubjectAccessRequest.objects.filter(closed_at__isnull=True, due_on__lte=soon))
    dpos = list(trust_role_holders(TrustRoleKind.DPO))
    sent = 0
    for sar in due:
        with transaction.atomic():
            sent += len(
                notify(
                    dpos,
                    SAR_DUE,
                    context={"request": sar.pk, "due_on": sar.due_on.isoformat()},
                    link=reverse("privacy:sar_detail", args=[sar.pk]),
                    dedupe_key=f"privacy.sar_due:{sar.pk}:{today.isoformat()}",
                )
            )
    return sent
