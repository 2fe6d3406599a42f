"""Reads of the privacy app (issue 19): the person a request is about, their bundle, the
request lists (DPO only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import School, User
from accounts.roles import TrustRoleKind
from accounts.selectors import has_trust_role
from consents.models import Carer, Student

from .bundle import Bundle, carer_bundle, staff_bundle, student_bundle, user_ref
from .models import RightsRequest, SubjectAccessRequest, SubjectKind
from .subjects import carer_ref, student_ref


@dataclass(frozen=True)
class Person:
    kind: str
    ref: str
    label: str


def find_person(kind: str, identifier: str, school: School | None = None) -> Person | None:
    """The person a DPO names: staff by email; a carer by email at a school; a student by
    MIS id at a school. None when there is no such record (or it was disposed of)."""
    identifier = identifier.strip()
    if kind == SubjectKind.STAFF:
        user = User.objects.filter(email__iexact=identifier).first()
        if user is None:
            return None
        return Person(kind, user_ref(user.pk), user.get_full_name() or user.email)
    if school is None:
        return None
    if kind == SubjectKind.STUDENT:
        student = Student.objects.filter(school=school, mis_id=identifier).first()
        return Person(kind, student_ref(student.pk), str(student)) if student else None
    if kind == SubjectKind.CARER:
        carer = Carer.objects.filter(school=school, email__iexact=identifier).order_by("pk").first()
        return Person(kind, carer_ref(carer.pk), carer.name) if carer else None
    return None


def bundle_for(ref: str) -> Bundle | None:
    """The bundle of the record `ref` names, or None once it is gone."""
    label, _, pk = ref.partition(":")
    if not pk.isdigit():
        return None
    if label == "accounts.user":
        user = User.objects.filter(pk=pk).first()
        return staff_bundle(user) if user else None
    if label == "consents.student":
        student = Student.objects.select_related("school").filter(pk=pk).first()
        return student_bundle(student) if student else None
    if label == "consents.carer":
        carer = Carer.objects.select_related("school").filter(pk=pk).first()
        return carer_bundle(carer) if carer else None
    return None


def requests_visible_to(user: User) -> QuerySet[SubjectAccessRequest]:
    if not has_trust_role(user, TrustRoleKind.DPO):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.all()


def rights_requests_visible_to(user: User) -> QuerySet[RightsRequest]:
    if not has_trust_role(user, TrustRoleKind.DPO):
        return RightsRequest.objects.none()
    return RightsRequest.objects.all()
