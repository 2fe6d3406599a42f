"""`make test` needs three programs from the machine besides Python and PostgreSQL; when one is
missing, say which and how to install it, in one sentence, before anything runs."""

import os
import shutil
import sys

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# (Debian package, what needs it, whether it is there)
NEEDED = [
    ("redis-server", "for the broker tests", shutil.which("redis-server")),
    (
        "chromium",
        "for the browser tests",
        os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK),
    ),
    ("wrk", "for the benchmark harness test", shutil.which("wrk")),
]

missing = [(package, why) for package, why, found in NEEDED if not found]
if missing:
    named = [f"{package} ({why})" for package, why in missing]
    what = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    packages = " ".join(package for package, _ in missing)
    sys.exit(
        f"make test needs {what}: install with `apt-get install {packages}` as root "
        "(Debian/Ubuntu), or name an installed Chromium with CHROMIUM_PATH."
    )
