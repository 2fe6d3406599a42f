"""The import uses the rows the preview checked (kept in the cache under a digest of all the
reading depends on), and reads the file again whenever they may differ."""

import pytest
from django.core.cache import cache

from consents import imports
from consents.imports import ImportRefused, import_confirm, import_preview
from consents.models import ImportBatch, Student, StudentCarer

from .test_import_merge import csv_bytes, row

DATA = csv_bytes(
    [
        row("R1", "Ó Sé", "Dáithí", c1=("Pat Ó Sé", "Mother", "pat@example.org")),
        row("R2", "Nguyễn", "Thảo", year="8", c1=("Lan", "Aunt", "lan@example.org"),
            c2=("Pat Ó Sé", "Carer", "PAT@example.org")),
    ]
)  # fmt: skip


def preview(world):
    batch = import_preview(
        actor=world.office_a, school=world.school_a, file_name="m.csv", data=DATA
    )
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.errors
    return batch


def written():
    links = StudentCarer.objects.order_by("student__mis_id", "carer__name")
    return sorted(Student.objects.values_list("mis_id", "given_name", "year_group")), [
        (link.student.mis_id, link.carer.name, link.carer.email, link.relationship)
        for link in links
    ]


EXPECTED = (
    [("R1", "Dáithí", "7"), ("R2", "Thảo", "8")],
    [
        ("R1", "Pat Ó Sé", "pat@example.org", "Mother"),
        ("R2", "Lan", "lan@example.org", "Aunt"),
        ("R2", "Pat Ó Sé", "pat@example.org", "Carer"),
    ],
)


def count_reads(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = imports.read

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "read", counted)
    return calls


def test_the_import_uses_the_rows_the_preview_checked(world, monkeypatch):
    cache.clear()
    batch = preview(world)
    calls = count_reads(monkeypatch)
    done = import_confirm(actor=world.office_a, batch=batch)
    assert done.status == ImportBatch.Status.DONE
    assert calls == []  # the file was not read again
    assert written() == EXPECTED


def test_without_the_kept_rows_the_file_is_read_again_to_the_same_result(world, monkeypatch):
    batch = preview(world)
    cache.clear()  # evicted, or another cache
    calls = count_reads(monkeypatch)
    done = import_confirm(actor=world.office_a, batch=batch)
    assert done.status == ImportBatch.Status.DONE
    assert calls == [1]
    assert written() == EXPECTED


def test_a_change_the_reading_depends_on_reads_the_file_again(world):
    cache.clear()
    batch = preview(world)
    # The school now teaches 4 to 11 year-olds: years 7 and 8 are no longer taught, so the
    # rows kept by the preview (digest with the old year groups) must not be used.
    world.school_a.age_from, world.school_a.age_to = 4, 11
    world.school_a.save(update_fields=["age_from", "age_to"])
    with pytest.raises(ImportRefused, match="no longer reads cleanly"):
        import_confirm(actor=world.office_a, batch=batch)
    assert not Student.objects.exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.FAILED
