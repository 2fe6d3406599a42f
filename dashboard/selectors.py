"""What a person's home page shows, by role (reads only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Membership, School
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.selectors import trust_roles_of


@dataclass
class HomeSection:
    """One block of the home page: a role the person holds and what it lets them do."""

    title: str
    role: str
    school: School | None = None
    duties: str = ""
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


@dataclass
class HomeCard:
    """Something waiting for the person (a queue, a reminder), contributed by an app."""

    title: str
    count: int
    url: str
    tone: str = "secondary"  # bootstrap contextual class; the text always says the status


# Apps add providers from AppConfig.ready(): provider(user) -> list[HomeCard]. Each provider
# must use a fixed number of queries (the home page's query count is asserted).
CARD_PROVIDERS: list = []


def register_home_cards(provider) -> None:
    CARD_PROVIDERS.append(provider)


def home_cards(user) -> list[HomeCard]:
    cards: list[HomeCard] = []
    for provider in CARD_PROVIDERS:
        cards.extend(provider(user))
    return cards


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
}


def home_sections(user) -> list[HomeSection]:
    sections: list[HomeSection] = []
    for role in sorted(trust_roles_of(user)):
        sections.append(HomeSection(title=TrustRoleKind(role).label, role=role))
    memberships = Membership.objects.filter(user=user).select_related("school")
    for m in memberships:
        sections.append(
            HomeSection(
                title=f"{m.get_role_display()} — {m.school.name}", role=m.role, school=m.school
            )
        )
    for section in sections:
        section.duties = ROLE_DUTIES.get(section.role, "")
    return sections
