"""MIS import: preview, all or nothing, idempotent re-import, leavers marked (issue 6)."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from consents.imports import ImportRefused, import_confirm, import_preview, import_progress
from consents.models import Carer, ColumnMapping, ImportBatch, Student, StudentCarer

EXAMPLES = Path(__file__).resolve().parents[2] / "consents" / "examples"
GOOD = (EXAMPLES / "sims-students.csv").read_bytes()
BAD = (EXAMPLES / "sims-students-with-errors.csv").read_bytes()


def counts(batch):
    return {k: batch.summary[k] for k in ("create", "change", "unchanged", "leave")}


def preview(world, data, **kw):
    return import_preview(
        actor=world.office_a, school=world.school_a, file_name="x.csv", data=data, **kw
    )


def test_preview_writes_nothing_and_counts_what_would_change(world):
    batch = preview(world, GOOD)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert counts(batch) == {"create": 5, "change": 0, "unchanged": 0, "leave": 0}
    assert not Student.objects.exists()


def test_confirm_writes_students_and_carers_with_names_unchanged(world):
    import_confirm(actor=world.office_a, batch=preview(world, GOOD))
    assert Student.objects.filter(school=world.school_a).count() == 5
    s = Student.objects.get(mis_id="A123456789012")
    assert (s.given_name, s.family_name, s.preferred_name, s.year_group) == (
        "Siobhán",
        "O'Brien",
        "Shiv",
        "7",
    )
    assert sorted(s.carers.values_list("name", flat=True)) == ["Liam O'Brien", "Máire O'Brien"]
    assert StudentCarer.objects.get(student=s, carer__name="Máire O'Brien").relationship == "Mother"
    assert ColumnMapping.objects.get(school=world.school_a).mapping["UPN"] == "mis_id"
    assert s.date_of_birth.isoformat() == "2015-03-14"


def test_reimporting_the_same_file_changes_nothing(world):
    import_confirm(actor=world.office_a, batch=preview(world, GOOD))
    before = list(Student.objects.order_by("pk").values())
    carers = Carer.objects.count()
    again = preview(world, GOOD)
    assert counts(again) == {"create": 0, "change": 0, "unchanged": 5, "leave": 0}
    import_confirm(actor=world.office_a, batch=again)
    assert list(Student.objects.order_by("pk").values()) == before
    assert Carer.objects.count() == carers


def test_students_missing_from_a_new_file_are_marked_left_not_deleted(world):
    import_confirm(actor=world.office_a, batch=preview(world, GOOD))
    lines = GOOD.decode("utf-8-sig").splitlines(keepends=True)
    shorter = "".join(lines[:-1]).encode()
    batch = preview(world, shorter)
    assert batch.summary["leave"] == 1
    import_confirm(actor=world.office_a, batch=batch, mark_left=True)
    gone = Student.objects.get(mis_id="E123456789012")
    assert gone.left_on is not None
    assert Student.objects.count() == 5


def test_a_file_with_errors_is_rejected_whole_with_every_reason(world):
    batch = preview(world, BAD)
    assert batch.status == ImportBatch.Status.REJECTED
    assert {line for line, _ in batch.errors} == {3, 4, 5, 6, 7}
    with pytest.raises(ImportRefused):
        import_confirm(actor=world.office_a, batch=batch)
    assert not Student.objects.exists()


def test_a_failure_part_way_writes_nothing(world, monkeypatch):
    from consents import imports

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports.staging, "link_carers", explode)
    with pytest.raises(RuntimeError):
        import_confirm(actor=world.office_a, batch=preview(world, GOOD))
    assert not Student.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


@override_settings(CONSENT_IMPORT_SYNC_ROWS=2)
def test_large_files_run_as_a_task_and_report_progress(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_confirm(actor=world.office_a, batch=preview(world, GOOD))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert import_progress(batch) == 5
    assert Student.objects.count() == 5


@pytest.mark.parametrize("persona", ["teacher_a", "leader_a", "office_b"])
def test_only_the_schools_consent_administrators_import(world, persona):
    with pytest.raises(PermissionDenied):
        import_preview(
            actor=world.people[persona], school=world.school_a, file_name="x.csv", data=GOOD
        )
