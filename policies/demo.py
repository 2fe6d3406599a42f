"""Demo policies: the Social Media Policy as approved (overdue), the clause 8.1 policies
trust-wide and per school, an adoption with a local variant and some acknowledgements.
Idempotent: each policy is looked up by title before it is created."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Acknowledgement, ApprovingBody, Policy, PolicyAdoption, PolicyCategory
from .services import (
    policy_acknowledge,
    policy_adopt,
    policy_create,
    policy_owner_set,
    policy_review_record,
)

SMP_APPROVED_ON = date(2021, 3, 23)
SMP_REVIEW_DUE = date(2023, 3, 31)  # "March 2023", recorded as the last day of the month
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str) -> ContentFile:
    return ContentFile(MINIMAL_PDF, name=f"{name}.pdf")


def _ensure(ctx, *, title, school, category, owner, body, approved_days_ago, due_in_days):
    existing = Policy.objects.filter(trust=ctx.trust, school=school, title=title).first()
    if existing:
        return existing
    today = timezone.localdate()
    return policy_create(
        actor=ctx.people["admin"],
        trust=ctx.trust,
        school=school,
        title=title,
        category=category,
        owner=owner,
        approving_body=body,
        approved_on=today - timedelta(days=approved_days_ago),
        review_due=today + timedelta(days=due_in_days),
        review_interval_months=24,
        document=_pdf(title.lower().replace(" ", "-")),
    )


def _variants(ctx, code: Policy) -> None:
    """Local variants with their own approval and review dates (issue 15): Riverside's Code of
    Conduct was written against version 1, and the trust has approved version 2 since, so it
    says the trust version moved on; Northfield's Managing Allegations follows the current
    trust version."""
    admin = ctx.people["admin"]
    today = timezone.localdate()
    if code.versions.count() == 1:
        policy_review_record(
            actor=admin,
            policy=code,
            new_version=True,
            approved_on=today - timedelta(days=30),
            approved_by=ApprovingBody.TRUST_BOARD,
            next_review_due=today + timedelta(days=700),
            document=_pdf("staff-code-of-conduct-v2"),
            summary="Section on personal devices rewritten.",
        )
    allegations = Policy.objects.get(
        trust=ctx.trust, school__isnull=True, title="Managing Allegations Against Staff"
    )
    northfield = ctx.schools["northfield"]
    if not PolicyAdoption.objects.filter(policy=allegations, school=northfield).exists():
        policy_adopt(
            actor=admin,
            policy=allegations,
            school=northfield,
            adopted_on=today - timedelta(days=60),
            local_variant_document=_pdf("northfield-allegations"),
            approved_by=ApprovingBody.HEADTEACHER,
            approved_on=today - timedelta(days=62),
            review_due=today + timedelta(days=365),
        )


def load(ctx) -> None:
    admin = ctx.people["admin"]
    smp = Policy.objects.filter(trust=ctx.trust, school__isnull=True, code="social-media").first()
    if smp is None:
        # The data migration seeded the first trust; a demo trust created later gets its own.
        smp = policy_create(
            actor=admin,
            trust=ctx.trust,
            school=None,
            title="Social Media Policy",
            category=PolicyCategory.SOCIAL_MEDIA,
            code="social-media",
            owner=admin,
            approving_body=ApprovingBody.TRUST_BOARD,
            approved_on=SMP_APPROVED_ON,
            review_due=SMP_REVIEW_DUE,
            review_interval_months=24,
        )
    if smp.owner_id is None:
        policy_owner_set(actor=None, policy=smp, owner=admin)
    trust_wide = [
        ("Managing Allegations Against Staff", PolicyCategory.ALLEGATIONS, 700, 40),
        ("Disciplinary Policy", PolicyCategory.DISCIPLINARY, 200, 500),
        ("Staff Code of Conduct", PolicyCategory.CODE_OF_CONDUCT, 300, 420),
        ("Resolving Issues at Work Policy", PolicyCategory.RESOLVING_ISSUES, 750, -20),
    ]
    for title, category, ago, due in trust_wide:
        _ensure(ctx, title=title, school=None, category=category, owner=admin,
                body=ApprovingBody.TRUST_BOARD, approved_days_ago=ago, due_in_days=due)  # fmt: skip
    for slug, esafety_due in (("northfield", -45), ("riverside", 25), ("oakwood", 300)):
        school = ctx.schools[slug]
        head = ctx.people[f"{slug}.head"]
        _ensure(ctx, title="School E-safety Policy", school=school, category=PolicyCategory.ESAFETY,
                owner=head, body=ApprovingBody.LOCAL_GOVERNING_BODY, approved_days_ago=400,
                due_in_days=esafety_due)  # fmt: skip
        _ensure(ctx, title="School ICT Policies", school=school, category=PolicyCategory.ICT,
                owner=head, body=ApprovingBody.HEADTEACHER, approved_days_ago=100,
                due_in_days=270)  # fmt: skip
    code = Policy.objects.get(trust=ctx.trust, school__isnull=True, title="Staff Code of Conduct")
    riverside = ctx.schools["riverside"]
    if not PolicyAdoption.objects.filter(policy=code, school=riverside).exists():
        policy_adopt(actor=admin, policy=code, school=riverside,
                     adopted_on=timezone.localdate() - timedelta(days=200),
                     local_variant_document=_pdf("riverside-code-of-conduct"))  # fmt: skip
    _variants(ctx, code)
    oakwood = ctx.schools["oakwood"]
    if not PolicyAdoption.objects.filter(policy=code, school=oakwood).exists():
        policy_adopt(actor=admin, policy=code, school=oakwood,
                     adopted_on=timezone.localdate() - timedelta(days=150))  # fmt: skip
    # Some acknowledgements, so the dashboard's rates are not all zero.
    from .selectors import policies_for_acknowledgement

    for key in ("northfield.teacher", "northfield.leader", "riverside.staff", "oakwood.head"):
        person = ctx.people[key]
        if Acknowledgement.objects.filter(user=person).exists():
            continue  # already done on an earlier run
        for policy in policies_for_acknowledgement(person).filter(acknowledged=False)[:3]:
            policy_acknowledge(user=person, policy=policy)
    ctx.hints.append(
        "Policies: the Social Media Policy (approved 23 March 2021, review March 2023) is "
        "overdue; see /policies/ and the trustees' dashboard at /trust/ (which names every "
        "overdue policy). Riverside's local Code of Conduct has its own dates and says the trust "
        "version moved on."
    )
