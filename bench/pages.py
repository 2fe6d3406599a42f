"""Benchmark: the portal's pages under gunicorn on the scale data, as ratios to a bare Django page.

    make bench-deps                                   # apt-get install wrk (once)
    createdb -h 127.0.0.1 -U postgres smp_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_scale .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_scale .venv/bin/python manage.py seed_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_scale .venv/bin/python bench/pages.py

What it does (issue 9):
1. Picks people of the first school of the Scale Trust in every role (and the trust's
   trustee, trust administrator and trust HR; the last two are added if seed_scale did not make
   them), gives those above teacher a confirmed TOTP device, and signs each in once: a session
   with the second factor verified and a fresh step-up, as after the sign-in and step-up pages.
2. Starts gunicorn with `gunicorn.conf.py` and production settings: DEBUG off, persistent
   database connections (CONN_MAX_AGE), Redis as the cache and as Celery's broker (tasks are
   queued, not run), the access log written to a file.
3. Checks that every page answers 200 to its person (not a redirect to sign-in, two-factor or
   step-up), then drives each with wrk (`bench/wrk_report.lua`) for a warm-up and a measured
   run, one page at a time.
4. Measures the reference, a bare Django project (`bench/bare/`: startproject's middleware,
   database sessions, CONN_MAX_AGE, a page that reads the signed-in user and one row) under the
   same gunicorn configuration and database server, before the portal's pages and again after
   them; the mean of the two runs is the reference.
5. Prints requests per second and p50/p95/p99 per page, each page's throughput as a ratio to
   the reference measured in the same run, and the issue's targets; `--markdown` prints the
   table for docs/benchmarks.md.

The reference shows what this machine, Django, gunicorn and PostgreSQL can do for a signed-in
page at best. The notification bell (`notifications:bell`) stays in the table as the portal's
own floor: its lightest signed-in page (session, user, second-factor device and one count;
htmx polls it), so the bell's ratio is the portal's fixed cost per request.

Writes: the sessions it makes, the retrievals the retrieval page records (each with its audit
entry and notifications, as a real retrieval must) and the publication checks' audit entries.
Run it on a benchmark database, never a live one: it refuses without the Scale Trust.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The credential keys that sealed the scale data: seed_scale runs with the dev settings unless
# CREDENTIAL_KEYS was set, so the same default applies here (a benchmark database only).
DEV_CREDENTIAL_KEYS = "dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtMzItYnl0ZXM="
# Likewise the audit chain key the seed appended with (config/settings/dev.py); the anchor is
# named because production requires it, but the benchmark writes no checkpoint.
DEV_AUDIT_CHAIN_KEYS = "devchain1:ZGV2LW9ubHktYXVkaXQtY2hhaW4ta2V5LTMyYnl0ZXM="
DEV_AUDIT_ANCHOR_KEYS = "devanchor1:ZGV2LW9ubHktYXVkaXQtYW5jaG9yLWtleS0zMmJ5dGU="
DOMAIN = "scale-trust.example"


@dataclass
class Page:
    name: str
    path: str
    email: str
    method: str = "GET"
    form: dict | None = None
    target: str = "≥ 0.40, p95 < 60 ms"  # ratio of the reference's throughput
    min_ratio: float | None = 0.40
    max_p95_ms: float | None = 60


@dataclass
class Result:
    page: Page
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    bad: int

    def ratio(self, reference: Result) -> float:
        return self.rps / reference.rps if reference.rps else 0.0


def server_env(args) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": args.database,
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CREDENTIAL_KEYS": env.get("CREDENTIAL_KEYS") or DEV_CREDENTIAL_KEYS,
            "AUDIT_CHAIN_KEYS": env.get("AUDIT_CHAIN_KEYS") or DEV_AUDIT_CHAIN_KEYS,
            "AUDIT_ANCHOR_KEYS": env.get("AUDIT_ANCHOR_KEYS") or DEV_AUDIT_ANCHOR_KEYS,
            "AUDIT_ANCHOR_PATH": env.get("AUDIT_ANCHOR_PATH") or str(ROOT / "var" / "bench-anchor"),
            "CACHE_URL": args.redis + "/14",
            "CELERY_BROKER_URL": args.redis + "/15",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "SECURE_SSL_REDIRECT": "false",
            "CONN_MAX_AGE": "600",
            # The retrieval page is measured thousands of times; the 10-an-hour limit would
            # answer 429 after the tenth.
            "ESCROW_RETRIEVALS_PER_HOUR": "100000000",
            # The carer's page: one link from one address, thousands of times (the limit's
            # own cache increment is still in every measured request).
            "CONSENT_ROUND_LIMIT_ADDRESS": "100000000",
            "CONSENT_ROUND_LIMIT_LINK": "100000000",
            "GUNICORN_BIND": f"127.0.0.1:{args.port}",
            "LOG_LEVEL": "WARNING",
        }
    )
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    return env


def prepare(args) -> tuple[list[Page], dict[str, str]]:
    """Sessions for each person, and the pages with their URLs (runs Django in this process
    with the server's settings, so the session hashes match)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # production: hashed names
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Membership, School, Trust, TrustRole, User
    from accounts.roles import TrustRoleKind
    from accounts.stepup import STEP_UP_SESSION_KEY
    from channels.models import OfficialAccount
    from consents.models import Student
    from escrow.models import Credential
    from portal.scale import SCALE_TRUST_NAME, TOTP_KEY_HEX

    trust = Trust.objects.filter(name=SCALE_TRUST_NAME).first()
    if trust is None:
        sys.exit("No Scale Trust in this database: run `manage.py seed_scale` first.")
    if School.objects.exclude(trust=trust).exists():
        sys.exit("This database holds other schools: bench/pages.py runs on a benchmark database.")
    school = School.objects.filter(trust=trust).order_by("urn").first()

    def member(role: str) -> User:
        m = Membership.objects.filter(school=school, role=role).order_by("user_id").first()
        if m is None:
            sys.exit(f"No {role} in {school.name}: the scale data is incomplete.")
        return m.user

    people = {
        "teacher": member("teacher"),
        "leader": member("leader"),
        "headteacher": member("headteacher"),
        "safeguarding lead": member("safeguarding_lead"),
        "consent administrator": member("consent_admin"),
        "staff member": member("staff"),
        "trustee": User.objects.get(email=f"trustee@{DOMAIN}"),
    }
    for label, role in [
        ("trust administrator", TrustRoleKind.TRUST_ADMIN),
        ("trust HR", TrustRoleKind.TRUST_HR),
    ]:
        tr = TrustRole.objects.filter(trust=trust, role=role).select_related("user").first()
        if tr is None:
            user, _ = User.objects.get_or_create(
                email=f"bench-{role.replace('_', '-')}@{DOMAIN}",
                defaults={"full_name": f"Bench {label}"},
            )
            tr = TrustRole.objects.create(user=user, trust=trust, role=role)
        people[label] = tr.user

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    cookies: dict[str, str] = {}
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
    now = timezone.now().timestamp()
    for label, user in people.items():
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=True, defaults={"name": "scale benchmark", "key": TOTP_KEY_HEX}
        )
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[STEP_UP_SESSION_KEY] = now
        session.save()
        name = settings.SESSION_COOKIE_NAME
        cookies[label] = f"{name}={client.cookies[name].value}; {settings.CSRF_COOKIE_NAME}={csrf}"

    account = (
        OfficialAccount.objects.filter(
            school=school,
            status="active",
            pk__in=Credential.objects.values("account_id"),
            owner__in=[u.pk for u in people.values()],
        )
        .order_by("pk")
        .first()
    )
    students = list(
        Student.objects.filter(school=school, left_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:30]
    )
    if account is None or len(students) < 30:
        sys.exit("The first school has no active account with credentials, or < 30 students.")
    # The check is made by someone on the account's team (its owner, in the scale data); the
    # retrieval by the headteacher, so that the owner is told, as the escrow does.
    checker = next((label for label, u in people.items() if u.pk == account.owner_id), None)
    if checker is None:
        sys.exit(f"The owner of {account.handle} is not among the people this benchmark signs in.")

    listing = {"target": "≥ 0.25", "min_ratio": 0.25, "max_p95_ms": None}
    carer_path, cookies["carer"] = carer_session(school, csrf)
    pages = [
        Page(
            "floor: notification bell",
            reverse("notifications:bell"),
            "teacher",
            target="≥ 0.80",
            min_ratio=0.80,
            max_p95_ms=None,
        )
    ]
    for label in people:
        pages.append(Page(f"home: {label}", reverse("dashboard:home"), label))
    pages += [
        Page("account list (leader)", reverse("channels:account_list"), "leader", **listing),
        Page(
            "breach case list (headteacher)",
            reverse("breaches:case_list"),
            "headteacher",
            **listing,
        ),
        Page("breach case list (trust HR)", reverse("breaches:case_list"), "trust HR", **listing),
        Page(
            "consent list of a school",
            reverse("consents:student_list"),
            "consent administrator",
            **listing,
        ),
        Page(
            "publication check, 30 students",
            reverse("consents:check"),
            checker,
            method="POST",
            form={
                "csrfmiddlewaretoken": csrf,
                "account": account.pk,
                "medium": "photo",
                "students": students,
            },
            **listing,
        ),
        Page("carer's consent page (confirmed, phone)", carer_path, "carer", max_p95_ms=None),
        Page(
            "credential retrieval",
            reverse("escrow:retrieve", args=[account.pk]),
            "headteacher",
            method="POST",
            form={"csrfmiddlewaretoken": csrf, "reason": "Benchmark: posting the newsletter."},
            **listing,
        ),
        Page("trustees' dashboard", reverse("dashboard:trust"), "trustee"),
    ]
    if args.only:
        pages = [
            p for p in pages if p.name.startswith("floor") or any(o in p.name for o in args.only)
        ]
    return pages, cookies


def carer_session(school, csrf: str) -> tuple[str, str]:
    """The consent round's page as a carer sees it after confirming the date of birth: a
    round of this school year (made here if the scale data has none), a fresh link for one
    carer of a child on roll, and an anonymous session holding the confirmation."""
    import datetime

    from django.conf import settings
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from accounts.models import User
    from consents.models import ConsentRound, ConsentWording, RoundInvite, StudentCarer
    from consents.rounds.public_views import SESSION_KEY
    from consents.rounds.services import link_path
    from consents.rounds.tokens import new_secret
    from consents.selectors import current_school_year

    link = (
        StudentCarer.objects.filter(student__school=school, student__left_on__isnull=True)
        .select_related("student")
        .order_by("pk")
        .first()
    )
    if link is None:
        sys.exit(f"{school.name} has no carer of a student on roll.")
    if link.student.date_of_birth is None:
        type(link.student).objects.filter(pk=link.student_id).update(
            date_of_birth=datetime.date(2014, 5, 17)
        )
    year = current_school_year()
    wording = ConsentWording.objects.order_by("-effective_from").first()
    if wording is None:
        wording = ConsentWording.objects.create(
            version="bench", text="Benchmark wording.", effective_from=timezone.localdate()
        )
    rnd, _ = ConsentRound.objects.get_or_create(
        school=school,
        school_year=year,
        defaults={
            "wording": wording,
            "ends_on": datetime.date(year + 1, 8, 31),
            "started_by": User.objects.filter(memberships__school=school).first(),
        },
    )
    invite, _ = RoundInvite.objects.get_or_create(round=rnd, carer_id=link.carer_id)
    secret, token_hash = new_secret()
    RoundInvite.objects.filter(pk=invite.pk).update(token_hash=token_hash, failed_checks=0)
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = {str(invite.pk): token_hash}
    store.create()
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    )
    return link_path(invite.pk, secret), cookie


def renew_step_up(cookie: str) -> None:
    """Mark the session's step-up as just passed (as the step-up page does)."""
    from django.conf import settings
    from django.utils import timezone
    from django.utils.module_loading import import_string

    from accounts.stepup import STEP_UP_SESSION_KEY

    key = dict(part.split("=", 1) for part in cookie.split("; "))[settings.SESSION_COOKIE_NAME]
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key=key)
    store[STEP_UP_SESSION_KEY] = timezone.now().timestamp()
    store.save()


def body_of(page: Page) -> str:
    return urlencode(page.form or {}, doseq=True)


def check_page(base: str, page: Page, cookie: str) -> None:
    """One request by hand: the page must answer 200 itself, not redirect elsewhere."""
    data = body_of(page).encode() if page.method == "POST" else None
    req = urllib.request.Request(base + page.path, data=data, method=page.method)  # noqa: S310
    req.add_header("Cookie", cookie)
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=60) as response:
            status = response.status
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, text = exc.code, ""
    if status != 200:
        sys.exit(f"{page.name}: {page.method} {page.path} answered {status}, not 200.")
    if page.name == "credential retrieval" and "Login details" not in text:
        sys.exit("credential retrieval: the page did not reveal the login details.")
    if page.name.startswith("publication check") and 'id="verdicts"' not in text:
        sys.exit("publication check: no verdicts on the page (the form was refused).")


def run_wrk(args, base: str, page: Page, cookie: str, seconds: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "BENCH_METHOD": page.method,
            "BENCH_COOKIE": cookie,
            "BENCH_BODY": body_of(page) if page.method == "POST" else "",
        }
    )
    cmd = [
        "wrk",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
        base + page.path,
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("{"))
    return json.loads(line)


def wait_for(base: str, proc: subprocess.Popen, log: Path, health: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(base + health, timeout=2):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {health} within a minute; see {log}")


def start_gunicorn(app: str, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", app],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_gunicorn(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def measure(args, base: str, page: Page, cookie: str) -> Result:
    if args.warmup:
        run_wrk(args, base, page, cookie, args.warmup)
    r = run_wrk(args, base, page, cookie, args.duration)
    res = Result(
        page,
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50=r["p50_us"] / 1000,
        p95=r["p95_us"] / 1000,
        p99=r["p99_us"] / 1000,
        requests=r["requests"],
        bad=r["non_2xx_3xx"] + r["socket_errors"],
    )
    print(f"  {page.name}: {res.rps:.0f} req/s, p95 {res.p95:.1f} ms", file=sys.stderr)
    return res


REFERENCE = Page(
    "reference: bare Django page", "/", "reference", target="1.00", min_ratio=None, max_p95_ms=None
)


def bare_database_url(portal_url: str) -> str:
    """The reference's own database on the portal's server."""
    return urlunsplit(urlsplit(portal_url)._replace(path="/smp_bench_bare"))


def measure_reference(args, env: dict[str, str], label: str) -> Result:
    """The bare Django project (bench/bare/) under the same gunicorn settings, measured once."""
    bare_env = {k: v for k, v in env.items() if not k.startswith("DJANGO_")}
    bare_env.update(
        DJANGO_SETTINGS_MODULE="bench.bare.settings",
        BARE_DATABASE_URL=args.bare_database or bare_database_url(args.database),
    )
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.bare.prepare"],
        cwd=ROOT,
        env=bare_env,
        capture_output=True,
        text=True,
    )
    if prepared.returncode != 0:
        sys.exit(f"The bare reference could not be prepared:\n{prepared.stderr}")
    cookie = prepared.stdout.strip().splitlines()[-1]
    log_path = ROOT / "var" / "bench-bare-gunicorn.log"
    base = f"http://127.0.0.1:{args.port}"
    proc = start_gunicorn("bench.bare.wsgi", bare_env, log_path)
    try:
        wait_for(base, proc, log_path, "/healthz")
        check_page(base, REFERENCE, cookie)
        page = Page(
            f"{REFERENCE.name} ({label})", "/", "reference", target="—", min_ratio=None,
            max_p95_ms=None,
        )  # fmt: skip
        result = measure(args, base, page, cookie)
        check_page(base, REFERENCE, cookie)
    finally:
        stop_gunicorn(proc)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_scale"),
    )
    parser.add_argument(
        "--bare-database", help="the reference's database (default: smp_bench_bare, same server)"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per page")
    parser.add_argument("--only", nargs="*", help="substrings of page names (the bell always runs)")
    parser.add_argument("--markdown", action="store_true", help="print a table for the docs")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench-deps` (apt-get install wrk).")

    env = server_env(args)
    (ROOT / "var").mkdir(exist_ok=True)
    before = measure_reference(args, env, "before")
    os.environ.update(env)
    pages, cookies = prepare(args)

    log_path = ROOT / "var" / "bench-gunicorn.log"
    base = f"http://127.0.0.1:{args.port}"
    proc = start_gunicorn("config.wsgi", env, log_path)
    results: list[Result] = []
    try:
        wait_for(base, proc, log_path, "/healthz")
        for page in pages:
            check_page(base, page, cookies[page.email])
        for page in pages:
            # The step-up lasts 5 minutes (STEP_UP_VALIDITY): renewed before each page, between
            # runs, so the retrieval is measured revealing, not redirecting to the step-up.
            renew_step_up(cookies[page.email])
            results.append(measure(args, base, page, cookies[page.email]))
            # Still a 200 after the run: wrk counts a redirect (to sign-in, two-factor or
            # step-up) as a success, so a page that started redirecting would look fast.
            check_page(base, page, cookies[page.email])
    finally:
        stop_gunicorn(proc)
        subprocess.run(["redis-cli", "-u", args.redis + "/15", "FLUSHDB"], capture_output=True)
    after = measure_reference(args, env, "after")
    reference = Result(
        REFERENCE,
        rps=(before.rps + after.rps) / 2,
        p50=(before.p50 + after.p50) / 2,
        p95=(before.p95 + after.p95) / 2,
        p99=(before.p99 + after.p99) / 2,
        requests=before.requests + after.requests,
        bad=before.bad + after.bad,
    )
    from report_table import report  # bench/report_table.py

    report(args, [reference, before, after, *results])


if __name__ == "__main__":
    main()
