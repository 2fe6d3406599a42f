"""The scale data set (issue 9, portal/scale.py), this app's part:
the Scale Trust, its schools and staff (roles, logins), written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL

from portal.scale import (
    BENCH_PASSWORD,
    DOMAIN,
    LEADERS_PER_SCHOOL,
    SCALE_TRUST_NAME,
    SCALE_USER_EMAIL,
    SCHOOL_TABLES,
    TOTP_KEY_HEX,
    WORDING_VERSION,
    ResetRefused,
    ScaleBuilder,
    drop_work_tables,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (0, "schools", "schools"),
    (10, "staff", "staff"),
]


def schools(b: ScaleBuilder) -> str:
    b.trust_id = b.one(
        "INSERT INTO accounts_trust (name) VALUES (%(n)s) RETURNING id", {"n": SCALE_TRUST_NAME}
    )
    b.report.trust_id = b.trust_id
    p = {"t": b.trust_id, "s": b.c["schools"], "d": DOMAIN}
    b.q(
        """INSERT INTO accounts_school (trust_id, name, urn, phase, age_from, age_to)
        SELECT %(t)s, 'Scale Academy ' || lpad(g::text, 3, '0'), '9' || lpad(g::text, 6, '0'),
               CASE WHEN g %% 4 = 0 THEN 'secondary' ELSE 'primary' END,
               CASE WHEN g %% 4 = 0 THEN 11 ELSE 4 END,
               CASE WHEN g %% 4 = 0 THEN 18 ELSE 11 END
        FROM generate_series(1, %(s)s) g""",
        p,
    )
    b.q(
        """CREATE TEMP TABLE scale_school ON COMMIT DROP AS
        SELECT substr(urn, 2)::int AS n, id FROM accounts_school WHERE trust_id = %(t)s""",
        p,
    )
    b.q(
        """INSERT INTO accounts_schoolemaildomain (school_id, domain)
        SELECT id, 's' || n || '.' || %(d)s FROM scale_school""",
        p,
    )
    return f"1 trust, {b.c['schools']} schools"


def staff(b: ScaleBuilder) -> str:
    from accounts.roles import SCHOOL_ROLE_PERMISSIONS

    s = b.c["schools"]
    p = {"u": b.c["staff"], "s": s, "d": DOMAIN, "now": b.now}
    # '!' marks an unusable password (Django's own convention), distinct per row.
    b.q(
        """INSERT INTO accounts_user (password, is_superuser, email, full_name, is_active,
                                      is_staff, date_joined)
        SELECT '!scale' || md5(g::text), false,
               'staff' || g || '@s' || ((g - 1) %% %(s)s + 1) || '.' || %(d)s,
               'Staff Member ' || g, true, false,
               %(now)s - ((g * 7919) %% 2500) * interval '1 day' - g * interval '1 second'
        FROM generate_series(1, %(u)s) g""",
        p,
    )
    b.q(
        """CREATE TEMP TABLE scale_user ON COMMIT DROP AS
        SELECT id, n, (n - 1) %% %(s)s + 1 AS school_n, (n - 1) / %(s)s AS k FROM (
            SELECT id, substring(email from '^staff([0-9]+)@')::int AS n
            FROM accounts_user WHERE email LIKE '%%@s%%.' || %(d)s) x""",
        p,
    )
    b.q(
        f"""ALTER TABLE scale_user ADD COLUMN role text;
        UPDATE scale_user SET role = CASE
            WHEN k = 0 THEN 'headteacher' WHEN k = 1 THEN 'safeguarding_lead'
            WHEN k = 2 THEN 'consent_admin' WHEN k = 3 THEN 'teacher'
            WHEN k < {4 + LEADERS_PER_SCHOOL} THEN 'leader'
            WHEN k %% 2 = 1 THEN 'teacher' ELSE 'staff' END;
        CREATE INDEX ON scale_user (school_n, role); ANALYZE scale_user"""
    )
    memberships = b.q(
        """INSERT INTO accounts_membership (user_id, school_id, role, created_at)
        SELECT u.id, s.id, u.role, %(now)s FROM scale_user u JOIN scale_school s
          ON s.n = u.school_n""",
        p,
    )
    # One person per school in each fixed role: remembered for owners and authors below.
    b.q(
        """ALTER TABLE scale_school ADD COLUMN head_id int, ADD COLUMN admin_id int,
                                    ADD COLUMN leader_id int;
        UPDATE scale_school s SET
          head_id = (SELECT id FROM scale_user u WHERE u.school_n = s.n AND u.k = 0),
          admin_id = (SELECT id FROM scale_user u WHERE u.school_n = s.n AND u.k = 2),
          leader_id = (SELECT min(id) FROM scale_user u
                       WHERE u.school_n = s.n AND u.role = 'leader')"""
    )
    school_ct = ContentType.objects.get(app_label="accounts", model="school")
    perm_ids = dict(Permission.objects.filter(content_type=school_ct).values_list("codename", "id"))
    b.q("CREATE TEMP TABLE scale_role_perm (role text, permission_id int) ON COMMIT DROP")
    b.cur.executemany(
        "INSERT INTO scale_role_perm VALUES (%s, %s)",
        [(str(r), perm_ids[c]) for r, codes in SCHOOL_ROLE_PERMISSIONS.items() for c in codes],
    )
    grants = b.q(
        """INSERT INTO accounts_schooluserobjectpermission
               (user_id, permission_id, content_object_id)
        SELECT m.user_id, rp.permission_id, m.school_id
        FROM accounts_membership m JOIN scale_school s ON s.id = m.school_id
        JOIN scale_role_perm rp ON rp.role = m.role"""
    )
    _logins(b)
    return f"{b.c['staff']} staff, {memberships} memberships, {grants} permission grants"


def _logins(b: ScaleBuilder) -> None:
    """A trustee, a headteacher and a teacher with a known password (benchmarks sign in
    as them); TOTP devices with a fixed key for those who need a second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import TrustRole, User
    from accounts.roles import TrustRoleKind

    hashed = make_password(BENCH_PASSWORD)
    trustee = User.objects.create(
        email=f"trustee@{DOMAIN}", full_name="Scale Trustee", password=hashed
    )
    TrustRole.objects.create(user=trustee, trust_id=b.trust_id, role=TrustRoleKind.TRUSTEE)
    head_id = b.one("SELECT head_id FROM scale_school ORDER BY n LIMIT 1")
    teacher_id = b.one("SELECT min(id) FROM scale_user WHERE role = 'teacher'")
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
        b.report.logins.append((user.email, role, totp))


# --- the data set as a whole: is it there, may it go, remove it --------------------------


def scale_trust_exists() -> bool:
    from accounts.models import Trust

    return Trust.objects.filter(name=SCALE_TRUST_NAME).exists()


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


def _referenced(cur, table: str) -> bool:
    """Whether another table has a foreign key to `table` (then TRUNCATE refuses it, even when
    the referencing rows are gone: consent round invitations point at the outbox)."""
    cur.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' "
        "AND confrelid = %s::regclass AND conrelid <> confrelid)",
        [table],
    )
    return bool(cur.fetchone()[0])


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
        drop_work_tables(cur)
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
            if mine and mine == total and leaf and not _referenced(cur, table):
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
