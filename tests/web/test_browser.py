"""The web app in a real browser: Playwright driving Debian's chromium against `callvault serve`.

Set CALLVAULT_WEB_SCREENSHOTS=DIR to keep screenshots of the main pages (docs/ holds them).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from callvault.catalog import Catalog, accounts
from callvault.web.passwords import hash_password

PASSWORD = "correct horse battery staple"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(web_archive, serve):
    data, _ = web_archive
    with serve(data, "--lock-after", "3") as (base, process):
        yield base
    # What the server printed: no request line, so no search term or call content.
    printed = process.stdout.read()
    assert "verified" not in printed and "/search" not in printed and "GET " not in printed, printed


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make system-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    folder = os.environ.get("CALLVAULT_WEB_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"web-{name}.png"))


def sign_in(page, base, name, password=PASSWORD):
    page.goto(base + "/signin")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def wait_until(page, expression: str, timeout: float = 20.0) -> None:
    """Poll a JS expression (wait_for_function evaluates strings, which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def audit_actions(data, actor):
    with Catalog.in_data_dir(data) as catalog:
        return [r["action"] for r in catalog.conn.execute("SELECT action FROM audit WHERE actor = ? ORDER BY seq", (actor,))]


@pytest.mark.parametrize("name, landing, nav", [
    ("ann", "/calls", ["Calls", "Search"]),
    ("otto", "/calls", ["Calls", "Search", "Incidents", "Daily report", "Access log"]),
    ("ada", "/users", ["Users"]),
])
def test_each_role_signs_in_to_its_pages(page, server, name, landing, nav):
    sign_in(page, server, name)
    assert page.url == server + landing
    assert page.locator("header nav a").all_inner_texts() == nav
    assert name in page.inner_text(".who")
    if name == "ada":
        shot(page, "users")


def test_search_opens_the_hit_at_its_moment_and_the_redacted_audio_plays(page, server, web_archive):
    sign_in(page, server, "ann")
    page.goto(server + "/search")
    page.fill("input[name=q]", "verified")
    page.click("form.filters button[type=submit]")
    hit = page.locator("a.hit-link").first
    assert "verified" in hit.locator("mark.hit").inner_text().lower()
    shot(page, "search")
    href = hit.get_attribute("href")
    moment = float(re.search(r"t=([\d.]+)", href)[1])
    hit.click()
    wait_until(page, "document.getElementById('player').readyState >= 1")
    turn = page.locator(".turn.playing")
    assert turn.count() == 1 and "verified" in turn.inner_text().lower()
    assert abs(page.evaluate("document.getElementById('player').currentTime") - moment) < 0.5
    page.evaluate("""() => { const p = document.getElementById('player');
        window.__playing = new Promise(resolve => p.addEventListener('playing', () => resolve(true), {once: true})); }""")
    page.locator(".turn").first.click()  # click-to-seek, a user gesture, so playback may start
    assert page.evaluate("window.__playing") is True
    wait_until(page, "document.getElementById('player').currentTime > 0.3")
    assert page.evaluate("document.querySelector('.turn.playing').id") == "turn-0"


def test_officer_signs_off_a_review(page, server, web_archive):
    data, rid = web_archive
    sign_in(page, server, "otto")
    page.goto(f"{server}/calls/{rid}")
    shot(page, "call")
    page.fill("#signoff input[name=note]", "evidence checked in the browser")
    page.click("#signoff button[type=submit]")
    assert "Signed off by otto" in page.inner_text("#review")
    assert "evidence checked in the browser" in page.inner_text("#review")
    assert "review.sign_off" in audit_actions(data, "otto")
    page.fill("#restore input[name=reason]", "ticket 4711")
    responses = []
    page.context.on("response", lambda response: responses.append(response))
    with page.expect_popup() as popup:
        page.click("#restore button[type=submit]")
    popup.value.wait_for_load_state()
    restored = next(r for r in responses if r.url.endswith("/restore"))
    assert restored.status == 200 and restored.headers["content-type"] == "audio/wav"
    assert restored.headers["cache-control"] == "no-store"
    assert "vault.restore" in audit_actions(data, "otto")
    page.goto(server + "/audit?user=otto")
    assert "review.sign_off" in page.inner_text("#audit")
    shot(page, "access-log")
    page.goto(server + "/reports/daily?day=2026-11-30")
    assert "WEB-1" in page.inner_text("#report")
    shot(page, "report")
    page.goto(server + "/calls")
    shot(page, "calls")


def test_auditor_on_an_officer_page_gets_403_and_an_audit_entry(page, server, web_archive):
    data, _ = web_archive
    sign_in(page, server, "ann")
    before = audit_actions(data, "ann").count("web.denied")
    response = page.goto(server + "/audit")
    assert response.status == 403
    assert "does not allow this page" in page.inner_text("#error-message")
    assert audit_actions(data, "ann").count("web.denied") == before + 1


def test_a_form_without_its_csrf_token_is_rejected(page, server, web_archive):
    data, rid = web_archive
    sign_in(page, server, "otto")
    page.goto(f"{server}/calls/{rid}")
    signed_before = audit_actions(data, "otto").count("review.sign_off")
    page.evaluate("document.querySelector('#signoff input[name=csrf]').remove()")
    with page.expect_response(lambda r: r.url.endswith("/review")) as answer:
        page.click("#signoff button[type=submit]")
    assert answer.value.status == 403
    assert "Form rejected" in page.inner_text("h1")
    assert audit_actions(data, "otto").count("review.sign_off") == signed_before
    assert "web.csrf_rejected" in audit_actions(data, "otto")


def test_repeated_wrong_passwords_lock_the_account(page, server, web_archive):
    data, _ = web_archive
    with Catalog.in_data_dir(data) as catalog:
        accounts.add_user(catalog.conn, catalog.audit, "browser-lock", "officer", hash_password(PASSWORD), "test", catalog.clock())
    for _ in range(2):
        sign_in(page, server, "browser-lock", "not the password")
        assert "Wrong user name or password" in page.inner_text("#signin-message")
    sign_in(page, server, "browser-lock", "not the password")
    assert "locked" in page.inner_text("#signin-message")
    sign_in(page, server, "browser-lock")
    assert page.url.endswith("/signin") and "locked" in page.inner_text("#signin-message")
    assert "user.locked" in audit_actions(data, "browser-lock")
