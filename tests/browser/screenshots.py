"""The README's screenshots, taken by the browser tests.

Always written to test-artifacts/readme/ (git-ignored). With README_SCREENSHOTS=1 they are also
written to docs/screenshots/, the copies the README shows:

    README_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_every_page.py \\
        tests/browser/test_keyboard_journey.py
"""

from __future__ import annotations

import os
from pathlib import Path

from .helpers import ARTIFACTS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_readme_screenshot(page, name: str) -> Path:
    folder = ARTIFACTS / "readme"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))  # the first screen: what a person sees on arrival
    if os.environ.get("README_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        (DOCS / f"{name}.png").write_bytes(path.read_bytes())
    return path
