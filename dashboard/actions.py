"""Each role's main actions, offered on the home page (issue 18: pages that tell people what to
do). Links only: what a person may do is still decided by each view; every action here is one
the role's menu already offers."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import SchoolRole, TrustRoleKind

# role -> [(label, URL name)], most used first. The first two of each role the person holds
# are also the page's quick actions at the top.
ROLE_ACTIONS: dict[str, list[tuple[str, str]]] = {
    SchoolRole.STAFF: [
        ("Report a breach", "breaches:report"),
        ("Policies to read", "policies:mine"),
        ("Declare a personal site (5.5)", "breaches:declaration_list"),
        ("My reports", "breaches:my_reports"),
    ],
    SchoolRole.TEACHER: [
        ("Check before publishing", "consents:check"),
        ("Report a breach", "breaches:report"),
        ("Register an official account", "channels:account_create"),
        ("Official accounts", "channels:account_list"),
        ("Login details (escrow)", "escrow:index"),
    ],
    SchoolRole.LEADER: [
        ("Approvals and reviews", "channels:queue"),
        ("Breach cases", "breaches:case_list"),
        ("Official accounts", "channels:account_list"),
        ("School dashboard", "dashboard:trust"),
        ("Report a breach", "breaches:report"),
    ],
    SchoolRole.HEADTEACHER: [
        ("Breach cases", "breaches:case_list"),
        ("Approvals and reviews", "channels:queue"),
        ("School dashboard", "dashboard:trust"),
        ("Policy register", "policies:list"),
        ("Who has not acknowledged", "policies:outstanding"),
    ],
    SchoolRole.SAFEGUARDING_LEAD: [
        ("Breach cases", "breaches:case_list"),
        ("Report a breach", "breaches:report"),
        ("Consent records", "consents:student_list"),
    ],
    SchoolRole.CONSENT_ADMIN: [
        ("Consent records", "consents:student_list"),
        ("Import students from the MIS", "consents:import_start"),
        ("Consent coverage", "consents:coverage"),
        ("Report a breach", "breaches:report"),
    ],
    TrustRoleKind.TRUST_ADMIN: [
        ("People", "accounts:person_list"),
        ("Policy register", "policies:list"),
        ("Schools", "accounts:school_list"),
        ("Official accounts", "channels:account_list"),
        ("Audit log", "audit:list"),
    ],
    TrustRoleKind.TRUST_HR: [
        ("Breach cases", "breaches:case_list"),
        ("Due for disposal", "breaches:disposals"),
    ],
    TrustRoleKind.TRUSTEE: [
        ("Trustees' dashboard", "dashboard:trust"),
    ],
    TrustRoleKind.DPO: [
        ("Subject access requests", "privacy:sar_list"),
        ("Retention and disposal", "privacy:retention"),
        ("Erasure and rectification", "privacy:rights_list"),
    ],
}
QUICK_PER_ROLE = 2


def actions_for(role: str) -> list[tuple[str, str]]:
    """(label, URL) pairs of the role's actions."""
    return [(label, reverse(name)) for label, name in ROLE_ACTIONS.get(role, [])]


def quick_actions(sections) -> list[tuple[str, str]]:
    """The first actions of each role the person holds, without repeats, at most four."""
    quick: list[tuple[str, str]] = []
    for section in sections:
        for label, url in section.actions[:QUICK_PER_ROLE]:
            if (label, url) not in quick:
                quick.append((label, url))
    return quick[:4]
