"""The scale data set (issue 9, portal/scale.py), this app's part:
students, carers, consent decisions, publications and takedowns, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

from datetime import date

from portal.scale import (
    CONSENT_YEAR,
    WORDING_VERSION,
    ScaleBuilder,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (20, "students and carers", "students"),
    (30, "consent", "consent"),
    (90, "publications", "publications"),
]


def students(b: ScaleBuilder) -> str:
    p = {"st": b.c["students"], "ca": b.c["carers"], "s": b.c["schools"]}
    b.q(
        # decision_year: consent() gives every student a current decision of 2026.
        """INSERT INTO consents_student (school_id, mis_id, given_name, family_name,
            preferred_name, year_group, form, on_roll_from, decision_year)
        SELECT s.id, 'SC' || g, 'Pupil', 'Number ' || g, '',
               CASE WHEN (g / %(s)s) %% 14 = 0 THEN 'R' ELSE ((g / %(s)s) %% 14)::text END,
               chr(65 + g %% 4), DATE '2020-09-01' + (g %% 1500), 2026
        FROM generate_series(1, %(st)s) g JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1""",
        p,
    )
    b.q(
        """CREATE TEMP TABLE scale_student ON COMMIT DROP AS
        SELECT substr(mis_id, 3)::int AS n, id, school_id FROM consents_student
        WHERE school_id IN (SELECT id FROM scale_school);
        CREATE INDEX ON scale_student (n); ANALYZE scale_student"""
    )
    b.q(
        """INSERT INTO consents_carer (school_id, name, email)
        SELECT st.school_id, 'Carer ' || g, 'carer' || g || '@mail.scale.example'
        FROM generate_series(1, %(ca)s) g JOIN scale_student st
          ON st.n = (g - 1) %% %(st)s + 1""",
        p,
    )
    b.q(
        """CREATE TEMP TABLE scale_carer ON COMMIT DROP AS
        SELECT c.n, c.id, st.id AS student_id, st.school_id FROM (
            SELECT substring(email from '^carer([0-9]+)@')::int AS n, id
            FROM consents_carer WHERE school_id IN (SELECT id FROM scale_school)) c
        JOIN scale_student st ON st.n = (c.n - 1) %% %(st)s + 1;
        CREATE INDEX ON scale_carer (n); ANALYZE scale_carer""",
        p,
    )
    links = b.q(
        """INSERT INTO consents_studentcarer (student_id, carer_id, relationship)
        SELECT student_id, id, CASE WHEN n %% 2 = 0 THEN 'Mother' ELSE 'Father' END
        FROM scale_carer"""
    )
    return f"{b.c['students']} students, {b.c['carers']} carers, {links} links"


def consent(b: ScaleBuilder) -> str:
    p = {"n": b.c["consent_decisions"], "ca": b.c["carers"], "now": b.now}
    p["s"] = b.c["schools"]
    b.wording_id = b.one(
        """INSERT INTO consents_consentwording (school_id, version, text, effective_from)
        VALUES (NULL, %(v)s, 'Consent wording of the scale data set.', '2020-09-01')
        RETURNING id""",
        {"v": WORDING_VERSION},
    )
    p["w"] = b.wording_id
    decisions = b.q(
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
    items = b.q(
        """INSERT INTO consents_consentitem (decision_id, purpose, medium, allowed)
        SELECT d.id, 'social_media', m.medium, NOT d.is_withdrawal AND d.id %% 7 <> 0
        FROM consents_consentdecision d CROSS JOIN (VALUES ('photo'), ('video')) m(medium)
        WHERE d.wording_id = %(w)s""",
        p,
    )
    current = b.q(
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


def publications(b: ScaleBuilder) -> str:
    """Posts recorded after the consent check (4.5e) this school year, each with students
    whose current consent allows it, named as it allows; then a few withdrawals: the
    decision becomes a withdrawal, the current consent is refused, and every post the
    student appears in gets a takedown for the account's owner (done for most)."""
    from django.utils.timezone import localdate

    year_start = date(CONSENT_YEAR, 9, 1)
    days = max(1, (localdate() - year_start).days + 1)
    p = {"n": b.c["publications"], "y": CONSENT_YEAR, "y0": year_start, "days": days}
    p["now"] = b.now
    b.q(
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
    p["na"] = b.one("SELECT count(*) FROM scale_active")
    if not p["na"]:
        return "no active account: no publications"
    publications = b.q(
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
    p["p0"] = b.one(
        "SELECT min(id) FROM consents_publication WHERE school_id IN (SELECT id FROM scale_school)"
    )
    # One to six students a post, picked among those allowed (materialised first so the
    # join below is an equality on all four columns).
    b.q(
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
    appearances = b.q(
        """INSERT INTO consents_publicationstudent (publication_id, student_id, naming,
            consent_existed)
        SELECT DISTINCT k.publication_id, e.student_id, e.naming, true
        FROM scale_pick k JOIN scale_eligible e USING (school_id, purpose, medium, rn)"""
    )
    # Withdrawals: about one student in 80 of those who appear. The withdrawal comes after
    # their last post, so every post they appear in needs taking down.
    b.q(
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
    b.q(
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
    takedowns = b.q(
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
    opened = b.one(
        """SELECT count(*) FROM consents_takedown
        WHERE status = 'open' AND school_id IN (SELECT id FROM scale_school)"""
    )
    return (
        f"{publications} publications, {appearances} students in them, "
        f"{b.one('SELECT count(*) FROM scale_withdrawn')} withdrawals, "
        f"{takedowns} takedowns ({opened} open)"
    )
