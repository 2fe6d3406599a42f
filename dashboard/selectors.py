"""What a person's home page shows, by role (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Membership
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.selectors import trust_roles_of
from accounts.types import Viewer
from portal.home_cards import (
    CARD_PROVIDERS,
    CardProvider,
    CardQuery,
    HomeCard,
    card_provider,
    count_cards,
    home_cards,
    register_home_cards,
)

__all__ = [
    "CARD_PROVIDERS",
    "CardProvider",
    "CardQuery",
    "HomeCard",
    "HomeSection",
    "card_provider",
    "count_cards",
    "home_cards",
    "home_sections",
    "register_home_cards",
]


@dataclass
class HomeSection:
    """One block of the home page: a role the person holds and what it lets them do."""

    title: str
    role: str
    school_id: int | None = None
    duties: str = ""
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


ROLE_DUTIES: dict[str, str] = {
    SchoolRole.STAFF: "Report apparent breaches of the policy (7.3), declare personal sites "
    "that mention your employment (5.5) and acknowledge policies.",
    SchoolRole.TEACHER: "Register educational social media accounts (4.2), keep their login "
    "details in escrow (4.5c) and check consent before publishing (4.5e).",
    SchoolRole.LEADER: "Approve or reject official accounts (4.2), review them each year "
    "(4.5d) and receive reports of inappropriate comments (4.5h).",
    SchoolRole.HEADTEACHER: "Everything a leader does, and the school's breach cases (7.3).",
    SchoolRole.SAFEGUARDING_LEAD: "Breach reports that involve students, such as friend "
    "requests from students (5.12).",
    SchoolRole.CONSENT_ADMIN: "Keep parent and carer consent records and import them from "
    "the school's MIS (4.5e).",
    TrustRoleKind.TRUST_ADMIN: "Schools, people, roles and trust-wide policies.",
    TrustRoleKind.TRUST_HR: "Cases escalated by schools and cases about a headteacher.",
    TrustRoleKind.TRUSTEE: "Figures across the trust; never personal data.",
    TrustRoleKind.DPO: "Subject access, erasure and rectification requests, and the "
    "retention schedule (UK GDPR).",
}


SCHOOL_ROLE_LABELS = dict(SchoolRole.choices)


def home_sections(user: Viewer) -> list[HomeSection]:
    """The person's trust roles, then their school roles by school name (one query)."""
    sections = [
        HomeSection(title=TrustRoleKind(role).label, role=role, duties=ROLE_DUTIES.get(role, ""))
        for role in sorted(trust_roles_of(user))
    ]
    memberships = Membership.objects.filter(user=user).values_list(
        "role", "school_id", "school__name"
    )
    for role, school_id, school_name in memberships:
        sections.append(
            HomeSection(
                title=f"{SCHOOL_ROLE_LABELS.get(role, role)} — {school_name}",
                role=role,
                school_id=school_id,
                duties=ROLE_DUTIES.get(role, ""),
            )
        )
    return sections
