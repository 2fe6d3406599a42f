"""Benchmark: what a credential retrieval adds over the page it sits on (issue 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench \
        .venv/bin/python bench/escrow_retrieval.py --rounds 60

Loads the demo into the database named by DATABASE_URL (migrating it first), signs in a
Northfield leader with a verified second factor and a fresh step-up, then times with the Django
test client: GET of the retrieval form, and the POST that retrieves (Retrieval row, audit entry
under the chain lock, notifications, commit, then unwrap and decrypt). Prints medians and p90.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_bench")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    from consent_import import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from accounts.stepup import STEP_UP_SESSION_KEY
    from escrow.models import Credential

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    leader = User.objects.get(email="leader@northfield.starmat.example")
    credential = Credential.objects.filter(account__school__name__startswith="Northfield").first()
    account_id = credential.account_id

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(leader)
    device = TOTPDevice.objects.filter(user=leader, confirmed=True).first()

    def fresh_session():
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[STEP_UP_SESSION_KEY] = timezone.now().timestamp()
        session.save()

    url = reverse("escrow:retrieve", args=[account_id])
    gets, posts = [], []
    with override_settings(ESCROW_RETRIEVALS_PER_HOUR=10**6):
        for i in range(args.rounds + 5):
            fresh_session()
            t0 = time.perf_counter()
            r = client.get(url)
            t1 = time.perf_counter()
            assert r.status_code == 200, r.status_code
            r = client.post(url, {"reason": "Benchmark of the retrieval path"})
            t2 = time.perf_counter()
            assert r.status_code == 200 and b"data-auto-hide" in r.content, r.status_code
            if i >= 5:  # warm-up rounds are not counted
                gets.append((t1 - t0) * 1000)
                posts.append((t2 - t1) * 1000)
    g, p = statistics.median(gets), statistics.median(posts)
    print(f"rounds: {args.rounds} (after 5 warm-up rounds)")
    print(f"GET retrieval form: median {g:.1f} ms, p90 {percentile(gets, 0.9):.1f} ms")
    print(f"POST retrieve:      median {p:.1f} ms, p90 {percentile(posts, 0.9):.1f} ms")
    print(f"added by retrieval: {p - g:.1f} ms (target <= 20 ms)")


if __name__ == "__main__":
    main()
