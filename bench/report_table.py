"""The table bench/pages.py prints: each page's throughput and latency, as a ratio to the
reference (the first result), against the issue's targets; `--markdown` for the docs."""

from __future__ import annotations

import os
import platform
from datetime import datetime


def report(args, results: list) -> None:  # of bench/pages.py Result
    reference = results[0]
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    workers = os.environ.get("GUNICORN_WORKERS") or f"{cores * 2 + 1} (gunicorn.conf.py)"
    head = (
        f"{datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, {cores} cores, "
        f"Python {platform.python_version()}; gunicorn sync workers: {workers}; wrk "
        f"-t{args.threads} -c{args.connections}, {args.warmup} s warm-up + {args.duration} s "
        f"per page; load average after the run {load:.2f}; reference: mean of the bare page "
        f"before and after"
    )
    rows = []
    missed = 0
    for r in results:
        ratio = r.ratio(reference)
        ok = (r.page.min_ratio is None or ratio >= r.page.min_ratio) and (
            r.page.max_p95_ms is None or r.p95 < r.page.max_p95_ms
        )
        missed += 0 if ok else 1
        rows.append(
            [
                r.page.name,
                f"{r.rps:.0f}",
                f"{r.p50:.1f}",
                f"{r.p95:.1f}",
                f"{r.p99:.1f}",
                f"{ratio:.2f}",
                r.page.target,
                "met" if ok else "**missed**",
                str(r.bad),
            ]
        )
    header = ["page", "req/s", "p50 ms", "p95 ms", "p99 ms", "ratio", "target", "", "errors"]
    print(head)
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
        for row in [header, *rows]:
            print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
    print(f"{missed} target(s) missed" if missed else "every target met")
