"""The driver of the largest-trust data set of the scale issue (issue 9), written set-based.

100 schools, 12,000 staff, 100,000 students, 200,000 carers, a million consent decisions,
3,000 official accounts with escrowed login details, 50,000 breach cases, 2,000 policies and
two million audit entries (multiplied by `scale`); with them what the pages of a real trust
show: policy reviews and acknowledgements, posts checked against consent and takedowns,
comment and fake-account reports, declarations and notifications. Rows are made inside
PostgreSQL with `INSERT ... SELECT generate_series(...)`, or streamed with COPY where Python
must compute them (sealed secrets, the audit hash chain): one row at a time through the ORM
would take hours.

Everything is written in one transaction, so the data set is either all there or absent, and
the trust named SCALE_TRUST_NAME marks it. Audit entries are appended to the existing chain
(with audit.services.record_many: keyed hashes, in one lane of the chain, held as record()
holds it) and can never be removed: the log is append-only (clause 6). reset() removes
everything else of the data set (on a database holding no other trust in use) before a new
build, in the same transaction.

Each app writes its own part beside its demo data: `<app>/scale.py` lists its STAGES (order
across the apps, name, function of the ScaleBuilder) and may define `reset(progress)` (the
accounts app's removes the data set). `build()` finds them through the app registry, as
load_demo finds `<app>/demo.py`, so this module imports no app. `manage.py seed_scale`
(accounts/management/commands/) runs it.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

SCALE_TRUST_NAME = "Scale Trust"
DOMAIN = "scale-trust.example"
BENCH_PASSWORD = "scale-bench-password"
# A fixed TOTP secret (hex, 20 bytes) for the printed logins above teacher, so a benchmark
# can compute codes; base32 of it is printed for an authenticator app.
TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
WORDING_VERSION = "scale-2020"

DEFAULT_COUNTS = {
    "schools": 100,
    "staff": 12_000,
    "students": 100_000,
    "carers": 200_000,
    "consent_decisions": 1_000_000,
    "accounts": 3_000,
    "breach_cases": 50_000,
    "policies": 2_000,
    "audit_entries": 2_000_000,
    # Beyond the list, so that every page looks like a large trust's:
    "publications": 30_000,  # posts recorded after the consent check, this school year
    "comment_reports": 6_000,  # 4.5(h), two years of them
    "fake_account_reports": 1_000,  # 4.1
    "declarations": 2_400,  # 5.5, one member of staff in five
}
# The school year of the consent stage's current decisions (2026 = 2026/27).
CONSENT_YEAR = 2026
# Share of staff who acknowledged the current version of a policy: from ACK_SHARE_MIN % at
# the slowest school to ACK_SHARE_MIN + ACK_SHARE_SPREAD - 1 % at the best.
ACK_SHARE_MIN, ACK_SHARE_SPREAD = 55, 43
# Per school: headteacher, safeguarding lead, consent administrator, a teacher, then leaders.
FIXED_ROLES = ["headteacher", "safeguarding_lead", "consent_admin"]
LEADERS_PER_SCHOOL = 9


def scaled_counts(scale: float) -> dict[str, int]:
    counts = {k: max(1, round(v * scale)) for k, v in DEFAULT_COUNTS.items()}
    # Every school needs its fixed roles, one leader and one teacher.
    counts["staff"] = max(counts["staff"], counts["schools"] * (len(FIXED_ROLES) + 2))
    counts["carers"] = max(counts["carers"], counts["students"])
    return counts


@dataclass
class ScaleReport:
    counts: dict[str, int]
    stages: list[tuple[str, str, float]] = field(default_factory=list)
    logins: list[tuple[str, str, bool]] = field(default_factory=list)  # email, role, has TOTP
    trust_id: int | None = None
    removed: dict[str, int] = field(default_factory=dict)  # by reset(), per table


class ResetRefused(Exception):
    """--reset would remove data that is not the scale data set: nothing was changed."""


# Every table whose rows hang off a school (a NOT NULL chain of foreign keys to
# accounts_school). Once no school outside the Scale Trust exists, all their rows are the scale
# data set, so they are emptied with TRUNCATE: instant, and no dead rows left to slow the
# benchmarks that follow (a DELETE of millions of rows leaves tables and indexes twice as big
# until a VACUUM FULL). Tables that reference these are added from the catalogue.
SCHOOL_TABLES = [
    "accounts_membership",
    "accounts_schoolemaildomain",
    "accounts_schooluserobjectpermission",
    "accounts_schoolgroupobjectpermission",
    "consents_student",
    "consents_carer",
    "consents_studentcarer",
    "consents_consentdecision",
    "consents_consentitem",
    "consents_currentconsent",
    "consents_publication",
    "consents_publicationstudent",
    "consents_takedown",
    "consents_importbatch",
    "consents_columnmapping",
    "channels_officialaccount",
    "channels_officialaccount_deputies",
    "channels_accountevent",
    "channels_accountreview",
    "channels_commentreport",
    "channels_fakeaccountreport",
    "escrow_credential",
    "escrow_credentialversion",
    "escrow_sealedsecret",
    "escrow_retrieval",
    "breaches_breachcase",
    "breaches_caseentry",
    "breaches_evidence",
    "breaches_breachcaseuserobjectpermission",
    "breaches_breachcasegroupobjectpermission",
    "breaches_declaration",
]
SCALE_USER_EMAIL = r"@([a-z0-9-]+\.)?scale-trust\.example$"


def drop_work_tables(cur) -> None:
    """The temporary tables go at commit; within a longer transaction (a test) a second run
    meets the first run's, so they are dropped first."""
    cur.execute(
        r"""SELECT tablename FROM pg_tables WHERE schemaname = (
                SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema())
            AND (tablename LIKE 'scale\_%' OR tablename LIKE 'reset\_%')"""
    )
    for (name,) in cur.fetchall():
        cur.execute(f"DROP TABLE pg_temp.{connection.ops.quote_name(name)}")


class _Stage:
    def __init__(self, report: ScaleReport, progress: Callable[[str], None]):
        self.report, self.progress = report, progress

    def __call__(self, name: str, fn: Callable[[], str]) -> None:
        t0 = time.perf_counter()
        detail = fn()
        seconds = time.perf_counter() - t0
        self.report.stages.append((name, detail, seconds))
        self.progress(f"{name}: {detail} in {seconds:.1f} s")


class ScaleBuilder:
    """What every app's stages share: the cursor, the counts, the report, the time of the run,
    and what earlier stages set for later ones (`trust_id`, `wording_id`)."""

    def __init__(
        self, cur, counts: dict[str, int], report: ScaleReport, progress: Callable[[str], None]
    ):
        self.cur, self.c, self.report, self.progress = cur, counts, report, progress
        self.now = timezone.now()
        self.trust_id: int | None = None
        self.wording_id: int | None = None

    def q(self, sql: str, params: dict | None = None) -> int:
        self.cur.execute(sql, params or {})
        return self.cur.rowcount

    def one(self, sql: str, params: dict | None = None) -> Any:
        self.cur.execute(sql, params or {})
        return self.cur.fetchone()[0]

    def copy(self, table: str, columns: list[str], buffer: io.StringIO) -> None:
        buffer.seek(0)
        raw = self.cur.cursor  # the psycopg2 cursor under Django's wrapper
        raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


def scale_modules() -> list[ModuleType]:
    """Every installed app's `scale` module, in the order of INSTALLED_APPS."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.scale"
        if find_spec(name) is not None:
            found.append(import_module(name))
    return found


def stages() -> list[tuple[str, Callable[[ScaleBuilder], str]]]:
    """(name, function) of every app's stages in their order. Looked up when the build runs,
    so a stage replaced on its module (a test) is the one that runs."""
    listed = [(order, name, module, fn) for module in scale_modules()
              for order, name, fn in getattr(module, "STAGES", [])]  # fmt: skip
    listed.sort(key=lambda row: row[0])
    return [(name, getattr(module, fn)) for _order, name, module, fn in listed]


def _hook(name: str) -> Callable[..., Any]:
    for module in scale_modules():
        if hasattr(module, name):
            return getattr(module, name)
    raise LookupError(f"No app's scale module defines {name}().")


def scale_trust_exists() -> bool:
    return _hook("scale_trust_exists")()


def trusts_in_use_besides_scale() -> list[str]:
    return _hook("trusts_in_use_besides_scale")()


def reset(progress: Callable[[str], None] = print) -> dict[str, int]:
    """Remove the scale data set (the accounts app's scale.reset), in the caller's transaction."""
    return _hook("reset")(progress)


def analyse(b: ScaleBuilder) -> str:
    b.q("ANALYZE")
    return "planner statistics refreshed"


def build(
    scale: float = 1.0, progress: Callable[[str], None] = print, *, reset_first: bool = False
) -> ScaleReport:
    """Write the whole data set in one transaction; the caller checks scale_trust_exists().

    With `reset_first`, reset() removes the previous data set in the same transaction: if
    anything fails, the previous data set is still there, untouched.
    """
    counts = scaled_counts(scale)
    report = ScaleReport(counts=counts)
    stage = _Stage(report, progress)
    with transaction.atomic(), connection.cursor() as cur:
        if reset_first:
            report.removed = reset(progress)
        drop_work_tables(cur)
        b = ScaleBuilder(cur, counts, report, progress)
        for name, fn in [*stages(), ("analyse", analyse)]:
            stage(name, lambda fn=fn: fn(b))
    return report
