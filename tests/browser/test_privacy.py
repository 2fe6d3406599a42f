"""Issue 19 in Chromium: the data protection officer records a subject access request for a
student and downloads the bundle (a zip with a page and CSV files, the student's name in it,
no carer's name)."""

from __future__ import annotations

import io
import zipfile
from io import StringIO

from django.core.management import call_command

from consents.models import Student

from .test_channels import sign_in


def test_dpo_produces_a_subject_access_bundle(new_visitor):
    call_command("load_demo", stdout=StringIO())
    student = Student.objects.filter(carer_links__isnull=False).select_related("school").first()
    carer_names = list(student.carers.values_list("name", flat=True))
    dpo = new_visitor("dpo")
    sign_in(dpo, "dpo@starmat.example")
    dpo.follow("Subject access requests", slug="dpo-sar-list")
    dpo.page.locator('input[name="kind"][value="student"]').check()
    dpo.page.locator('[name="school"]').select_option(value=str(student.school_id))
    dpo.fill("identifier", student.mis_id)
    dpo.fill("received_on", "1/12/2026")
    dpo.submit("Record the request", slug="dpo-sar-recorded")
    assert "1 January 2027" in dpo.text()
    with dpo.page.expect_download() as download:
        dpo.page.get_by_role("button", name="Download the bundle").click()
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as zf:
        index = zf.read("index.html").decode()
        assert any(name.endswith(".csv") for name in zf.namelist())
    assert student.family_name in index
    assert not any(name in index for name in carer_names)
