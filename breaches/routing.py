"""Who a breach report reaches: the rules of 7.3, 5.12 and 4.5(h) in one place.

    category × the subject's roles × students involved  →  recipient roles

- Every report goes to the headteacher of the school (7.3).
- Students involved, or a friend request or contact from a student (5.12): also the
  safeguarding lead.
- An inappropriate comment on an official account (4.5h): also the leadership team.
- About the headteacher: trust HR / executive instead of the headteacher.
- About the safeguarding lead: the headteacher only.
- Nobody is ever told about a report about themselves (resolved per person, not per role).
- A school without anyone in the routed roles falls back to trust HR, so no report is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import SchoolRole, TrustRoleKind

from .models import Category


@dataclass(frozen=True)
class Route:
    school_roles: frozenset[str]
    trust_roles: frozenset[str]


def route(
    category: str, subject_roles: frozenset[str] | set[str], students_involved: bool
) -> Route:
    school = {SchoolRole.HEADTEACHER}
    trust: set[str] = set()
    if students_involved or category == Category.STUDENT_CONTACT:
        school.add(SchoolRole.SAFEGUARDING_LEAD)
    if category == Category.INAPPROPRIATE_COMMENT:
        school.add(SchoolRole.LEADER)
    if SchoolRole.SAFEGUARDING_LEAD in subject_roles:
        school = {SchoolRole.HEADTEACHER}
    if SchoolRole.HEADTEACHER in subject_roles:
        school.discard(SchoolRole.HEADTEACHER)
        trust.add(TrustRoleKind.TRUST_HR)
    return Route(frozenset(school), frozenset(trust))


def recipients(case) -> list:
    """The people a case reaches, never its subject; trust HR when nobody else would."""
    from accounts.selectors import holders_of_role, school_roles_of, trust_role_holders

    subject_roles = (
        {role for school_id, role in school_roles_of(case.subject) if school_id == case.school_id}
        if case.subject
        else set()
    )
    r = route(case.category, frozenset(subject_roles), case.students_involved)
    people = []
    if r.school_roles:
        people += list(holders_of_role(case.school_id, *r.school_roles))
    if r.trust_roles:
        people += list(trust_role_holders(*r.trust_roles))
    people = [p for p in people if p.pk != case.subject_id]
    if not people:
        people = [p for p in trust_role_holders(TrustRoleKind.TRUST_HR) if p.pk != case.subject_id]
    seen: set[int] = set()
    return [p for p in people if not (p.pk in seen or seen.add(p.pk))]
