"""Routing as a table: category × subject's role × students involved → recipients (7.3, 5.12, 4.5h)."""

import pytest

from accounts.roles import SchoolRole as R
from accounts.roles import TrustRoleKind as T
from breaches.models import Category as C
from breaches.routing import route

H, D, L, HR = R.HEADTEACHER, R.SAFEGUARDING_LEAD, R.LEADER, T.TRUST_HR

TABLE = [
    # category, subject's roles, students involved, school roles, trust roles
    (C.INTERNET_MISUSE, set(), False, {H}, set()),
    (C.INTERNET_MISUSE, {R.TEACHER}, False, {H}, set()),
    (C.CONFIDENTIALITY, {R.TEACHER}, True, {H, D}, set()),
    (C.STUDENT_CONTACT, set(), False, {H, D}, set()),
    (C.STUDENT_CONTACT, {R.TEACHER}, False, {H, D}, set()),
    (C.INAPPROPRIATE_COMMENT, set(), False, {H, L}, set()),
    (C.INAPPROPRIATE_COMMENT, set(), True, {H, L, D}, set()),
    (C.BULLYING, {H}, False, set(), {HR}),
    (C.BULLYING, {H}, True, {D}, {HR}),
    (C.STUDENT_CONTACT, {H}, True, {D}, {HR}),
    (C.INAPPROPRIATE_COMMENT, {H}, False, {L}, {HR}),
    (C.BULLYING, {D}, False, {H}, set()),
    (C.STUDENT_CONTACT, {D}, True, {H}, set()),
    (C.INAPPROPRIATE_COMMENT, {D}, False, {H}, set()),
    (C.REPUTATION, {L}, False, {H}, set()),
    (C.OTHER, {R.CONSENT_ADMIN}, False, {H}, set()),
]


@pytest.mark.parametrize("category, subject_roles, students, school_roles, trust_roles", TABLE)
def test_routing_table(category, subject_roles, students, school_roles, trust_roles):
    r = route(category, frozenset(subject_roles), students)
    assert set(r.school_roles) == school_roles
    assert set(r.trust_roles) == trust_roles
