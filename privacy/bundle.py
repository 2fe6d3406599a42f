"""Everything the portal holds about one person, for a subject access request (UK GDPR
Art. 15; issue 19): sections of rows, rendered as one HTML page and one CSV per section in a
zip. Third parties are redacted (Art. 15(4)): a case subject never sees who reported them or
what handlers wrote; a carer sees their own choices, never the other carer's (nor the
"current consent", which is derived from both); staff who acted on a record are "a member of
staff". Personal parts of audit entries are opened with the subject's key (audit/personal.py);
once disposed of, they say so.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Membership, TrustRole, User
from audit.models import AuditEntry
from audit.personal import open_entries
from audit.selectors import activity_of
from breaches.models import BreachCase, Declaration
from channels.models import OfficialAccount
from consents.models import Carer, ConsentDecision, PublicationStudent, Student, StudentCarer
from escrow.models import Retrieval
from notifications.models import Notification
from policies.models import Acknowledgement

from .models import RightsRequest, SubjectKind
from .subjects import carer_ref, student_ref

STAFF = "a member of staff"
KEPT_NOTE = (
    "Some information is withheld: it names or was given by other people (UK GDPR "
    "Art. 15(4), DPA 2018 Sch. 2 para. 16), or is kept for safeguarding (Keeping Children "
    "Safe in Education) and is not disclosed where that could prejudice it."
)
AUDIT_LIMIT = 5000


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")


@dataclass
class Bundle:
    kind: str
    label: str
    sections: list[Section]
    produced_at: Any = field(default_factory=timezone.now)


def user_ref(pk: int) -> str:
    return f"accounts.user:{pk}"


def _audit_section(entries, *, own_actor_id: int | None = None) -> Section:
    s = Section(
        "Audit log entries",
        ["when", "action", "by", "record", "details"],
        note="What the portal recorded about you. Names of others are not shown.",
    )
    for e in open_entries(entries):
        by = "you" if own_actor_id and e.actor_id == own_actor_id else STAFF
        if not e.actor_id:
            by = "the system"
        extra = {k: v for k, v in e.personal.items() if k != "target_repr"}
        # The display text of a record about the person alone; a record that also names
        # others (a decision names its carer) shows its kind and number.
        own = e.subject and e.subject == f"{e.target_type.lower()}:{e.target_id}"
        s.rows.append(
            [e.created_at, e.action, by, e.shown_repr if own else e.target_repr, extra or ""]
        )
    return s


def _requests_section(subject: str) -> Section:
    s = Section(
        "Erasure and rectification requests",
        ["received", "request", "what was asked", "outcome", "reason"],
    )
    for r in RightsRequest.objects.filter(subject=subject).order_by("received_on"):
        s.rows.append(
            [
                r.received_on,
                r.get_kind_display(),
                r.details,
                r.get_outcome_display(),
                r.outcome_reason,
            ]
        )
        if r.outcome in (RightsRequest.Outcome.REFUSED, RightsRequest.Outcome.PARTLY):
            s.note = (
                "Where a request was refused or partly done, the law lets the trust keep the "
                "data (see the reason): for example safeguarding records (KCSIE) or records "
                "the trust must keep by law."
            )
    return s


def _decision_rows(decisions) -> list[list[Any]]:
    rows = []
    for d in decisions:
        items = ", ".join(
            f"{i.get_purpose_display()} ({i.get_medium_display()})" for i in d.items.all()
        )
        rows.append(
            [
                d.given_on,
                f"{d.school_year}/{(d.school_year + 1) % 100:02d}",
                d.get_method_display(),
                "withdrawal" if d.is_withdrawal else (items or "nothing allowed"),
                d.get_naming_display(),
            ]
        )
    return rows


def student_bundle(student: Student) -> Bundle:
    links = StudentCarer.objects.filter(student=student).order_by("pk")
    decisions = (
        ConsentDecision.objects.filter(student=student)
        .prefetch_related("items")
        .order_by("given_on", "pk")
    )
    details = Section(
        "Your details",
        ["school", "name", "preferred name", "year", "class", "MIS id", "on roll from", "left on"],
        [
            [
                student.school.name,
                f"{student.given_name} {student.family_name}",
                student.preferred_name,
                student.year_group,
                student.form,
                student.mis_id,
                student.on_roll_from,
                student.left_on,
            ]
        ],
    )
    carers = Section(
        "Parents and carers recorded",
        ["relationship"],
        [[link.relationship or "carer"] for link in links],
        note="Their names are their own personal data and are not shown here.",
    )
    consent = Section(
        "Photo and video consent decisions",
        ["given on", "school year", "how", "what was allowed", "naming"],
        _decision_rows(decisions),
        note="Each decision was given by a parent or carer; who gave it is not shown.",
    )
    posts = Section(
        "Posts you appear in",
        ["published on", "account", "link", "naming"],
        [
            [
                a.publication.published_on,
                str(a.publication.account),
                a.publication.post_url,
                a.get_naming_display(),
            ]
            for a in PublicationStudent.objects.filter(student=student).select_related(
                "publication__account"
            )
        ],
    )
    audit = _audit_section(
        AuditEntry.objects.filter(subject=student_ref(student.pk)).order_by("id")[:AUDIT_LIMIT]
    )
    return Bundle(
        SubjectKind.STUDENT,
        str(student),
        [details, carers, consent, posts, audit, _requests_section(student_ref(student.pk))],
    )


def carer_bundle(carer: Carer) -> Bundle:
    """The carer's own data: never another carer's choices, nor the state in force, which
    the more restrictive carer decides (it would reveal the other's choice)."""
    own = (
        ConsentDecision.objects.filter(carer=carer)
        .prefetch_related("items")
        .order_by("given_on", "pk")
    )
    details = Section(
        "Your details",
        ["school", "name", "email"],
        [[carer.school.name, carer.name, carer.email]],
    )
    children = Section(
        "Children you are recorded for",
        ["name", "relationship"],
        [
            [str(link.student), link.relationship]
            for link in StudentCarer.objects.filter(carer=carer).select_related("student")
        ],
    )
    consent = Section(
        "Your consent decisions",
        ["given on", "school year", "how", "what was allowed", "naming"],
        _decision_rows(own),
        note="Only the decisions you gave. Other carers' decisions are theirs and not shown.",
    )
    decision_ids = [str(pk) for pk in own.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(
        Q(subject=carer_ref(carer.pk))
        | Q(target_type=ConsentDecision._meta.label, target_id__in=decision_ids)
    ).order_by("id")[:AUDIT_LIMIT]
    return Bundle(
        SubjectKind.CARER,
        carer.name,
        [
            details,
            children,
            consent,
            _audit_section(entries),
            _requests_section(carer_ref(carer.pk)),
        ],
    )


def staff_bundle(user: User) -> Bundle:
    """A member of staff: their account and roles, what they did, what was sent to them, and
    the cases about them without the reporter, the description or the chronology."""
    details = Section(
        "Your details",
        ["name", "email", "active", "joined", "last sign-in"],
        [[user.get_full_name(), user.email, user.is_active, user.date_joined, user.last_login]],
    )
    roles = Section(
        "Roles",
        ["school", "role"],
        [
            [m.school.name, m.get_role_display()]
            for m in Membership.objects.filter(user=user).select_related("school")
        ]
        + [["whole trust", t.get_role_display()] for t in TrustRole.objects.filter(user=user)],
    )
    accounts = Section(
        "Official accounts you own or deputise",
        ["account", "status"],
        [
            [str(a), a.get_status_display()]
            for a in OfficialAccount.objects.filter(Q(owner=user) | Q(deputies=user)).distinct()
        ],
    )
    retrievals = Section(
        "Login details you retrieved",
        ["when", "account", "reason", "break-glass"],
        [
            [r.at, str(r.credential.account), r.reason, r.break_glass]
            for r in Retrieval.objects.filter(user=user).select_related("credential__account")
        ],
    )
    reports = Section(
        "Breach reports you made",
        ["reported", "category", "status"],
        [
            [c.created_at, c.get_category_display(), c.get_status_display()]
            for c in BreachCase.objects.filter(reporter=user)
        ],
    )
    about = BreachCase.objects.filter(subject=user).exclude(reporter=user)
    cases = Section(
        "Breach cases about you",
        ["opened", "category", "status", "outcome", "outcome summary", "closed", "kept until"],
        [
            [
                c.created_at.date(),
                c.get_category_display(),
                c.get_status_display(),
                c.get_outcome_display(),
                c.outcome_summary,
                c.closed_at,
                c.retention_until,
            ]
            for c in about
        ],
        note=KEPT_NOTE if about.exists() else "",
    )
    declarations = Section(
        "Declarations (5.5)",
        ["made", "site", "link", "acknowledged"],
        [
            [d.created_at, d.site, d.link, bool(d.acknowledged_at)]
            for d in Declaration.objects.filter(user=user)
        ],
    )
    acks = Section(
        "Policies you acknowledged",
        ["when", "policy version"],
        [
            [a.acknowledged_at, str(a.version)]
            for a in Acknowledgement.objects.filter(user=user).select_related("version")
        ],
    )
    notes = Section(
        "Notifications sent to you",
        ["when", "kind", "read", "email"],
        [
            [n.created_at, n.kind, bool(n.read_at), n.get_email_status_display()]
            for n in Notification.objects.filter(recipient=user).order_by("created_at")
        ],
    )
    audit = _audit_section(activity_of(user).order_by("id")[:AUDIT_LIMIT], own_actor_id=user.pk)
    return Bundle(
        SubjectKind.STAFF,
        user.get_full_name() or user.email,
        [
            details,
            roles,
            accounts,
            retrievals,
            reports,
            cases,
            declarations,
            acks,
            notes,
            audit,
            _requests_section(user_ref(user.pk)),
        ],
    )


def _cell(value: Any) -> str:
    from portal.csv_safety import csv_safe

    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return csv_safe(str(value))


def render_zip(bundle: Bundle, *, request_id: int, due_on) -> bytes:
    """index.html plus one CSV per section, in a zip (in memory: one person's data)."""
    html = render_to_string(
        "privacy/bundle.html", {"bundle": bundle, "request_id": request_id, "due_on": due_on}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("index.html", html)
        for n, section in enumerate(bundle.sections, start=1):
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(section.columns)
            writer.writerows([_cell(v) for v in row] for row in section.rows)
            zf.writestr(f"{n:02d}-{section.slug}.csv", out.getvalue())
    return buffer.getvalue()
