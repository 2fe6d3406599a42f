"""The policy register: the seeded Social Media Policy, adding policies, documents, access."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from policies.models import ApprovingBody, Policy, PolicyCategory, ReviewStatus
from policies.services import PolicyError, policy_create

from .helpers import (
    PDF_BYTES,
    SEED_APPROVED_ON,
    SEED_REVIEW_DUE,
    docx,
    pdf,
    school_policy,
    social_media_policy,
)


def _create_data(world, **overrides):
    data = {
        "school": str(world.school_a.pk),
        "title": "School ICT Policies",
        "category": PolicyCategory.ICT,
        "owner": str(world.head_a.pk),
        "approving_body": ApprovingBody.HEADTEACHER,
        "approved_on": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "review_due": "",
        "review_interval_months": "12",
        "requires_acknowledgement": "on",
        "document": pdf(),
    }
    data.update(overrides)
    return data


def test_fresh_installation_has_the_social_media_policy_as_approved_and_overdue(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("policies.migrations.0002_seed_social_media_policy")
    assert migration.Migration.operations[0].code is migration.seed
    migration.seed(apps, None)  # a second run changes nothing
    assert Policy.objects.filter(code="social-media").count() == 1
    policy = social_media_policy(world)
    assert policy.is_trust_wide
    assert policy.get_approving_body_display() == "Trust Board"
    assert policy.current_version.approved_on == SEED_APPROVED_ON == date(2021, 3, 23)
    assert policy.current_version.approved_by == ApprovingBody.TRUST_BOARD
    assert policy.review_due == SEED_REVIEW_DUE == date(2023, 3, 31)
    assert policy.review_status == ReviewStatus.OVERDUE


def test_register_shows_the_overdue_social_media_policy_with_a_text_label(world, client_for):
    body = client_for("teacher_a").get(reverse("policies:list")).content.decode()
    assert "Social Media Policy" in body
    assert 'data-status="overdue"' in body
    assert "Overdue" in body  # the words, not only the red colour
    assert "31 March 2023" in body


def test_headteacher_adds_a_school_policy_with_review_date_from_the_interval(world, client_for):
    response = client_for("head_a").post(reverse("policies:create"), _create_data(world))
    assert response.status_code == 302
    policy = Policy.objects.get(title="School ICT Policies")
    assert policy.school == world.school_a
    approved = timezone.localdate() - timedelta(days=10)
    assert policy.current_version.approved_on == approved
    assert policy.review_due.year == approved.year + 1
    assert policy.current_version.content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="policy.created", target_id=str(policy.pk)).exists()


def test_headteacher_cannot_add_a_policy_for_another_school(world, client_for):
    data = _create_data(world, school=str(world.school_b.pk))
    response = client_for("head_a").post(reverse("policies:create"), data)
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert not Policy.objects.filter(title="School ICT Policies").exists()


def test_headteacher_cannot_add_a_trust_wide_policy(world, client_for):
    response = client_for("head_a").post(
        reverse("policies:create"), _create_data(world, school="trust")
    )
    assert response.status_code == 200
    assert not Policy.objects.filter(title="School ICT Policies").exists()


def test_trust_admin_adds_a_trust_wide_policy(world, client_for):
    data = _create_data(world, school="trust", owner=str(world.trust_admin.pk))
    response = client_for("trust_admin").post(reverse("policies:create"), data)
    assert response.status_code == 302
    assert Policy.objects.get(title="School ICT Policies").school is None


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused_and_nothing_changes(world, client_for):
    fake = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for("head_a").post(
        reverse("policies:create"), _create_data(world, document=fake)
    )
    assert response.status_code == 200
    assert "PDF or a Word" in str(response.context["form"].errors["document"])
    assert not Policy.objects.filter(title="School ICT Policies").exists()


def test_a_zip_that_is_not_a_word_document_is_refused(world):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("payload.exe", "x")
    upload = SimpleUploadedFile("policy.docx", buffer.getvalue())
    with pytest.raises(PolicyError, match="PDF or a Word"):
        policy_create(
            actor=world.trust_admin, trust=world.trust, school=world.school_a, title="T",
            category=PolicyCategory.ICT, owner=None, approving_body=ApprovingBody.HEADTEACHER,
            approved_on=timezone.localdate(), review_interval_months=12, document=upload,
        )  # fmt: skip


def test_a_word_document_is_accepted(world, client_for):
    response = client_for("head_a").post(
        reverse("policies:create"), _create_data(world, document=docx())
    )
    assert response.status_code == 302
    version = Policy.objects.get(title="School ICT Policies").current_version
    assert version.content_type.endswith("wordprocessingml.document")
    assert version.document.name.endswith(".docx")


def test_an_oversized_document_is_refused(world, client_for, settings):
    settings.POLICIES_MAX_DOCUMENT_BYTES = 100
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200)
    response = client_for("head_a").post(
        reverse("policies:create"), _create_data(world, document=big)
    )
    assert response.status_code == 200
    assert "too large" in str(response.context["form"].errors["document"])


def test_a_review_date_before_the_approval_date_is_refused(world, client_for):
    data = _create_data(world, review_due="2000-01-01", review_interval_months="")
    response = client_for("head_a").post(reverse("policies:create"), data)
    assert response.status_code == 200
    assert "review_due" in response.context["form"].errors


def test_the_document_downloads_as_an_attachment_with_its_content(world, client_for):
    policy = school_policy(world)
    response = client_for("staff_a").get(
        reverse("policies:download", args=[policy.current_version_id])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_stored_file_name_keeps_nothing_of_the_uploaded_name(world):
    policy = school_policy(world)
    assert "policy.pdf" not in policy.current_version.document.name
    assert policy.current_version.original_filename == "policy.pdf"


def test_another_schools_policy_and_a_missing_one_give_the_same_404(world, client_for):
    policy = school_policy(world)
    client = client_for("teacher_b")
    hidden = client.get(reverse("policies:detail", args=[policy.pk]))
    missing = client.get(reverse("policies:detail", args=[policy.pk + 10_000]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert AuditEntry.objects.filter(
        action="access.denied", data__lookup__pk=str(policy.pk)
    ).exists()


def test_register_of_school_b_staff_lists_no_school_a_policy(world, client_for):
    school_policy(world, title="Alder only policy")
    body = client_for("teacher_b").get(reverse("policies:list")).content.decode()
    assert "Alder only policy" not in body
    assert "Social Media Policy" in body


def test_register_query_count_does_not_grow_with_policies(world, client_for, count_queries):
    client = client_for("trust_admin")
    url = reverse("policies:list")
    school_policy(world, title="One")
    before = count_queries(client, url)
    for i in range(5):
        school_policy(world, title=f"More {i}")
        school_policy(world, school=world.school_b, title=f"B {i}")
    assert count_queries(client, url) == before


def test_a_version_whose_file_is_missing_answers_404(world, client_for):
    policy = school_policy(world)
    policy.current_version.document.delete(save=False)
    response = client_for("staff_a").get(
        reverse("policies:download", args=[policy.current_version_id])
    )
    assert response.status_code == 404


def test_register_searches_filters_by_review_status_and_keeps_its_query_count(
    world, client_for, count_queries
):
    from tests.policies.helpers import school_policy

    school_policy(world, title="Late policy", review_in_days=-3)
    school_policy(world, title="Fresh policy", review_in_days=300)
    client = client_for("head_a")
    url = reverse("policies:list")
    overdue = client.get(url, {"status": "overdue"}).content.decode()
    assert "Late policy" in overdue and "Fresh policy" not in overdue
    found = client.get(url, {"q": "fresh"}).content.decode()
    assert "Fresh policy" in found and "Late policy" not in found
    before = count_queries(client, url + "?q=policy")
    for i in range(4):
        school_policy(world, title=f"Extra policy {i}")
    assert count_queries(client, url + "?q=policy") == before
