"""The web app over HTTP (Starlette's test client, in process) on a catalog of a really processed call."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from callvault.catalog import Catalog, accounts
from callvault.web.passwords import hash_password
from helpers import WEB_PASSWORD as PASSWORD, audit_rows, csrf_of, web_sign_in as sign_in

RAW_VALUES = ("tiger", "forty two", "eighty four")


def new_account(data, name, role):
    with Catalog.in_data_dir(data) as catalog:
        accounts.add_user(catalog.conn, catalog.audit, name, role, hash_password(PASSWORD), "test", catalog.clock())


@pytest.mark.slow
def test_signed_out_requests_go_to_sign_in(make_client, web_archive):
    _, rid = web_archive
    client = make_client()
    for path in ("/calls", f"/calls/{rid}", f"/calls/{rid}/audio", "/audit", "/users"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin", path
    assert client.post(f"/calls/{rid}/review", data={"csrf": "x"}).status_code == 401


@pytest.mark.slow
def test_session_cookie_is_secure_httponly_samesite_and_headers_are_set(make_client, web_archive):
    _, rid = web_archive
    client = make_client()
    response = sign_in(client, "otto")
    assert response.status_code == 303 and response.headers["location"] == "/calls"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("cv_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    for path in ("/calls", f"/calls/{rid}", f"/calls/{rid}/audio", "/search?q=account", "/audit", "/reports/daily"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.slow
def test_pages_and_exports_hold_no_raw_value(make_client, web_archive):
    data, rid = web_archive
    client = make_client()
    sign_in(client, "otto")
    bodies = [client.get(p).text for p in (
        "/calls", f"/calls/{rid}", "/search?q=bill", "/search?q=code", "/audit", "/audit.csv",
        "/reports/daily?day=2026-11-30", "/reports/daily.csv?day=2026-11-30",
    )]
    page = client.get(f"/calls/{rid}").text
    assert "[AUTH_SECRET]" in page or "[BILL_AMOUNT]" in page  # the call's findings are shown as placeholders
    for body in bodies:
        for raw in RAW_VALUES:
            assert raw not in body.lower()


@pytest.mark.slow
def test_auditor_sees_redacted_call_but_officer_pages_are_403_and_audited(make_client, web_archive):
    data, rid = web_archive
    client = make_client()
    sign_in(client, "ann")
    page = client.get(f"/calls/{rid}")
    assert page.status_code == 200 and 'id="turns"' in page.text and 'id="findings"' in page.text
    assert 'id="rules"' not in page.text and 'id="restore"' not in page.text  # officer-only sections not rendered
    before = len(audit_rows(data, "web.denied"))
    for path in ("/audit", "/reports/daily", "/users"):
        assert client.get(path).status_code == 403, path
    response = client.post(f"/calls/{rid}/restore", data={"csrf": csrf_of(page), "reason": "curious"})
    assert response.status_code == 403 and response.headers.get("content-type", "").startswith("text/html")
    denied = audit_rows(data, "web.denied")[before:]
    assert [d["actor"] for d in denied] == ["ann"] * 4
    assert '"role":"auditor"' in denied[-1]["details"] and denied[-1]["recording_id"] == rid


@pytest.mark.slow
def test_form_without_csrf_token_is_rejected(make_client, web_archive):
    data, rid = web_archive
    client = make_client()
    sign_in(client, "otto")
    before = len(audit_rows(data, "review.sign_off"))
    assert client.post(f"/calls/{rid}/review", data={"note": "no token"}).status_code == 403
    assert client.post(f"/calls/{rid}/review", data={"note": "bad", "csrf": "forged"}).status_code == 403
    assert len(audit_rows(data, "review.sign_off")) == before
    assert audit_rows(data, "web.csrf_rejected")[-1]["actor"] == "otto"
    # The sign-in form is guarded too, before there is a session.
    fresh = make_client()
    assert fresh.post("/signin", data={"name": "otto", "password": PASSWORD}).status_code == 403


@pytest.mark.slow
def test_repeated_wrong_passwords_lock_the_account(make_client, web_archive):
    data, _ = web_archive
    new_account(data, "lock-me", "auditor")
    client = make_client(lock_after=3)
    for _ in range(2):
        assert "Wrong user name or password" in sign_in(client, "lock-me", "wrong password!").text
    assert "locked" in sign_in(client, "lock-me", "wrong password!").text
    refused = sign_in(client, "lock-me")  # the right password no longer works
    assert refused.status_code == 401 and "locked" in refused.text
    assert audit_rows(data, "user.locked")[-1]["actor"] == "lock-me"


@pytest.mark.slow
def test_idle_and_absolute_timeouts_end_the_session(make_client, web_archive):
    from callvault.clock import system_clock

    class Clock:
        offset = timedelta(0)

        def __call__(self):
            return system_clock() + self.offset

    clock = Clock()
    client = make_client(clock=clock, idle_timeout=600, absolute_timeout=3600)
    sign_in(client, "ann")
    assert client.get("/calls", follow_redirects=False).status_code == 200
    clock.offset = timedelta(seconds=500)
    assert client.get("/calls", follow_redirects=False).status_code == 200  # touched: idle restarts
    clock.offset = timedelta(seconds=1000)
    assert client.get("/calls", follow_redirects=False).status_code == 200
    clock.offset = timedelta(seconds=1700)
    assert client.get("/calls", follow_redirects=False).status_code == 303  # idle for 700 s
    sign_in(client, "ann")
    for step in range(1, 9):
        clock.offset = timedelta(seconds=1700 + step * 500)
        expected = 200 if step * 500 <= 3600 else 303
        assert client.get("/calls", follow_redirects=False).status_code == expected, step


@pytest.mark.slow
def test_audio_range_requests(make_client, web_archive):
    data, rid = web_archive
    client = make_client()
    sign_in(client, "ann")
    whole = client.get(f"/calls/{rid}/audio")
    assert whole.status_code == 200 and whole.content[:4] == b"RIFF" and whole.headers["accept-ranges"] == "bytes"
    size = len(whole.content)
    part = client.get(f"/calls/{rid}/audio", headers={"range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = client.get(f"/calls/{rid}/audio", headers={"range": "bytes=-10"})
    assert tail.content == whole.content[-10:]
    assert client.get(f"/calls/{rid}/audio", headers={"range": f"bytes={size}-"}).status_code == 416
    plays = [r for r in audit_rows(data, "web.play_audio") if r["recording_id"] == rid]
    assert plays and plays[-1]["actor"] == "ann"


@pytest.mark.slow
def test_officer_signs_off_overrides_and_restores_to_the_browser_only(make_client, web_archive, tmp_path):
    data, rid = web_archive
    client = make_client()
    sign_in(client, "otto")
    page = client.get(f"/calls/{rid}")
    csrf = csrf_of(page)
    assert client.post(f"/calls/{rid}/override", data={"csrf": csrf, "rule": "R1", "status": "fail",
                                                       "reason": "disclosure said after the recording began"}).status_code == 200
    page = client.get(f"/calls/{rid}").text
    row = re.search(r'<tr class="rule s-(\w+)" id="rule-R1">(.*?)</tr>', page, re.S)
    assert row[1] == "pass" and "fail (manual)" in row[2] and "disclosure said after the recording began" in row[2]
    client.post(f"/calls/{rid}/review", data={"csrf": csrf, "note": "checked"})
    assert "Signed off by otto" in client.get(f"/calls/{rid}").text
    assert "WEB-1" in client.get("/calls?reviewed=yes").text and "WEB-1" not in client.get("/calls?reviewed=no").text

    client.post(f"/calls/{rid}/hold", data={"csrf": csrf, "reason": "matter 7"})
    assert "WEB-1" in client.get("/calls?held=yes").text and "matter 7" in client.get(f"/calls/{rid}").text
    hold_id = re.search(r'name="hold" value="(\d+)"', client.get(f"/calls/{rid}").text)[1]
    client.post(f"/calls/{rid}/release", data={"csrf": csrf, "hold": hold_id, "reason": "matter closed"})
    assert "WEB-1" not in client.get("/calls?held=yes").text

    files_before = {p for p in data.rglob("*") if p.is_file()}
    assert client.post(f"/calls/{rid}/restore", data={"csrf": csrf, "reason": ""}).status_code == 400
    restored = client.post(f"/calls/{rid}/restore", data={"csrf": csrf, "reason": "ticket 42"})
    assert restored.status_code == 200 and restored.content[:4] == b"RIFF"
    assert restored.headers["cache-control"] == "no-store"
    new_files = {p for p in data.rglob("*") if p.is_file()} - files_before
    assert all(p.name.endswith(("-wal", "-shm")) for p in new_files), new_files  # only SQLite journals, no plaintext
    entry = audit_rows(data, "vault.restore")[-1]
    assert entry["actor"] == "otto" and entry["reason"] == "ticket 42" and '"to":"browser"' in entry["details"]


@pytest.mark.slow
def test_access_log_filters_and_export(make_client, web_archive):
    data, rid = web_archive
    client = make_client()
    sign_in(client, "ann")
    client.get(f"/calls/{rid}")
    client.get("/search?q=account 4111")  # digits typed in a search never reach the log
    client = make_client()
    sign_in(client, "otto")
    page = client.get("/audit?user=ann&call=WEB-1")
    assert "web.view_call" in page.text and "web.signin" not in page.text
    export = client.get("/audit.csv?user=ann")
    lines = export.text.splitlines()
    assert lines[0].startswith("seq,at,action,actor,role") and all(",ann," in line for line in lines[1:])
    assert "4111" not in export.text and "4111" not in str(audit_rows(data, "web.search"))
    assert audit_rows(data, "web.export")[-1]["actor"] == "otto"


@pytest.mark.slow
def test_admin_manages_users_and_sees_no_calls(make_client, web_archive):
    data, rid = web_archive
    client = make_client()
    assert sign_in(client, "ada").headers["location"] == "/users"
    page = client.get("/users")
    csrf = csrf_of(page)
    client.post("/users", data={"csrf": csrf, "name": "newbie", "role": "auditor", "password": PASSWORD})
    assert "newbie" in client.get("/users").text
    assert client.get(f"/calls/{rid}").status_code == 403
    other = make_client()
    sign_in(other, "newbie")
    assert other.get("/calls").status_code == 200
    keys = re.search(r"current key <code>([^<]+)</code>", page.text)[1]
    client.post("/keys/rotate", data={"csrf": csrf})
    assert re.search(r"current key <code>([^<]+)</code>", client.get("/users").text)[1] != keys
    client.post("/keys/rewrap", data={"csrf": csrf})
    assert [e["actor"] for e in audit_rows(data, "keys.rewrap")] == ["ada"]
    client.post("/users/newbie/disable", data={"csrf": csrf})
    assert other.get("/calls", follow_redirects=False).status_code == 303  # its session ended with it
    assert sign_in(make_client(), "newbie").status_code == 401
