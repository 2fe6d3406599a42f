"""Gunicorn for the portal (docker-compose.yml runs `gunicorn -c gunicorn.conf.py config.wsgi`).

Sync workers, not threads: the portal's requests are short and database-bound, and on the
small hosts a trust runs (2 cores) a few processes give steadier latency than threads
contending for the GIL. Scale out with more web replicas (docs/deploy.md), not threads.
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "sync"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Long enough for a CSV export or a report, short enough that a stuck worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never reaches the memory limit. Not too often:
# at a few hundred requests a second per worker, 1,000 meant a fresh (cold) worker every few
# seconds, which showed in the p99 of bench/pages.py.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Import Django once in the master and fork the workers from it: a recycled worker starts in
# milliseconds and shares the imported code's memory. No connection is opened at import time
# (database, Redis and Celery connect on first use, in each worker).
preload_app = True
# No runtime control socket: it would go under $HOME, which the image keeps read-only; the
# container is restarted instead.
control_socket_disable = True
# TLS ends at the reverse proxy; only it may tell us the original scheme and client address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Logs go to stdout/stderr; compose (or the host's journal) collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Path segments that carry a secret: password-reset and invitation tokens, signed links.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_\-:]{20,}(?=/|$)|(?<=/)[0-9a-z]{1,13}-[0-9a-f]{20,}")


def redact_path(path: str) -> str:
    """Replace token-like path segments so a reset or invitation link never lands in a log."""
    return _TOKEN_SEGMENT.sub("[redacted]", path)


class RedactingLogger(Logger):
    """Gunicorn's logger without query strings or token-like path segments (also in the referer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(atoms.get("U", ""))
        atoms["U"] = path
        atoms["q"] = "-"
        atoms["f"] = redact_path(atoms.get("f", "-").split("?", 1)[0])
        atoms["r"] = f"{atoms.get('m', '-')} {path} {atoms.get('H', '-')}"
        return atoms


logger_class = RedactingLogger
