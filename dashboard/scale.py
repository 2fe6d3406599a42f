"""The largest-trust data set of the scale issue (issue 9), written set-based.

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
(with audit.services.record_many: keyed hashes, the chain head locked as record() does) and can
never be removed: the log is append-only (clause 6). reset() removes everything else of the
data set (on a database holding no other trust in use) before a new build, in the same
transaction.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
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
AUDIT_PROGRESS_EVERY = 200_000
# Per school: headteacher, safeguarding lead, consent administrator, a teacher, then leaders.
FIXED_ROLES = ["headteacher", "safeguarding_lead", "consent_admin"]
LEADERS_PER_SCHOOL = 9
AUDIT_BATCH = 100_000


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


def scale_trust_exists() -> bool:
    from accounts.models import Trust

    return Trust.objects.filter(name=SCALE_TRUST_NAME).exists()


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


def trusts_in_use_besides_scale() -> list[str]:
    """Trusts other than the Scale Trust that hold schools or trust roles (a live trust). The
    trust a fresh installation's migrations create (no schools, no people) does not count."""
    from accounts.models import Trust

    return list(
        Trust.objects.exclude(name=SCALE_TRUST_NAME)
        .filter(Q(schools__isnull=False) | Q(roles__isnull=False))
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )


def _referencing_closure(cur, tables: list[str]) -> list[str]:
    """The tables that reference `tables` through foreign keys, transitively (TRUNCATE must
    empty them too): a table added later by another feature is included, and reported."""
    cur.execute(
        """WITH RECURSIVE t(rel) AS (
            SELECT unnest(%s::text[])::regclass
            UNION
            SELECT c.conrelid::regclass FROM pg_constraint c JOIN t ON c.confrelid = t.rel
            WHERE c.contype = 'f')
        SELECT rel::text FROM t""",
        [tables],
    )
    return sorted(r[0] for r in cur.fetchall())


def _drop_work_tables(cur) -> None:
    """The temporary tables go at commit; within a longer transaction (a test) a second run
    meets the first run's, so they are dropped first."""
    cur.execute(
        r"""SELECT tablename FROM pg_tables WHERE schemaname = (
                SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema())
            AND (tablename LIKE 'scale\_%' OR tablename LIKE 'reset\_%')"""
    )
    for (name,) in cur.fetchall():
        cur.execute(f"DROP TABLE pg_temp.{connection.ops.quote_name(name)}")


def reset(progress: Callable[[str], None] = print) -> dict[str, int]:
    """Remove the scale data set, inside the caller's transaction, except the audit log.

    Refuses (ResetRefused, before any change) when another trust holds schools or people: this
    is for a benchmark database, never a live one. Audit entries are append-only (clause 6, a
    trigger refuses DELETE): they stay, and the seed that follows appends its own. One audit
    entry records the reset.
    """
    from accounts.models import School, Trust, User
    from audit.services import record

    others = trusts_in_use_besides_scale()
    if others:
        raise ResetRefused(
            "This database holds another trust with schools or people ("
            + ", ".join(others)
            + "): --reset runs only on a benchmark database that holds the Scale Trust alone. "
            "Nothing was changed."
        )
    foreign_schools = School.objects.exclude(trust__name=SCALE_TRUST_NAME).count()
    if foreign_schools:  # cannot happen past the check above; kept as the TRUNCATE's guard
        raise ResetRefused(f"{foreign_schools} school(s) outside the Scale Trust: nothing changed.")
    t0 = time.perf_counter()
    trust = Trust.objects.filter(name=SCALE_TRUST_NAME).first()
    p = {"t": trust.pk if trust else None, "email": SCALE_USER_EMAIL, "w": WORDING_VERSION}
    removed: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        _drop_work_tables(cur)
        tables = _referencing_closure(cur, SCHOOL_TABLES)
        for table in tables:
            cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            removed[table] = cur.fetchone()[0]
        # TRUNCATE refuses a table with checks still pending in this transaction (Django's
        # foreign keys are deferred): run them now, then defer again as before.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
        # The case chronology and the retrieval records refuse TRUNCATE (append-only, like the
        # audit log) except where a transaction says so: this one, on a benchmark database.
        cur.execute("SET LOCAL audit.allow_truncate = on")
        cur.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        extra = sorted(set(tables) - set(SCHOOL_TABLES))
        progress(
            f"reset: {len(tables)} school tables emptied ({sum(removed.values()):,} rows)"
            + (f", including {', '.join(extra)} (they reference them)" if extra else "")
        )
        cur.execute(
            """CREATE TEMP TABLE reset_user ON COMMIT DROP AS
                SELECT id FROM accounts_user WHERE email ~* %(email)s;
            CREATE TEMP TABLE reset_policy ON COMMIT DROP AS
                SELECT id FROM policies_policy WHERE trust_id = %(t)s""",
            p,
        )
        # (table, rows of the scale data set, may TRUNCATE: no foreign key points at it)
        steps = [
            (
                "notifications_notification",
                "recipient_id IN (SELECT id FROM reset_user) OR school_id IN "
                "(SELECT id FROM accounts_school WHERE trust_id = %(t)s)",
                True,
            ),
            (
                "policies_acknowledgement",
                "user_id IN (SELECT id FROM reset_user) OR version_id IN (SELECT id FROM "
                "policies_policyversion WHERE policy_id IN (SELECT id FROM reset_policy))",
                True,
            ),
            ("accounts_leaverevent", "user_id IN (SELECT id FROM reset_user)", False),
            ("policies_policyreview", "policy_id IN (SELECT id FROM reset_policy)", False),
            ("policies_policyadoption", "policy_id IN (SELECT id FROM reset_policy)", False),
            ("policies_policyversion", "policy_id IN (SELECT id FROM reset_policy)", False),
            ("policies_policy", "id IN (SELECT id FROM reset_policy)", False),
            ("consents_consentwording", "version = %(w)s AND school_id IS NULL", False),
        ]
        for table, where, leaf in steps:
            cur.execute(f"SELECT count(*) FILTER (WHERE {where}), count(*) FROM {table}", p)
            mine, total = cur.fetchone()
            if mine and mine == total and leaf:
                cur.execute(f"TRUNCATE {table}")  # no dead rows left behind
            elif mine:
                cur.execute(f"DELETE FROM {table} WHERE {where}", p)
            removed[table] = mine
        # People, the schools and the trust through Django's own delete: what is left of them
        # is small, and on_delete (CASCADE, SET_NULL, PROTECT) is honoured for every table,
        # including tables added after this was written.
        users = User.objects.filter(pk__in=RawSQL("SELECT id FROM reset_user", []))
        removed["accounts_user"] = users.count()
        users.delete()
        schools = School.objects.filter(trust=trust)
        removed["accounts_school"] = schools.count()
        schools.delete()
        if trust is not None:
            trust.delete()
        record(
            None,
            "scale.reset",
            data={"trust": SCALE_TRUST_NAME, "removed": {k: v for k, v in removed.items() if v}},
        )
    progress(
        f"reset: scale data set removed in {time.perf_counter() - t0:.1f} s "
        f"({sum(removed.values()):,} rows); the audit log keeps its entries (append-only)"
    )
    return removed


class _Stage:
    def __init__(self, report: ScaleReport, progress: Callable[[str], None]):
        self.report, self.progress = report, progress

    def __call__(self, name: str, fn: Callable[[], str]) -> None:
        t0 = time.perf_counter()
        detail = fn()
        seconds = time.perf_counter() - t0
        self.report.stages.append((name, detail, seconds))
        self.progress(f"{name}: {detail} in {seconds:.1f} s")


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
        _drop_work_tables(cur)
        b = _Builder(cur, counts, report, progress)
        stage("schools", b.schools)
        stage("staff", b.staff)
        stage("students and carers", b.students)
        stage("consent", b.consent)
        stage("official accounts", b.accounts)
        stage("escrow", b.escrow)
        stage("breach cases", b.breaches)
        stage("policies", b.policies)
        stage("acknowledgements", b.acknowledgements)
        stage("publications", b.publications)
        stage("reports", b.reports)
        stage("declarations", b.declarations)
        stage("notifications", b.notifications)
        stage("audit", b.audit)
        stage("analyse", b.analyse)
    return report


class _Builder:
    def __init__(
        self, cur, counts: dict[str, int], report: ScaleReport, progress: Callable[[str], None]
    ):
        self.cur, self.c, self.report, self.progress = cur, counts, report, progress
        self.now = timezone.now()

    def q(self, sql: str, params: dict | None = None) -> int:
        self.cur.execute(sql, params or {})
        return self.cur.rowcount

    def one(self, sql: str, params: dict | None = None):
        self.cur.execute(sql, params or {})
        return self.cur.fetchone()[0]

    def copy(self, table: str, columns: list[str], buffer: io.StringIO) -> None:
        buffer.seek(0)
        raw = self.cur.cursor  # the psycopg2 cursor under Django's wrapper
        raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)

    # --- accounts ------------------------------------------------------------------------
    def schools(self) -> str:
        self.trust_id = self.one(
            "INSERT INTO accounts_trust (name) VALUES (%(n)s) RETURNING id", {"n": SCALE_TRUST_NAME}
        )
        self.report.trust_id = self.trust_id
        p = {"t": self.trust_id, "s": self.c["schools"], "d": DOMAIN}
        self.q(
            """INSERT INTO accounts_school (trust_id, name, urn, phase, age_from, age_to)
            SELECT %(t)s, 'Scale Academy ' || lpad(g::text, 3, '0'), '9' || lpad(g::text, 6, '0'),
                   CASE WHEN g %% 4 = 0 THEN 'secondary' ELSE 'primary' END,
                   CASE WHEN g %% 4 = 0 THEN 11 ELSE 4 END,
                   CASE WHEN g %% 4 = 0 THEN 18 ELSE 11 END
            FROM generate_series(1, %(s)s) g""",
            p,
        )
        self.q(
            """CREATE TEMP TABLE scale_school ON COMMIT DROP AS
            SELECT substr(urn, 2)::int AS n, id FROM accounts_school WHERE trust_id = %(t)s""",
            p,
        )
        self.q(
            """INSERT INTO accounts_schoolemaildomain (school_id, domain)
            SELECT id, 's' || n || '.' || %(d)s FROM scale_school""",
            p,
        )
        return f"1 trust, {self.c['schools']} schools"

    def staff(self) -> str:
        from accounts.roles import SCHOOL_ROLE_PERMISSIONS

        s = self.c["schools"]
        p = {"u": self.c["staff"], "s": s, "d": DOMAIN, "now": self.now}
        # '!' marks an unusable password (Django's own convention), distinct per row.
        self.q(
            """INSERT INTO accounts_user (password, is_superuser, email, full_name, is_active,
                                          is_staff, date_joined)
            SELECT '!scale' || md5(g::text), false,
                   'staff' || g || '@s' || ((g - 1) %% %(s)s + 1) || '.' || %(d)s,
                   'Staff Member ' || g, true, false,
                   %(now)s - ((g * 7919) %% 2500) * interval '1 day' - g * interval '1 second'
            FROM generate_series(1, %(u)s) g""",
            p,
        )
        self.q(
            """CREATE TEMP TABLE scale_user ON COMMIT DROP AS
            SELECT id, n, (n - 1) %% %(s)s + 1 AS school_n, (n - 1) / %(s)s AS k FROM (
                SELECT id, substring(email from '^staff([0-9]+)@')::int AS n
                FROM accounts_user WHERE email LIKE '%%@s%%.' || %(d)s) x""",
            p,
        )
        self.q(
            f"""ALTER TABLE scale_user ADD COLUMN role text;
            UPDATE scale_user SET role = CASE
                WHEN k = 0 THEN 'headteacher' WHEN k = 1 THEN 'safeguarding_lead'
                WHEN k = 2 THEN 'consent_admin' WHEN k = 3 THEN 'teacher'
                WHEN k < {4 + LEADERS_PER_SCHOOL} THEN 'leader'
                WHEN k %% 2 = 1 THEN 'teacher' ELSE 'staff' END;
            CREATE INDEX ON scale_user (school_n, role); ANALYZE scale_user"""
        )
        memberships = self.q(
            """INSERT INTO accounts_membership (user_id, school_id, role, created_at)
            SELECT u.id, s.id, u.role, %(now)s FROM scale_user u JOIN scale_school s
              ON s.n = u.school_n""",
            p,
        )
        # One person per school in each fixed role: remembered for owners and authors below.
        self.q(
            """ALTER TABLE scale_school ADD COLUMN head_id int, ADD COLUMN admin_id int,
                                        ADD COLUMN leader_id int;
            UPDATE scale_school s SET
              head_id = (SELECT id FROM scale_user u WHERE u.school_n = s.n AND u.k = 0),
              admin_id = (SELECT id FROM scale_user u WHERE u.school_n = s.n AND u.k = 2),
              leader_id = (SELECT min(id) FROM scale_user u
                           WHERE u.school_n = s.n AND u.role = 'leader')"""
        )
        school_ct = ContentType.objects.get(app_label="accounts", model="school")
        perm_ids = dict(
            Permission.objects.filter(content_type=school_ct).values_list("codename", "id")
        )
        self.q("CREATE TEMP TABLE scale_role_perm (role text, permission_id int) ON COMMIT DROP")
        self.cur.executemany(
            "INSERT INTO scale_role_perm VALUES (%s, %s)",
            [(str(r), perm_ids[c]) for r, codes in SCHOOL_ROLE_PERMISSIONS.items() for c in codes],
        )
        grants = self.q(
            """INSERT INTO accounts_schooluserobjectpermission
                   (user_id, permission_id, content_object_id)
            SELECT m.user_id, rp.permission_id, m.school_id
            FROM accounts_membership m JOIN scale_school s ON s.id = m.school_id
            JOIN scale_role_perm rp ON rp.role = m.role"""
        )
        self._logins()
        return f"{self.c['staff']} staff, {memberships} memberships, {grants} permission grants"

    def _logins(self) -> None:
        """A trustee, a headteacher and a teacher with a known password (benchmarks sign in
        as them); TOTP devices with a fixed key for those who need a second factor."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from accounts.models import TrustRole, User
        from accounts.roles import TrustRoleKind

        hashed = make_password(BENCH_PASSWORD)
        trustee = User.objects.create(
            email=f"trustee@{DOMAIN}", full_name="Scale Trustee", password=hashed
        )
        TrustRole.objects.create(user=trustee, trust_id=self.trust_id, role=TrustRoleKind.TRUSTEE)
        head_id = self.one("SELECT head_id FROM scale_school ORDER BY n LIMIT 1")
        teacher_id = self.one("SELECT min(id) FROM scale_user WHERE role = 'teacher'")
        User.objects.filter(pk__in=[head_id, teacher_id]).update(password=hashed)
        for user, role, totp in [
            (trustee, "trustee", True),
            (User.objects.get(pk=head_id), "headteacher", True),
            (User.objects.get(pk=teacher_id), "teacher", False),
        ]:
            if totp:
                TOTPDevice.objects.create(
                    user=user, name="scale benchmark", key=TOTP_KEY_HEX, confirmed=True
                )
            self.report.logins.append((user.email, role, totp))

    # --- consents ------------------------------------------------------------------------
    def students(self) -> str:
        p = {"st": self.c["students"], "ca": self.c["carers"], "s": self.c["schools"]}
        self.q(
            # decision_year: consent() gives every student a current decision of 2026.
            """INSERT INTO consents_student (school_id, mis_id, given_name, family_name,
                preferred_name, year_group, form, on_roll_from, decision_year)
            SELECT s.id, 'SC' || g, 'Pupil', 'Number ' || g, '',
                   CASE WHEN (g / %(s)s) %% 14 = 0 THEN 'R' ELSE ((g / %(s)s) %% 14)::text END,
                   chr(65 + g %% 4), DATE '2020-09-01' + (g %% 1500), 2026
            FROM generate_series(1, %(st)s) g JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1""",
            p,
        )
        self.q(
            """CREATE TEMP TABLE scale_student ON COMMIT DROP AS
            SELECT substr(mis_id, 3)::int AS n, id, school_id FROM consents_student
            WHERE school_id IN (SELECT id FROM scale_school);
            CREATE INDEX ON scale_student (n); ANALYZE scale_student"""
        )
        self.q(
            """INSERT INTO consents_carer (school_id, name, email)
            SELECT st.school_id, 'Carer ' || g, 'carer' || g || '@mail.scale.example'
            FROM generate_series(1, %(ca)s) g JOIN scale_student st
              ON st.n = (g - 1) %% %(st)s + 1""",
            p,
        )
        self.q(
            """CREATE TEMP TABLE scale_carer ON COMMIT DROP AS
            SELECT c.n, c.id, st.id AS student_id, st.school_id FROM (
                SELECT substring(email from '^carer([0-9]+)@')::int AS n, id
                FROM consents_carer WHERE school_id IN (SELECT id FROM scale_school)) c
            JOIN scale_student st ON st.n = (c.n - 1) %% %(st)s + 1;
            CREATE INDEX ON scale_carer (n); ANALYZE scale_carer""",
            p,
        )
        links = self.q(
            """INSERT INTO consents_studentcarer (student_id, carer_id, relationship)
            SELECT student_id, id, CASE WHEN n %% 2 = 0 THEN 'Mother' ELSE 'Father' END
            FROM scale_carer"""
        )
        return f"{self.c['students']} students, {self.c['carers']} carers, {links} links"

    def consent(self) -> str:
        p = {"n": self.c["consent_decisions"], "ca": self.c["carers"], "now": self.now}
        p["s"] = self.c["schools"]
        self.wording_id = self.one(
            """INSERT INTO consents_consentwording (school_id, version, text, effective_from)
            VALUES (NULL, %(v)s, 'Consent wording of the scale data set.', '2020-09-01')
            RETURNING id""",
            {"v": WORDING_VERSION},
        )
        p["w"] = self.wording_id
        decisions = self.q(
            """INSERT INTO consents_consentdecision (student_id, carer_id, method, wording_id,
                given_on, school_year, naming, is_withdrawal, entered_by_id, created_at)
            SELECT c.student_id, c.id,
                   (ARRAY['paper', 'online', 'phone'])[1 + g %% 3], %(w)s,
                   DATE '2020-09-01' + (g %% 2200), 2020 + (g / %(ca)s) %% 7,
                   (ARRAY['none', 'initials', 'first_name', 'full_name'])[1 + g %% 4],
                   g %% 25 = 0, s.admin_id, %(now)s - (g %% 2200) * interval '1 day'
            FROM generate_series(1, %(n)s) g
            JOIN scale_carer c ON c.n = (g - 1) %% %(ca)s + 1
            JOIN scale_school s ON s.id = c.school_id""",
            p,
        )
        items = self.q(
            """INSERT INTO consents_consentitem (decision_id, purpose, medium, allowed)
            SELECT d.id, 'social_media', m.medium, NOT d.is_withdrawal AND d.id %% 7 <> 0
            FROM consents_consentdecision d CROSS JOIN (VALUES ('photo'), ('video')) m(medium)
            WHERE d.wording_id = %(w)s""",
            p,
        )
        current = self.q(
            """INSERT INTO consents_currentconsent (student_id, school_year, purpose, medium,
                allowed, naming, disagreement, updated_at)
            SELECT st.id, 2026, pu.p, me.m, (st.n / %(s)s + length(pu.p)) %% 5 <> 0,
                   (ARRAY['none', 'initials', 'first_name', 'full_name'])
                       [1 + (st.n / %(s)s) %% 4],
                   st.n %% 97 = 0, %(now)s
            FROM scale_student st
            CROSS JOIN (VALUES ('website'), ('social_media'), ('print'), ('press'),
                               ('internal')) pu(p)
            CROSS JOIN (VALUES ('photo'), ('video')) me(m)""",
            p,
        )
        return f"{decisions} decisions, {items} items, {current} current consents"

    # --- channels and escrow -------------------------------------------------------------
    def accounts(self) -> str:
        p = {"a": self.c["accounts"], "s": self.c["schools"], "d": DOMAIN, "now": self.now}
        self.q(
            """CREATE TEMP TABLE scale_platform ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM channels_platform"""
        )
        p["np"] = self.one("SELECT count(*) FROM scale_platform")
        if not p["np"]:
            raise RuntimeError("No platforms: run migrate first (a migration seeds them).")
        self.q(
            """INSERT INTO channels_officialaccount (school_id, platform_id, handle, handle_key,
                url, url_key, purpose, audience_year_groups, audience_adults,
                students_can_comment, students_can_upload_images, students_can_add_text,
                login_email, attest_dedicated, attest_no_private_messages,
                attest_no_follow_back, attest_strongest_privacy, requested_by_id, owner_id,
                status, submitted_at, decided_at, decided_by_id, decision_reason, activated_at,
                next_review_due, needs_new_owner, created_at, updated_at)
            SELECT s.id, pl.id, '@scale' || g, 'scale' || g,
                   'https://social.example/scale' || g, 'social.example/scale' || g,
                   'News and celebrations of the school community.', '["7", "8"]'::jsonb, true,
                   false, false, false, 'account' || g || '@s' || s.n || '.' || %(d)s,
                   true, true, true, true, s.leader_id, s.leader_id,
                   CASE WHEN g %% 20 = 0 THEN 'submitted' WHEN g %% 33 = 0 THEN 'suspended'
                        ELSE 'active' END,
                   %(now)s - interval '400 days', %(now)s - interval '390 days', s.head_id, '',
                   %(now)s - interval '389 days', CURRENT_DATE + (g %% 400) - 40, false,
                   %(now)s - interval '400 days', %(now)s
            FROM generate_series(1, %(a)s) g
            JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1
            JOIN scale_platform pl ON pl.i = g %% %(np)s""",
            p,
        )
        events = self.q(
            """INSERT INTO channels_accountevent (account_id, created_at, actor_id, action,
                from_status, to_status, note)
            SELECT a.id, a.created_at + e.after, a.owner_id, e.action, e.f, e.t, ''
            FROM channels_officialaccount a
            CROSS JOIN (VALUES ('submitted', 'draft', 'submitted', interval '0 days'),
                               ('approved', 'submitted', 'approved', interval '10 days'),
                               ('activated', 'approved', 'active', interval '11 days')
                       ) e(action, f, t, after)
            WHERE a.school_id IN (SELECT id FROM scale_school)"""
        )
        return f"{self.c['accounts']} accounts, {events} events"

    def escrow(self) -> str:
        from escrow.crypto import keyring, seal

        p = {"now": self.now, "days": settings.ESCROW_ROTATION_DAYS}
        credentials = self.q(
            """INSERT INTO escrow_credential (uuid, account_id, school_id,
                rotation_interval_days, rotated_at, rotation_required, rotation_reason,
                rotation_required_at, created_at)
            SELECT gen_random_uuid(), a.id, a.school_id, %(days)s,
                   %(now)s - (a.id %% 120) * interval '1 day', a.id %% 50 = 0,
                   CASE WHEN a.id %% 50 = 0 THEN 'Someone who knew them has left.' ELSE '' END,
                   CASE WHEN a.id %% 50 = 0 THEN %(now)s END, a.created_at
            FROM channels_officialaccount a
            WHERE a.school_id IN (SELECT id FROM scale_school) AND a.status <> 'submitted'""",
            p,
        )
        self.q(
            """INSERT INTO escrow_credentialversion (uuid, credential_id, number,
                deposited_by_id, deposited_at)
            SELECT gen_random_uuid(), c.id, 1, a.owner_id, c.rotated_at
            FROM escrow_credential c JOIN channels_officialaccount a ON a.id = c.account_id
            WHERE c.school_id IN (SELECT id FROM scale_school)"""
        )
        self.cur.execute(
            """SELECT c.uuid, c.school_id, v.id, v.uuid, a.login_email
            FROM escrow_credentialversion v JOIN escrow_credential c ON c.id = v.credential_id
            JOIN channels_officialaccount a ON a.id = c.account_id
            WHERE c.school_id IN (SELECT id FROM scale_school)"""
        )
        ring = keyring()
        buffer = io.StringIO()
        out = csv.writer(buffer)
        secrets = 0
        # Real ciphertexts bound to each record, so retrieval works on this data too.
        for cred_uuid, school_id, version_id, version_uuid, login in self.cur.fetchall():
            values = {
                "username": login,
                "password": f"Scale-{version_uuid.hex[:12]}",
                "recovery_codes": "1111-2222 3333-4444",
                "notes": "Scale data set",
            }
            for name, value in values.items():
                context = (
                    f"escrow.credential:{cred_uuid}:school:{school_id}"
                    f":version:{version_uuid}:field:{name}"
                )
                sealed = seal(value, context=context, ring=ring)
                out.writerow(
                    [
                        version_id,
                        name,
                        sealed.key_id,
                        "\\x" + sealed.wrapped_key.hex(),
                        "\\x" + sealed.nonce.hex(),
                        "\\x" + sealed.ciphertext.hex(),
                    ]
                )
                secrets += 1
        self.copy(
            "escrow_sealedsecret",
            ["version_id", "field", "key_id", "wrapped_key", "nonce", "ciphertext"],
            buffer,
        )
        return f"{credentials} credentials, {credentials} versions, {secrets} sealed secrets"

    # --- breaches ------------------------------------------------------------------------
    def breaches(self) -> str:
        from breaches.models import Category

        p = {
            "n": self.c["breach_cases"],
            "s": self.c["schools"],
            "now": self.now,
            "cats": [str(c) for c in Category.values],
        }
        self.q(
            """INSERT INTO breaches_breachcase (id, school_id, reporter_id, category, seen_at,
                platform, link, description, students_involved, status, owner_id, outcome,
                outcome_summary, created_at, acknowledged_at, closed_at, last_activity_at,
                retention_until)
            SELECT gen_random_uuid(), s.id, s.leader_id,
                   (%(cats)s::text[])[1 + g %% cardinality(%(cats)s::text[])],
                   t.at - interval '1 day', 'Facebook', '', 'Scale data set report.',
                   g %% 9 = 0, st.status, s.head_id,
                   CASE WHEN st.status IN ('outcome_decided', 'closed') THEN 'informal_advice'
                        ELSE '' END, '', t.at,
                   CASE WHEN st.status <> 'reported' THEN t.at + interval '1 day' END,
                   CASE WHEN st.status = 'closed' THEN t.at + interval '20 days' END,
                   t.at + interval '2 days',
                   CASE WHEN st.status = 'closed' THEN (t.at + interval '6 years')::date END
            FROM generate_series(1, %(n)s) g
            JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1
            CROSS JOIN LATERAL (SELECT %(now)s - (g %% 1460) * interval '1 day' AS at) t
            CROSS JOIN LATERAL (SELECT CASE
                -- g / schools, not g: every school gets open cases of every status.
                WHEN g %% 1460 > 60 THEN 'closed' WHEN (g / %(s)s) %% 5 = 0 THEN 'reported'
                WHEN (g / %(s)s) %% 5 = 1 THEN 'acknowledged'
                WHEN (g / %(s)s) %% 5 = 2 THEN 'investigating'
                ELSE 'outcome_decided' END AS status) st""",
            p,
        )
        entries = self.q(
            """INSERT INTO breaches_caseentry (case_id, author_id, kind, action, text,
                created_at)
            SELECT c.id, c.owner_id, e.kind, e.action, e.text, c.created_at + e.after
            FROM breaches_breachcase c
            CROSS JOIN (VALUES
                ('status', '', 'Acknowledged.', interval '1 day'),
                ('note', '', 'Spoke to the member of staff.', interval '3 days'),
                ('action', 'content_removed', 'The post was taken down.', interval '5 days')
            ) e(kind, action, text, after)
            WHERE c.school_id IN (SELECT id FROM scale_school)"""
        )
        handle = Permission.objects.get(content_type__app_label="breaches", codename="handle_case")
        grants = self.q(
            """INSERT INTO breaches_breachcaseuserobjectpermission
                   (user_id, permission_id, content_object_id)
            SELECT owner_id, %(perm)s, id FROM breaches_breachcase
            WHERE school_id IN (SELECT id FROM scale_school)""",
            {"perm": handle.id},
        )
        return f"{self.c['breach_cases']} cases, {entries} entries, {grants} grants"

    # --- policies ------------------------------------------------------------------------
    def policies(self) -> str:
        n = self.c["policies"]
        trust_wide = max(1, n // 100)
        p = {
            "t": self.trust_id,
            "tw": trust_wide,
            "n": n,
            "s": self.c["schools"],
            "now": self.now,
        }
        admin_id = self.one("SELECT admin_id FROM scale_school ORDER BY n LIMIT 1")
        p["owner"] = admin_id
        self.q(
            """INSERT INTO policies_policy (trust_id, school_id, title, category, code, owner_id,
                approving_body, review_interval_months, review_due, requires_acknowledgement,
                created_at)
            SELECT %(t)s, CASE WHEN g <= %(tw)s THEN NULL ELSE s.id END,
                   CASE WHEN g = 1 THEN 'Social Media Policy' ELSE 'Policy ' || g END,
                   CASE WHEN g = 1 THEN 'social_media'
                        ELSE (ARRAY['allegations', 'disciplinary', 'esafety', 'ict',
                                    'code_of_conduct', 'resolving_issues', 'other'])[1 + g %% 7]
                   END,
                   CASE WHEN g <= %(tw)s THEN 'scale-' || g ELSE '' END,
                   CASE WHEN g <= %(tw)s THEN %(owner)s ELSE s.head_id END,
                   CASE WHEN g <= %(tw)s THEN 'trust_board' ELSE 'headteacher' END, 12,
                   CURRENT_DATE + (g %% 500) - 100, g <= %(tw)s OR g %% 3 = 0,
                   %(now)s - interval '3 years'
            FROM generate_series(1, %(n)s) g
            JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1""",
            p,
        )
        versions = self.q(
            """INSERT INTO policies_policyversion (policy_id, number, document,
                original_filename, content_type, size, sha256, approved_on, approved_by,
                summary, created_by_id, created_at)
            SELECT pol.id, v.number, '', '', '', 0, '', pol.review_due - v.before,
                   pol.approving_body, 'Annual review.', pol.owner_id,
                   %(now)s - v.before * interval '1 day'
            FROM policies_policy pol
            CROSS JOIN (VALUES (1, 730), (2, 365)) v(number, before)
            WHERE pol.trust_id = %(t)s""",
            p,
        )
        self.q(
            """UPDATE policies_policy pol SET current_version_id = v.id
            FROM policies_policyversion v
            WHERE v.policy_id = pol.id AND v.number = 2 AND pol.trust_id = %(t)s""",
            p,
        )
        adoptions = self.q(
            """INSERT INTO policies_policyadoption (policy_id, school_id, adopted_on,
                recorded_at)
            SELECT pol.id, s.id, CURRENT_DATE - 300, %(now)s
            FROM policies_policy pol CROSS JOIN scale_school s
            WHERE pol.trust_id = %(t)s AND pol.school_id IS NULL""",
            p,
        )
        # The history the policy page shows: "added to the register", then the new version.
        reviews = self.q(
            """INSERT INTO policies_policyreview (policy_id, outcome, version_id, approved_on,
                approved_by, previous_review_due, next_review_due, notes, recorded_by_id,
                recorded_at)
            SELECT pol.id, CASE WHEN v.number = 1 THEN 'created' ELSE 'new_version' END, v.id,
                   v.approved_on, v.approved_by,
                   CASE WHEN v.number = 2 THEN v.approved_on END,
                   CASE WHEN v.number = 1 THEN v.approved_on + 365 ELSE pol.review_due END,
                   '', pol.owner_id, v.created_at
            FROM policies_policy pol JOIN policies_policyversion v ON v.policy_id = pol.id
            WHERE pol.trust_id = %(t)s""",
            p,
        )
        return f"{n} policies, {versions} versions, {reviews} reviews, {adoptions} adoptions"

    def acknowledgements(self) -> str:
        """Staff acknowledge the current version of the policies that apply to them (their
        school's and the trust-wide ones) at a share that differs from school to school."""
        p = {"t": self.trust_id, "now": self.now, "lo": ACK_SHARE_MIN, "sp": ACK_SHARE_SPREAD}
        self.q(
            """CREATE TEMP TABLE scale_applicable ON COMMIT DROP AS
            SELECT u.id AS user_id, u.n, u.school_n, pol.id AS policy_id, pol.school_id,
                   pol.title, v.id AS version_id, v.number, pol.id - m.first AS pol_n,
                   greatest(v.created_at, au.date_joined) AS asked_at,
                   (u.n * 31 + (pol.id - m.first) * 17) %% 100
                       < %(lo)s + (u.school_n * 37) %% %(sp)s
                       AND greatest(v.created_at, au.date_joined) < %(now)s - interval '2 days'
                       AS acked
            FROM scale_user u JOIN accounts_user au ON au.id = u.id
            JOIN scale_school s ON s.n = u.school_n
            JOIN policies_policy pol ON pol.trust_id = %(t)s
                 AND (pol.school_id = s.id OR pol.school_id IS NULL)
            JOIN policies_policyversion v ON v.id = pol.current_version_id
            CROSS JOIN (SELECT min(id) AS first FROM policies_policy
                        WHERE trust_id = %(t)s) m
            WHERE pol.requires_acknowledgement""",
            p,
        )
        acks = self.q(
            """INSERT INTO policies_acknowledgement (user_id, version_id, acknowledged_at)
            SELECT user_id, version_id, least(%(now)s - interval '1 hour',
                   asked_at + ((n + pol_n) %% 40) * interval '1 day' + interval '2 hours')
            FROM scale_applicable WHERE acked""",
            p,
        )
        asked = self.one("SELECT count(*) FROM scale_applicable")
        return f"{acks} acknowledgements of {asked} asked ({100 * acks / max(1, asked):.0f} %)"

    # --- publications, reports, declarations ---------------------------------------------
    def publications(self) -> str:
        """Posts recorded after the consent check (4.5e) this school year, each with students
        whose current consent allows it, named as it allows; then a few withdrawals: the
        decision becomes a withdrawal, the current consent is refused, and every post the
        student appears in gets a takedown for the account's owner (done for most)."""
        from django.utils.timezone import localdate

        year_start = date(CONSENT_YEAR, 9, 1)
        days = max(1, (localdate() - year_start).days + 1)
        p = {"n": self.c["publications"], "y": CONSENT_YEAR, "y0": year_start, "days": days}
        p["now"] = self.now
        self.q(
            """CREATE TEMP TABLE scale_eligible ON COMMIT DROP AS
            SELECT st.school_id, cc.purpose, cc.medium, cc.naming, st.id AS student_id,
                   row_number() OVER (PARTITION BY st.school_id, cc.purpose, cc.medium
                                      ORDER BY st.id) AS rn
            FROM consents_currentconsent cc JOIN scale_student st ON st.id = cc.student_id
            WHERE cc.school_year = %(y)s AND cc.allowed
              AND cc.purpose IN ('social_media', 'website');
            CREATE INDEX ON scale_eligible (school_id, purpose, medium, rn);
            CREATE TEMP TABLE scale_eligible_n ON COMMIT DROP AS
            SELECT school_id, purpose, medium, count(*) AS n FROM scale_eligible
            GROUP BY school_id, purpose, medium;
            ANALYZE scale_eligible; ANALYZE scale_eligible_n;
            CREATE TEMP TABLE scale_active ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY a.id) - 1 AS i, a.id, a.school_id, a.owner_id,
                   a.url, CASE WHEN pl.name ILIKE '%%blog%%' OR pl.name ILIKE '%%website%%'
                               THEN 'website' ELSE 'social_media' END AS purpose
            FROM channels_officialaccount a JOIN channels_platform pl ON pl.id = a.platform_id
            WHERE a.school_id IN (SELECT id FROM scale_school) AND a.status = 'active'""",
            p,
        )
        p["na"] = self.one("SELECT count(*) FROM scale_active")
        if not p["na"]:
            return "no active account: no publications"
        publications = self.q(
            """INSERT INTO consents_publication (account_id, school_id, purpose, medium,
                post_url, published_on, checked_by_id, created_at)
            SELECT a.id, a.school_id, a.purpose, m.medium, a.url || '/posts/' || g, d.day,
                   a.owner_id, d.day + time '15:30' + (g %% 120) * interval '1 minute'
            FROM generate_series(1, %(n)s) g
            JOIN scale_active a ON a.i = (g - 1) %% %(na)s
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% 3 = 0 THEN 'video' ELSE 'photo' END
                                AS medium) m
            CROSS JOIN LATERAL (SELECT %(y0)s::date + (g * 7919) %% %(days)s AS day) d
            WHERE EXISTS (SELECT 1 FROM scale_eligible_n en WHERE en.school_id = a.school_id
                          AND en.purpose = a.purpose AND en.medium = m.medium)""",
            p,
        )
        # Numbers below are relative to the first row of this run, not raw ids, so a run after
        # --reset draws the same shares as the first (ids go on from the earlier run).
        p["p0"] = self.one(
            "SELECT min(id) FROM consents_publication WHERE school_id IN "
            "(SELECT id FROM scale_school)"
        )
        # One to six students a post, picked among those allowed (materialised first so the
        # join below is an equality on all four columns).
        self.q(
            """CREATE TEMP TABLE scale_pick ON COMMIT DROP AS
            SELECT pub.id AS publication_id, pub.school_id, pub.purpose, pub.medium,
                   1 + ((pub.id - %(p0)s) * 97 + j * 13) %% en.n AS rn
            FROM consents_publication pub
            JOIN scale_eligible_n en ON en.school_id = pub.school_id
                 AND en.purpose = pub.purpose AND en.medium = pub.medium
            CROSS JOIN LATERAL generate_series(0, (pub.id - %(p0)s) %% 6) j
            WHERE pub.school_id IN (SELECT id FROM scale_school);
            ANALYZE scale_pick""",
            p,
        )
        appearances = self.q(
            """INSERT INTO consents_publicationstudent (publication_id, student_id, naming,
                consent_existed)
            SELECT DISTINCT k.publication_id, e.student_id, e.naming, true
            FROM scale_pick k JOIN scale_eligible e USING (school_id, purpose, medium, rn)"""
        )
        # Withdrawals: about one student in 80 of those who appear. The withdrawal comes after
        # their last post, so every post they appear in needs taking down.
        self.q(
            # Set-based on purpose: a max(id) per carer as a subquery walks the primary key
            # backwards through a million decisions for each student (two minutes).
            """CREATE TEMP TABLE scale_withdrawn ON COMMIT DROP AS
            WITH w AS (
                SELECT ps.student_id, max(pub.published_on) AS last_post,
                       least(CURRENT_DATE, max(pub.published_on) + 1 + (st.n %% 5)::int)
                           AS withdrawn_on
                FROM consents_publicationstudent ps
                JOIN consents_publication pub ON pub.id = ps.publication_id
                JOIN scale_student st ON st.id = ps.student_id
                WHERE st.n %% 80 = 7
                GROUP BY ps.student_id, st.n),
            c AS (
                SELECT c.student_id, min(c.id) AS carer_id FROM scale_carer c
                WHERE c.student_id IN (SELECT student_id FROM w) GROUP BY c.student_id),
            d AS (
                SELECT d.carer_id, max(d.id) AS decision_id FROM consents_consentdecision d
                WHERE d.carer_id IN (SELECT carer_id FROM c) GROUP BY d.carer_id)
            SELECT w.*, d.decision_id FROM w JOIN c ON c.student_id = w.student_id
            LEFT JOIN d ON d.carer_id = c.carer_id;
            ANALYZE scale_withdrawn""",
        )
        self.q(
            """UPDATE consents_consentdecision d SET is_withdrawal = true, school_year = %(y)s,
                given_on = w.withdrawn_on, naming = 'none', method = 'online',
                created_at = w.withdrawn_on + time '19:00'
            FROM scale_withdrawn w WHERE d.id = w.decision_id;
            UPDATE consents_consentitem i SET allowed = false
            FROM scale_withdrawn w WHERE i.decision_id = w.decision_id;
            UPDATE consents_currentconsent c SET allowed = false, naming = 'none',
                disagreement = true, updated_at = w.withdrawn_on + time '19:00'
            FROM scale_withdrawn w WHERE c.student_id = w.student_id AND c.school_year = %(y)s""",
            p,
        )
        takedowns = self.q(
            """INSERT INTO consents_takedown (publication_id, student_id, school_id, owner_id,
                decision_id, status, created_at, done_at, done_by_id)
            SELECT pub.id, w.student_id, pub.school_id, a.owner_id, w.decision_id, st.status,
                   w.withdrawn_on + time '19:00',
                   CASE WHEN st.status = 'done' THEN w.withdrawn_on + time '19:00'
                        + interval '20 hours' END,
                   CASE WHEN st.status = 'done' THEN a.owner_id END
            FROM scale_withdrawn w
            JOIN consents_publicationstudent ps ON ps.student_id = w.student_id
            JOIN consents_publication pub ON pub.id = ps.publication_id
            JOIN channels_officialaccount a ON a.id = pub.account_id
            CROSS JOIN LATERAL (SELECT CASE
                WHEN w.withdrawn_on >= CURRENT_DATE - 2 OR (pub.id - %(p0)s) %% 4 = 0 THEN 'open'
                ELSE 'done' END AS status) st""",
            p,
        )
        opened = self.one(
            """SELECT count(*) FROM consents_takedown
            WHERE status = 'open' AND school_id IN (SELECT id FROM scale_school)"""
        )
        return (
            f"{publications} publications, {appearances} students in them, "
            f"{self.one('SELECT count(*) FROM scale_withdrawn')} withdrawals, "
            f"{takedowns} takedowns ({opened} open)"
        )

    def reports(self) -> str:
        """Comment reports on official accounts (4.5h), a quarter of them turned into breach
        cases; suspected fake accounts (4.1). Older ones are dealt with."""
        p = {
            "c": self.c["comment_reports"],
            "f": self.c["fake_account_reports"],
            "now": self.now,
        }
        self.q(
            """CREATE TEMP TABLE scale_in_use ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY a.id) - 1 AS i, a.id, a.school_id, a.owner_id,
                   a.url, a.status, s.head_id
            FROM channels_officialaccount a JOIN scale_school s ON s.id = a.school_id
            WHERE a.status IN ('active', 'suspended')"""
        )
        p["na"] = self.one("SELECT count(*) FROM scale_in_use")
        comments = self.q(
            """INSERT INTO channels_commentreport (account_id, school_id, reporter_id,
                comment_url, screenshot, screenshot_ext, screenshot_type, was_removed,
                description, status, created_at, closed_at, closed_by_id, closing_note)
            SELECT a.id, a.school_id, a.owner_id, a.url || '/comments/' || g, '', '', '',
                   g %% 8 <> 0, 'An offensive reply under a post about the school trip.',
                   CASE WHEN t.age < 10 OR g %% 12 = 0 THEN 'open' ELSE 'closed' END,
                   t.at,
                   CASE WHEN NOT (t.age < 10 OR g %% 12 = 0) THEN t.at + interval '1 day' END,
                   CASE WHEN NOT (t.age < 10 OR g %% 12 = 0) THEN a.head_id END,
                   CASE WHEN NOT (t.age < 10 OR g %% 12 = 0)
                        THEN 'Comment hidden and the commenter blocked.' ELSE '' END
            FROM generate_series(1, %(c)s) g
            JOIN scale_in_use a ON a.i = (g * 7) %% %(na)s
            CROSS JOIN LATERAL (SELECT (g * 13) %% 730 AS age,
                %(now)s - ((g * 13) %% 730) * interval '1 day' - (g %% 600) * interval '1 minute'
                    AS at) t""",
            p,
        )
        self.q(
            """INSERT INTO channels_accountevent (account_id, created_at, actor_id, action,
                from_status, to_status, note)
            SELECT r.account_id, r.created_at, r.reporter_id, 'comment_reported', a.status,
                   a.status, 'Comment report #' || r.id
            FROM channels_commentreport r JOIN scale_in_use a ON a.id = r.account_id"""
        )
        p["r0"] = self.one(
            "SELECT min(id) FROM channels_commentreport WHERE school_id IN "
            "(SELECT id FROM scale_school)"
        )
        # 4.5(h): a leader turns a report into a case. Existing cases about inappropriate
        # comments at the same school point at a report, one each.
        linked = self.q(
            """WITH r AS (
                SELECT id, account_id, school_id, row_number() OVER (
                    PARTITION BY school_id ORDER BY id) AS k
                FROM channels_commentreport
                WHERE school_id IN (SELECT id FROM scale_school)
                  AND (id - %(r0)s) %% 4 = 0),
            c AS (
                SELECT id, school_id, row_number() OVER (
                    PARTITION BY school_id ORDER BY created_at) AS k
                FROM breaches_breachcase
                WHERE school_id IN (SELECT id FROM scale_school)
                  AND category = 'inappropriate_comment')
            UPDATE breaches_breachcase b SET comment_report_id = r.id, account_id = r.account_id
            FROM c JOIN r ON r.school_id = c.school_id AND r.k = c.k
            WHERE b.id = c.id""",
            p,
        )
        platforms = self.one("SELECT count(*) FROM channels_platform")
        p["np"] = platforms
        fakes = self.q(
            """INSERT INTO channels_fakeaccountreport (school_id, reporter_id, platform_id,
                handle, url, description, status, created_at, resolved_at, resolved_by_id,
                resolution)
            SELECT s.id, u.id, pl.id, '@scale_academy_' || g || '_official',
                   'https://social.example/fake' || g,
                   'An account using the school badge posts photos from our website.',
                   CASE WHEN t.age < 14 OR g %% 20 = 0 THEN 'open' ELSE 'resolved' END, t.at,
                   CASE WHEN NOT (t.age < 14 OR g %% 20 = 0) THEN t.at + interval '3 days' END,
                   CASE WHEN NOT (t.age < 14 OR g %% 20 = 0) THEN s.head_id END,
                   CASE WHEN NOT (t.age < 14 OR g %% 20 = 0)
                        THEN 'Reported to the platform; the account was removed.' ELSE '' END
            FROM generate_series(1, %(f)s) g
            JOIN scale_school s ON s.n = (g - 1) %% (SELECT count(*) FROM scale_school) + 1
            JOIN scale_user u ON u.school_n = s.n AND u.k = 3
            JOIN scale_platform pl ON pl.i = g %% %(np)s
            CROSS JOIN LATERAL (SELECT (g * 11) %% 730 AS age,
                %(now)s - ((g * 11) %% 730) * interval '1 day' AS at) t""",
            p,
        )
        return (
            f"{comments} comment reports ({linked} turned into breach cases), "
            f"{fakes} fake-account reports"
        )

    def declarations(self) -> str:
        """5.5: members of staff declare a personal site that mentions their job; the
        headteacher acknowledges most of them."""
        p = {"n": self.c["declarations"], "now": self.now, "st": self.c["staff"]}
        # Member of staff g * 4999 (a prime): distinct people spread over every school.
        rows = self.q(
            """INSERT INTO breaches_declaration (user_id, school_id, site, link,
                disclaimer_present, created_at, acknowledged_by_id, acknowledged_at)
            SELECT u.id, s.id, x.site, 'https://' || x.host || '/staff' || u.n || '-' || g,
                   g %% 10 <> 0, t.at,
                   CASE WHEN t.acked THEN s.head_id END,
                   CASE WHEN t.acked THEN t.at + interval '2 days' END
            FROM generate_series(1, %(n)s) g
            JOIN scale_user u ON u.n = (g * 4999) %% %(st)s + 1
            JOIN scale_school s ON s.n = u.school_n
            CROSS JOIN LATERAL (SELECT (ARRAY['LinkedIn', 'Personal blog', 'YouTube',
                                              'Podcast'])[1 + g %% 4] AS site,
                (ARRAY['linkedin.example', 'blog.example', 'video.example',
                       'podcast.example'])[1 + g %% 4] AS host) x
            CROSS JOIN LATERAL (SELECT
                %(now)s - ((g * 17) %% 900) * interval '1 day' AS at,
                (g * 17) %% 900 > 7 AND g %% 5 <> 0 AS acked) t""",
            p,
        )
        acked = self.one(
            """SELECT count(*) FROM breaches_declaration
            WHERE school_id IN (SELECT id FROM scale_school) AND acknowledged_at IS NOT NULL"""
        )
        return f"{rows} declarations ({acked} acknowledged)"

    # --- notifications -------------------------------------------------------------------
    def notifications(self) -> str:
        """What the services would have notified, as already emailed: requests to acknowledge
        (read once acknowledged), breach reports and receipts, takedowns, comment and
        fake-account reports to the leadership team, declarations. What is not dealt with
        yet is mostly unread: a backlog of a few to a few dozen per person."""
        from django.urls import reverse

        from accounts.roles import SCHOOL_ROLE_PERMISSIONS, Perm

        def url(name: str, arg) -> str:
            return reverse(name, args=[arg]).replace(str(arg), "{}")

        receive = [
            str(r) for r, perms in SCHOOL_ROLE_PERMISSIONS.items()
            if Perm.RECEIVE_COMMENT_REPORTS in perms
        ]  # fmt: skip
        fake = [
            str(r) for r, perms in SCHOOL_ROLE_PERMISSIONS.items()
            if {Perm.RECEIVE_COMMENT_REPORTS, Perm.APPROVE_CHANNEL} & perms
        ]  # fmt: skip
        p = {
            "now": self.now,
            "policy": url("policies:detail", 987654321),
            "case": url("breaches:case_detail", "00000000-0000-0000-0000-000000000abc"),
            "my": url("breaches:my_report", "00000000-0000-0000-0000-000000000abc"),
            "comment": url("channels:comment_report_detail", 987654321),
            "fake": url("channels:fake_report_detail", 987654321),
            "takedowns": reverse("consents:takedown_list"),
            "declarations": reverse("breaches:declaration_list"),
            "receive": receive,
            "fake_roles": fake,
        }
        # Ids relative to the run's first row: a run after --reset draws the same shares.
        for key, table in [("r0", "channels_commentreport"), ("f0", "channels_fakeaccountreport")]:
            p[key] = self.one(
                f"SELECT coalesce(min(id), 0) FROM {table} "
                "WHERE school_id IN (SELECT id FROM scale_school)"
            )
        # Columns every row shares: sent by email a minute after it was written.
        cols = """(recipient_id, kind, context, link, school_id, dedupe_key, created_at, read_at,
                   email_status, email_attempts, email_sent_at, email_last_error, digest)"""
        sent = "'sent', 1, x.at + interval '1 minute', '', false"
        total = 0
        total += self.q(
            f"""INSERT INTO notifications_notification {cols}
            SELECT x.user_id, 'policies.acknowledge_requested', x.ctx, x.link, x.school_id,
                   'policies.ack:' || x.version_id, x.at, x.read_at, {sent}
            FROM (SELECT a.user_id, a.version_id, a.school_id, a.asked_at AS at,
                         jsonb_build_object('policy_title', a.title, 'version', a.number) AS ctx,
                         replace(%(policy)s, '{{}}', a.policy_id::text) AS link,
                         CASE WHEN a.acked THEN ack.acknowledged_at - interval '2 minutes'
                              WHEN (a.n + a.pol_n) %% 3 = 0
                              THEN a.asked_at + interval '1 day' END AS read_at
                  FROM scale_applicable a
                  LEFT JOIN policies_acknowledgement ack
                    ON ack.user_id = a.user_id AND ack.version_id = a.version_id) x""",
            p,
        )
        total += self.q(
            f"""INSERT INTO notifications_notification {cols}
            SELECT x.user_id, x.kind, x.ctx, x.link, x.school_id, NULL, x.at, x.read_at, {sent}
            FROM (
                SELECT c.owner_id AS user_id, 'breaches.reported' AS kind, c.school_id,
                       jsonb_build_object('reference', upper(left(c.id::text, 8))) AS ctx,
                       replace(%(case)s, '{{}}', c.id::text) AS link, c.created_at AS at,
                       c.acknowledged_at AS read_at
                FROM breaches_breachcase c WHERE c.school_id IN (SELECT id FROM scale_school)
                UNION ALL
                SELECT c.reporter_id, 'breaches.receipt', c.school_id,
                       jsonb_build_object('reference', upper(left(c.id::text, 8))),
                       replace(%(my)s, '{{}}', c.id::text), c.created_at,
                       CASE WHEN c.status <> 'reported' THEN c.created_at + interval '1 hour'
                       END
                FROM breaches_breachcase c WHERE c.school_id IN (SELECT id FROM scale_school)
                UNION ALL
                SELECT d.acknowledged_by_id, 'breaches.declaration', d.school_id,
                       jsonb_build_object('site', d.site), %(declarations)s, d.created_at,
                       d.acknowledged_at
                FROM breaches_declaration d WHERE d.acknowledged_by_id IS NOT NULL
                  AND d.school_id IN (SELECT id FROM scale_school)
                UNION ALL
                SELECT s.head_id, 'breaches.declaration', d.school_id,
                       jsonb_build_object('site', d.site), %(declarations)s, d.created_at, NULL
                FROM breaches_declaration d JOIN scale_school s ON s.id = d.school_id
                WHERE d.acknowledged_by_id IS NULL
                UNION ALL
                SELECT d.user_id, 'breaches.declaration_acknowledged', d.school_id,
                       jsonb_build_object('site', d.site), %(declarations)s, d.acknowledged_at,
                       CASE WHEN u.n %% 5 <> 0 THEN d.acknowledged_at + interval '3 hours' END
                FROM breaches_declaration d JOIN scale_user u ON u.id = d.user_id
                WHERE d.acknowledged_at IS NOT NULL
            ) x WHERE x.user_id IS NOT NULL""",
            p,
        )
        total += self.q(
            f"""INSERT INTO notifications_notification {cols}
            SELECT t.owner_id, 'consents.takedown',
                   jsonb_build_object('account', a.handle || ' on ' || pl.name,
                                      'post_url', pub.post_url),
                   %(takedowns)s, t.school_id, 'takedown:' || t.id, x.at,
                   CASE WHEN t.status = 'done' THEN t.done_at - interval '1 hour' END, {sent}
            FROM consents_takedown t
            JOIN consents_publication pub ON pub.id = t.publication_id
            JOIN channels_officialaccount a ON a.id = pub.account_id
            JOIN channels_platform pl ON pl.id = a.platform_id
            CROSS JOIN LATERAL (SELECT t.created_at AS at) x
            WHERE t.school_id IN (SELECT id FROM scale_school)""",
            p,
        )
        # The leadership team hears of every comment report; the one who dealt with it read
        # it, the others read two in three.
        total += self.q(
            f"""INSERT INTO notifications_notification {cols}
            SELECT m.user_id, 'channels.comment_reported',
                   jsonb_build_object('account', a.handle || ' on ' || pl.name,
                                      'school', sc.name, 'platform', pl.name,
                                      'handle', a.handle, 'status', initcap(a.status),
                                      'removed', CASE WHEN r.was_removed THEN 'yes' ELSE 'no'
                                                 END),
                   replace(%(comment)s, '{{}}', r.id::text), r.school_id, NULL, x.at,
                   CASE WHEN r.closed_by_id = m.user_id THEN r.closed_at - interval '1 hour'
                        WHEN r.status = 'closed' AND (r.id - %(r0)s + u.n) %% 3 <> 0
                        THEN x.at + interval '5 hours' END, {sent}
            FROM channels_commentreport r
            JOIN channels_officialaccount a ON a.id = r.account_id
            JOIN channels_platform pl ON pl.id = a.platform_id
            JOIN accounts_school sc ON sc.id = r.school_id
            JOIN accounts_membership m ON m.school_id = r.school_id
                 AND m.role = ANY(%(receive)s::text[])
            JOIN scale_user u ON u.id = m.user_id
            CROSS JOIN LATERAL (SELECT r.created_at AS at) x
            WHERE r.school_id IN (SELECT id FROM scale_school)""",
            p,
        )
        total += self.q(
            f"""INSERT INTO notifications_notification {cols}
            SELECT x.user_id, x.kind, x.ctx, x.link, x.school_id, NULL, x.at, x.read_at, {sent}
            FROM (
                SELECT m.user_id, 'channels.fake_reported' AS kind, f.school_id,
                       jsonb_build_object('school', sc.name, 'handle', f.handle, 'url', f.url)
                           AS ctx,
                       replace(%(fake)s, '{{}}', f.id::text) AS link, f.created_at AS at,
                       CASE WHEN f.resolved_by_id = m.user_id
                                 OR (f.status = 'resolved' AND (f.id - %(f0)s + u.n) %% 3 <> 0)
                            THEN f.created_at + interval '4 hours' END AS read_at
                FROM channels_fakeaccountreport f
                JOIN accounts_school sc ON sc.id = f.school_id
                JOIN accounts_membership m ON m.school_id = f.school_id
                     AND m.role = ANY(%(fake_roles)s::text[])
                JOIN scale_user u ON u.id = m.user_id
                WHERE f.school_id IN (SELECT id FROM scale_school)
                UNION ALL
                SELECT f.reporter_id, 'channels.fake_resolved', f.school_id,
                       jsonb_build_object('school', sc.name, 'handle', f.handle),
                       replace(%(fake)s, '{{}}', f.id::text), f.resolved_at,
                       f.resolved_at + interval '1 day'
                FROM channels_fakeaccountreport f
                JOIN accounts_school sc ON sc.id = f.school_id
                WHERE f.status = 'resolved' AND f.school_id IN (SELECT id FROM scale_school)
            ) x""",
            p,
        )
        unread = self.one(
            """SELECT count(*) FROM notifications_notification
            WHERE read_at IS NULL AND recipient_id IN (SELECT id FROM scale_user)"""
        )
        people = self.one(
            """SELECT count(DISTINCT recipient_id) FROM notifications_notification
            WHERE recipient_id IN (SELECT id FROM scale_user)"""
        )
        return (
            f"{total} notifications to {people} people, {unread} unread "
            f"({unread / max(1, people):.0f} per person)"
        )

    # --- audit ---------------------------------------------------------------------------
    def audit(self) -> str:
        # The audit app appends with the keyed hashes record() would give (audit/chain.py).
        from audit.services import record_many

        self.cur.execute(
            """SELECT u.id, au.full_name, au.email, s.id FROM scale_user u
            JOIN accounts_user au ON au.id = u.id JOIN scale_school s ON s.n = u.school_n
            ORDER BY u.id"""
        )
        people = self.cur.fetchall()
        self.cur.execute("SELECT id FROM channels_officialaccount ORDER BY id DESC LIMIT 3000")
        account_ids = [str(r[0]) for r in self.cur.fetchall()] or ["0"]
        actions = [
            ("auth.signed_in", "accounts.User", None),
            ("account.reviewed", "channels.OfficialAccount", "account"),
            ("consent.recorded", "consents.Student", "student"),
            ("policy.acknowledged", "policies.PolicyVersion", "version"),
            ("breach.note_added", "breaches.BreachCase", "case"),
        ]
        total = self.c["audit_entries"]
        start = self.now - timedelta(seconds=total)

        def entries():
            for i in range(total):
                uid, name, email, school_id = people[i % len(people)]
                action, target_type, kind = actions[i % len(actions)]
                if kind is None:
                    target_id, target_repr, data = str(uid), name, {}
                elif kind == "account":
                    target_id = account_ids[i % len(account_ids)]
                    target_repr, data = f"Account {target_id}", {"passed": i % 3 != 0}
                else:
                    target_id = str(i)
                    target_repr, data = f"Scale {kind} {i}", {"n": i % 10}
                yield {
                    "created_at": start + timedelta(seconds=i),
                    "actor_id": uid,
                    "actor_name": name,
                    "actor_email": email,
                    "action": action,
                    "target_type": target_type,
                    "target_id": target_id,
                    "target_repr": target_repr,
                    "school_id": school_id,
                    "data": data,
                    "ip_address": f"10.{i % 7}.{i % 251}.{1 + i % 250}",
                }

        t0 = time.perf_counter()

        def progress(done: int) -> None:
            if done < total and done % AUDIT_PROGRESS_EVERY < AUDIT_BATCH:
                rate = done / (time.perf_counter() - t0)
                self.progress(
                    f"audit: {done:,} of {total:,} entries ({rate:,.0f}/s, about "
                    f"{(total - done) / rate:.0f} s to go)"
                )

        record_many(entries(), batch_size=AUDIT_BATCH, progress=progress)
        return f"{total} entries appended to the chain"

    def analyse(self) -> str:
        self.q("ANALYZE")
        return "planner statistics refreshed"
