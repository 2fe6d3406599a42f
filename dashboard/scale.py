"""The largest-trust data set of the scale issue (issue 9), written set-based.

100 schools, 12,000 staff, 100,000 students, 200,000 carers, a million consent decisions,
3,000 official accounts with escrowed login details, 50,000 breach cases, 2,000 policies and
two million audit entries (multiplied by `scale`). Rows are made inside PostgreSQL with
`INSERT ... SELECT generate_series(...)`, or streamed with COPY where Python must compute them
(sealed secrets, the audit hash chain): one row at a time through the ORM would take hours.

Everything is written in one transaction, so the data set is either all there or absent, and
the trust named SCALE_TRUST_NAME marks it. Audit entries are appended to the existing chain
(computed with audit.services.compute_hash, the chain head locked as record() does) and can
never be removed: the log is append-only (clause 6).
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

SCALE_TRUST_NAME = "Scale Trust"
DOMAIN = "scale-trust.example"
BENCH_PASSWORD = "scale-bench-password"
# A fixed TOTP secret (hex, 20 bytes) for the printed logins above teacher, so a benchmark
# can compute codes; base32 of it is printed for an authenticator app.
TOTP_KEY_HEX = "3132333435363738393031323334353637383930"

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
}
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


def scale_trust_exists() -> bool:
    from accounts.models import Trust

    return Trust.objects.filter(name=SCALE_TRUST_NAME).exists()


class _Stage:
    def __init__(self, report: ScaleReport, progress: Callable[[str], None]):
        self.report, self.progress = report, progress

    def __call__(self, name: str, fn: Callable[[], str]) -> None:
        t0 = time.perf_counter()
        detail = fn()
        seconds = time.perf_counter() - t0
        self.report.stages.append((name, detail, seconds))
        self.progress(f"{name}: {detail} in {seconds:.1f} s")


def build(scale: float = 1.0, progress: Callable[[str], None] = print) -> ScaleReport:
    """Write the whole data set in one transaction; the caller checks scale_trust_exists()."""
    counts = scaled_counts(scale)
    report = ScaleReport(counts=counts)
    stage = _Stage(report, progress)
    with transaction.atomic(), connection.cursor() as cur:
        b = _Builder(cur, counts, report)
        stage("schools", b.schools)
        stage("staff", b.staff)
        stage("students and carers", b.students)
        stage("consent", b.consent)
        stage("official accounts", b.accounts)
        stage("escrow", b.escrow)
        stage("breach cases", b.breaches)
        stage("policies", b.policies)
        stage("audit", b.audit)
        stage("analyse", b.analyse)
    return report


class _Builder:
    def __init__(self, cur, counts: dict[str, int], report: ScaleReport):
        self.cur, self.c, self.report = cur, counts, report
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
                   'Staff Member ' || g, true, false, %(now)s - g * interval '1 minute'
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
        self.wording_id = self.one(
            """INSERT INTO consents_consentwording (school_id, version, text, effective_from)
            VALUES (NULL, 'scale-2020', 'Consent wording of the scale data set.', '2020-09-01')
            RETURNING id"""
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
            SELECT st.id, 2026, pu.p, me.m, (st.n + length(pu.p)) %% 5 <> 0,
                   (ARRAY['none', 'initials', 'first_name', 'full_name'])[1 + st.n %% 4],
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
                WHEN g %% 1460 > 60 THEN 'closed' WHEN g %% 5 = 0 THEN 'reported'
                WHEN g %% 5 = 1 THEN 'acknowledged' WHEN g %% 5 = 2 THEN 'investigating'
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
        return f"{n} policies, {versions} versions, {adoptions} adoptions"

    # --- audit ---------------------------------------------------------------------------
    def audit(self) -> str:
        from audit.models import AuditChainHead, AuditEntry
        from audit.services import GENESIS_HASH, compute_hash

        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS_HASH}
        )
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
        prev = head.last_hash
        columns = [
            "created_at",
            "actor_id",
            "actor_name",
            "actor_email",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "school_id",
            "data",
            "ip_address",
            "prev_hash",
            "entry_hash",
        ]
        done = 0
        while done < total:
            buffer = io.StringIO()
            out = csv.writer(buffer)
            for i in range(done, min(total, done + AUDIT_BATCH)):
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
                fields = {
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
                entry_hash = compute_hash(prev, fields)
                out.writerow(
                    [
                        fields["created_at"].isoformat(),
                        uid,
                        name,
                        email,
                        action,
                        target_type,
                        target_id,
                        target_repr,
                        school_id,
                        json.dumps(data),
                        fields["ip_address"],
                        prev,
                        entry_hash,
                    ]
                )
                prev = entry_hash
            # Ids come from the sequence in row order while the chain head is locked, so id
            # order is chain order, as verify_audit_chain walks it.
            self.copy("audit_auditentry", columns, buffer)
            done = min(total, done + AUDIT_BATCH)
        last_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        head.last_hash, head.last_entry_id = prev, last_id
        head.save(update_fields=["last_hash", "last_entry_id"])
        return f"{total} entries appended to the chain"

    def analyse(self) -> str:
        self.q("ANALYZE")
        return "planner statistics refreshed"
