"""Demo data of the privacy app: a subject access request and a refused erasure request,
so the data protection officer's pages have something to show (issue 19)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import RightsRequest, SubjectAccessRequest
from .selectors import find_person
from .services import rights_request_create, rights_request_decide, sar_create


def load(ctx) -> None:
    dpo, teacher = ctx.people.get("dpo"), ctx.people.get("northfield.teacher")
    if dpo is None or teacher is None or SubjectAccessRequest.objects.exists():
        return
    person = find_person("staff", teacher.email)
    sar_create(actor=dpo, person=person, received_on=timezone.localdate() - timedelta(days=20))
    req = rights_request_create(
        actor=dpo,
        person=person,
        kind=RightsRequest.Kind.ERASURE,
        received_on=timezone.localdate() - timedelta(days=5),
        details="Asked for the breach case about them to be deleted.",
    )
    rights_request_decide(
        actor=dpo,
        req=req,
        outcome=RightsRequest.Outcome.REFUSED,
        reason="Kept until its retention date: records of allegations about staff (KCSIE).",
    )
    ctx.hints.append("Data protection: a subject access request due in 10 days.")
