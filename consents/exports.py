"""The office's export of students with their decisions in force (issue 17), formula-safe.

Every cell goes through `csv_safe` (the portal's one CSV-safety helper), so a name an MIS
holds as "=HYPERLINK(...)" stays text in a spreadsheet. Exporting personal data is audited.
"""

from __future__ import annotations

import csv
import io

from accounts.models import User
from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from audit.services import record
from portal.csv_safety import csv_safe

from .selectors import student_export_rows


def students_export_csv(*, actor: User) -> str:
    """CSV text of the students on roll of the schools where `actor` keeps consent; audited
    (how many students, which schools), never the names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    rows = 0
    for row in student_export_rows(actor):
        writer.writerow([csv_safe(cell) for cell in row])
        rows += 1
    schools = school_ids_with_perm(actor, Perm.MANAGE_CONSENT)
    record(
        actor,
        "consent.students_exported",
        None,
        schools[0] if len(schools) == 1 else None,
        {"students": rows - 1, "schools": sorted(schools)},
    )
    return out.getvalue()
