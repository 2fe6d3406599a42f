"""Which audit entries belong to which data subject (audit/personal.py's registry): entries
about a student's records end with the student; a carer's with the carer. Registered here,
above the apps whose models they name, so no lower app imports this one."""

from __future__ import annotations

from audit.personal import register_subject, subject_ref
from consents.models import (
    Carer,
    ConsentDecision,
    CurrentConsent,
    PublicationStudent,
    Student,
    StudentCarer,
    Takedown,
)


def student_ref(pk: int) -> str:
    return subject_ref(Student, pk)


def carer_ref(pk: int) -> str:
    return subject_ref(Carer, pk)


def _of_student(obj) -> str | None:
    return student_ref(obj.student_id) if obj.student_id else None


def register_all() -> None:
    """Called once from PrivacyConfig.ready()."""
    register_subject(Student)
    register_subject(Carer)
    # A decision names its carer and its student: it is part of the student's record (the
    # carer's data about this child ends with the child's record).
    for model in (StudentCarer, ConsentDecision, CurrentConsent, PublicationStudent, Takedown):
        register_subject(model, _of_student)
