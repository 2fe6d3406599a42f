"""Benchmark: audited writes from concurrent transactions, one chain lane against several
(audit/chain.py, AUDIT_CHAIN_LANES).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench_audit \
        .venv/bin/python bench/audit_writers.py --threads 8 --transactions 200

Migrates the database named by DATABASE_URL, then for each lane count (--lanes, default 1
and 8) runs K threads, each with its own connection, doing M transactions that record one
audit entry through audit.services.record and then keep the transaction open for --hold-ms
(the rest of the page's work before the commit, with the lane held). Prints entries per
second for each lane count, which lanes were used, and the whole-chain check at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_bench_audit")


def run(lanes: int, threads: int, transactions: int, hold: float) -> tuple[float, set[int]]:
    from django.conf import settings
    from django.db import connections, transaction

    from audit.models import AuditEntry
    from audit.services import record

    settings.AUDIT_CHAIN_LANES = lanes
    start_id = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(transactions):
                with transaction.atomic():
                    record(None, "bench.audit_writer", data={"writer": n, "i": i})
                    time.sleep(hold)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    took = time.perf_counter() - t0
    if errors:
        raise errors[0]
    used = set(AuditEntry.objects.filter(id__gt=start_id).values_list("lane", flat=True))
    return took, used


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=200, help="per thread")
    parser.add_argument("--hold-ms", type=float, default=2.0)
    parser.add_argument("--lanes", default="1,8", help="lane counts to run, comma-separated")
    args = parser.parse_args()
    from consent_import import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from audit.chain import verify_chain

    call_command("migrate", verbosity=0)
    total = args.threads * args.transactions
    print(
        f"{args.threads} threads x {args.transactions} transactions, one entry each, "
        f"transaction held {args.hold_ms:g} ms after record()"
    )
    for lanes in (int(n) for n in args.lanes.split(",")):
        took, used = run(lanes, args.threads, args.transactions, args.hold_ms / 1000)
        print(
            f"lanes={lanes}: {total} entries in {took:.2f} s = {total / took:,.0f} entries/s "
            f"(lanes used: {sorted(used)})"
        )
    t0 = time.perf_counter()
    report = verify_chain()
    print(
        f"verify_chain: ok={report.ok} over {report.checked} entries in "
        f"{time.perf_counter() - t0:.2f} s {report.problem}"
    )


if __name__ == "__main__":
    main()
