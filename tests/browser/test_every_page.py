"""Issue 18's gates: every page each role can reach passes axe-core's WCAG 2.0/2.1/2.2 A and AA
rules, and none scrolls sideways at 320 px (WCAG 1.4.10).

The pages come from the URL conf (tests/browser/site_pages.py), seen by the demo person of each
role with the demo data, so a page added later is checked without anyone listing it. One
browser, one context per role; each page is loaded once: axe runs at 1280 px, then the window
narrows to 320 px and the page must not be wider than the window.
"""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from .helpers import ARTIFACTS, CSP_REPORTER, replay_data_migrations
from .screenshots import save_readme_screenshot
from .site_pages import CANDIDATES, ROLE_PEOPLE, discover, signed_in_client, url_names

AXE_SOURCE = (Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """tags => axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
}).then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " ")),
    count: v.nodes.length,
})))"""
OVERFLOW = """async () => {
    // Let the layout (and charts, which redraw on a resize observer) settle first.
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const root = document.scrollingElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    // Name the widest elements that stick out, to say what to fix.
    const wide = [];
    for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.right > root.clientWidth + 1 && r.width > 0) {
            wide.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""} (${Math.round(r.right)}px)`);
        }
        if (wide.length >= 4) break;
    }
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}
BOARD_PACK = """() => {
    const visible = el => el && getComputedStyle(el).display !== "none"
        && el.getBoundingClientRect().height > 0;
    const text = document.body.innerText;
    return {
        masthead: visible(document.querySelector(".print-masthead"))
            ? document.querySelector(".print-masthead").innerText : "",
        nav: visible(document.querySelector("nav.navbar")),
        buttons: [...document.querySelectorAll("button, .btn, form")].filter(visible).length,
        screenOnly: text.includes("refreshed every few minutes"),
    };
}"""
README_SHOTS = {("teacher", "dashboard:home"): "home", ("trustee", "dashboard:trust"): "dashboard"}


def load_demo_with_every_state() -> None:
    """The demo trust, plus the states a page needs that the demo does not leave behind: an
    invitation not yet accepted and an MIS import waiting for confirmation (and one refused)."""
    replay_data_migrations()
    call_command("load_demo", stdout=StringIO())
    from accounts.models import School, User
    from accounts.roles import SchoolRole
    from accounts.services import user_invite
    from consents.imports import import_preview

    admin = User.objects.get(email=ROLE_PEOPLE["trust_admin"])
    riverside = School.objects.get(urn="140002")
    if not User.objects.filter(email="new.teacher@riverside.starmat.example").exists():
        user_invite(
            admin,
            "new.teacher@riverside.starmat.example",
            "Nia New",
            school=riverside,
            role=SchoolRole.TEACHER,
        )
    from channels.models import FakeAccountReport, Platform
    from channels.services import fake_report_create

    if not FakeAccountReport.objects.filter(school=riverside).exists():
        # The demo's one report is Northfield's; the leader seen here works at Riverside.
        fake_report_create(
            actor=User.objects.get(email=ROLE_PEOPLE["staff"]),
            school=riverside,
            platform=Platform.objects.get(name="TikTok"),
            handle="@riverside_sec_official",
            url="",
            description="Posts the school crest and asks pupils to follow it.",
        )
    office = User.objects.get(email=ROLE_PEOPLE["office"])
    examples = Path(settings.BASE_DIR) / "consents" / "examples"
    for name in ("sims-students.csv", "sims-students-with-errors.csv"):
        import_preview(
            actor=office, school=riverside, file_name=name, data=(examples / name).read_bytes()
        )


def board_pack_problems(page) -> list[str]:
    """The dashboard printed for the board pack: the trust's name and the time of the
    figures on top, no menu, no buttons, no text meant for the screen only."""
    page.emulate_media(media="print")
    try:
        pack = page.evaluate(BOARD_PACK)
    finally:
        page.emulate_media(media="screen")
    problems = []
    if (
        "The Star Multi Academy Trust" not in pack["masthead"]
        or "figures as of" not in pack["masthead"]
    ):
        problems.append(f"board pack: no masthead with the trust and the time: {pack}")
    if pack["nav"] or pack["buttons"] or pack["screenOnly"]:
        problems.append(f"board pack: screen furniture in print: {pack}")
    return problems


def test_every_page_passes_axe_and_does_not_scroll_sideways_at_320px(browser, live_server):
    load_demo_with_every_state()
    names = url_names()
    failures: list[str] = []
    reached: dict[str, set[str]] = {}
    actions: set[str] = set()
    timings: list[str] = []
    for role in ROLE_PEOPLE:
        started = time.monotonic()
        client, user = signed_in_client(role)
        found = discover(role, client, user, names)
        discovered = time.monotonic()
        failures += found.problems
        actions |= found.actions
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {"name": c.key, "value": c.value, "url": live_server.url}
                for c in client.cookies.values()
            ]
        )
        # Init scripts are injected by the browser whatever the page's CSP says, so the
        # pages keep their real policy (and a CSP violation still shows on the console).
        context.add_init_script(CSP_REPORTER)
        context.add_init_script(AXE_SOURCE)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m, e=errors: (
                m.type == "error"
                and not m.text.startswith("Failed to load resource")  # reported below
                and e.append(m.text)
            ),
        )
        page.on(
            "response",
            lambda r, e=errors: (
                r.request.resource_type != "document"
                and r.status >= 400
                and e.append(f"{r.status} for {r.url}")
            ),
        )
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        for name, path in sorted(found.pages.items()):
            reached.setdefault(name, set()).add(role)
            page.set_viewport_size(DESKTOP)
            response = page.goto(path)
            where = f"[{role}] {name} {path}"
            if response is None or response.status != 200:
                failures.append(f"{where}: answered {response and response.status} in the browser")
                continue
            for violation in page.evaluate(AXE_RUN, AXE_TAGS):
                failures.append(
                    f"{where}: axe {violation['id']} ({violation['impact']}, "
                    f"{violation['count']} element(s)): {violation['help']}\n      "
                    + "\n      ".join(violation["nodes"])
                )
            if (role, name) in README_SHOTS:
                save_readme_screenshot(page, README_SHOTS[(role, name)])
            if (role, name) == ("trustee", "dashboard:trust"):
                failures += board_pack_problems(page)
            page.set_viewport_size(PHONE)
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                failures.append(
                    f"{where}: scrolls sideways at 320 px ({overflow['scrollWidth']} px wide): "
                    + json.dumps(overflow["wide"])
                )
            if errors:
                failures.append(f"{where}: browser errors: {errors[:3]}")
                errors.clear()
        context.close()
        timings.append(
            f"{role}: {len(found.pages)} pages, discovery {discovered - started:.1f} s, "
            f"browser {time.monotonic() - discovered:.1f} s"
        )

    report = ARTIFACTS / "every-page.txt"
    report.parent.mkdir(exist_ok=True)
    report.write_text("\n".join(timings + [""] + failures) + "\n")
    unreached = sorted(set(CANDIDATES) - set(reached) - actions)
    if unreached:
        failures.append(
            "no role reached these pages with the demo data (add demo data, or a candidate in "
            f"tests/browser/site_pages.py): {unreached}"
        )
    # The gate must look at something: every role reaches pages, and most of the site is seen.
    for role in ROLE_PEOPLE:
        assert any(role in roles for roles in reached.values()), f"{role} reached no page"
    assert len(reached) >= 60, sorted(reached)
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)
