"""Building policies for tests through the real services (never by hand)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from policies.models import ApprovingBody, Policy, PolicyCategory
from policies.services import policy_create

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "policy.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def docx(name: str = "policy.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, docx_bytes(), content_type="application/octet-stream")


def school_policy(world, school=None, *, title="School E-safety Policy", review_in_days=400,
                  owner=None, approved_days_ago=30) -> Policy:  # fmt: skip
    school = school or world.school_a
    today = timezone.localdate()
    return policy_create(
        actor=world.trust_admin,
        trust=world.trust,
        school=school,
        title=title,
        category=PolicyCategory.ESAFETY,
        owner=owner or (world.head_a if school == world.school_a else world.head_b),
        approving_body=ApprovingBody.LOCAL_GOVERNING_BODY,
        approved_on=today - timedelta(days=approved_days_ago),
        review_due=today + timedelta(days=review_in_days),
        review_interval_months=12,
        document=pdf(),
    )


def trust_policy(world, *, title="Staff Code of Conduct", review_in_days=400, owner=None) -> Policy:
    today = timezone.localdate()
    return policy_create(
        actor=world.trust_admin,
        trust=world.trust,
        school=None,
        title=title,
        category=PolicyCategory.CODE_OF_CONDUCT,
        owner=owner or world.trust_admin,
        approving_body=ApprovingBody.TRUST_BOARD,
        approved_on=today - timedelta(days=30),
        review_due=today + timedelta(days=review_in_days),
        review_interval_months=24,
        document=pdf(),
    )


def social_media_policy(world) -> Policy:
    return Policy.objects.get(trust=world.trust, school__isnull=True, code="social-media")


SEED_APPROVED_ON = date(2021, 3, 23)
SEED_REVIEW_DUE = date(2023, 3, 31)
