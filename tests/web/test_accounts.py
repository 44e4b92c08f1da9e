"""Accounts, sessions, reviews and overrides in a real SQLite catalog; `callvault users`; --root-path."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from callvault.catalog import Catalog, accounts, reviews
from callvault.cli import cli
from callvault.models.errors import CatalogError, ConfigError
from callvault.web.passwords import hash_password, verify_password
from helpers import StepClock

PASSWORD = "correct horse battery staple"


@pytest.fixture
def catalog(tmp_path):
    with Catalog.open(tmp_path / "catalog.db", clock=StepClock()) as cat:
        yield cat


def test_users_store_argon2_hashes_and_audit_every_change(catalog):
    user = accounts.add_user(catalog.conn, catalog.audit, "ann", "auditor", hash_password(PASSWORD), "root", catalog.clock())
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in repr(user)
    assert verify_password(user.password_hash, PASSWORD) and not verify_password(user.password_hash, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    with pytest.raises(CatalogError, match="already exists"):
        accounts.add_user(catalog.conn, catalog.audit, "ann", "auditor", "x", "root", catalog.clock())
    with pytest.raises(CatalogError, match="role must be one of"):
        accounts.add_user(catalog.conn, catalog.audit, "bob", "superuser", "x", "root", catalog.clock())
    with pytest.raises(CatalogError, match="not usable"):
        accounts.add_user(catalog.conn, catalog.audit, "../bob", "auditor", "x", "root", catalog.clock())
    with pytest.raises(ConfigError, match="12 characters"):
        hash_password("short")
    session = accounts.Session("h" * 64, user.id, "csrf", "2025-01-01T00:00:00.000000Z", "2025-01-01T00:00:00.000000Z")
    accounts.create_session(catalog.conn, session)
    accounts.disable_user(catalog.conn, catalog.audit, "ann", "root", "left the team", catalog.clock())
    assert accounts.find_session(catalog.conn, "h" * 64) is None  # disabling ends its sessions
    assert not accounts.get_user(catalog.conn, "ann").active
    actions = [e["action"] for e in catalog.audit.export()]
    assert actions == ["user.add", "user.disable"] and catalog.audit.verify() == []


def test_failed_sign_ins_lock_and_a_new_password_unlocks(catalog):
    user = accounts.add_user(catalog.conn, catalog.audit, "otto", "officer", hash_password(PASSWORD), "root", catalog.clock())
    until = catalog.clock() + timedelta(minutes=15)
    assert [accounts.count_failed_signin(catalog.conn, user.id, 3, until) for _ in range(3)] == [False, False, True]
    assert accounts.get_user(catalog.conn, "otto").locked_until is not None
    accounts.set_password(catalog.conn, catalog.audit, "otto", hash_password(PASSWORD + "2"), "root", catalog.clock())
    unlocked = accounts.get_user(catalog.conn, "otto")
    assert unlocked.locked_until is None and unlocked.failed_signins == 0


def test_overrides_sit_beside_the_machine_result(catalog, demo_like_call):
    rid = demo_like_call(catalog)
    override = reviews.override_rule(catalog.conn, catalog.audit, rid, "R1", "fail", "heard it late", "otto", catalog.clock())
    assert override.machine_status == "pass" and override.status == "fail"
    assert catalog.call(rid).rules[0].status == "pass"  # the machine's answer is untouched
    assert reviews.overrides_of(catalog.conn, rid)["R1"].reason == "heard it late"
    with pytest.raises(CatalogError, match="needs a reason"):
        reviews.override_rule(catalog.conn, catalog.audit, rid, "R1", "pass", " ", "otto", catalog.clock())
    with pytest.raises(CatalogError, match="no result for rule"):
        reviews.override_rule(catalog.conn, catalog.audit, rid, "R99", "pass", "x", "otto", catalog.clock())
    review = reviews.sign_off(catalog.conn, catalog.audit, rid, "otto", "ok", catalog.clock())
    assert review.machine_verdict == "compliant"
    assert [e["action"] for e in catalog.audit.export()][-2:] == ["rule.override", "review.sign_off"]


@pytest.fixture
def demo_like_call():
    from callvault.models import CallMetadata, Recording, RuleResult, Transcript, Turn, Word

    def record(catalog):
        rid = "a" * 64
        words = (Word(0.0, 0.5, "hello", speaker="S0"),)
        catalog.record_call(
            Recording(rid, "/x.wav", CallMetadata(call_id="C-1", started_at="2026-11-30T10:00:00"), size=1),
            Transcript(rid, (Turn("S0", "agent", words),), duration=1.0),
            processed_at="2026-11-30T11:00:00", rules=[RuleResult("R1", "pass")],
        )
        return rid

    return record


def test_users_commands(tmp_path):
    data = str(tmp_path / "data")
    runner = CliRunner()

    def run(*args, stdin=None):
        return runner.invoke(cli, ["--data-dir", data, "users", *args], input=stdin)

    added = run("add", "root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.exit_code == 0 and "added root (admin)" in added.output
    prompted = run("add", "ann", "--role", "auditor", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    assert run("add", "bob", "--role", "auditor", "--password-stdin", stdin="short\n").exit_code == 1
    listed = run("list").output
    assert re.search(r"root\s+admin\s+active", listed) and re.search(r"ann\s+auditor\s+active", listed)
    assert run("disable", "ann").exit_code == 0 and "disabled" in run("list").output
    assert run("passwd", "root", "--password-stdin", stdin=PASSWORD + "x\n").exit_code == 0
    assert "no user 'nobody'" in run("passwd", "nobody", "--password-stdin", stdin=PASSWORD + "\n").output
    with Catalog.in_data_dir(data) as catalog:
        actors = {e["action"]: e["actor"] for e in catalog.audit.export()}
    assert set(actors) == {"user.add", "user.disable", "user.passwd"}


def test_root_path_prefixes_links_forms_and_the_cookie_path(tmp_path):
    from starlette.testclient import TestClient

    from callvault.web import WebSettings, create_app

    with Catalog.open(tmp_path / "catalog.db") as catalog:
        accounts.add_user(catalog.conn, catalog.audit, "ann", "auditor", hash_password(PASSWORD), "root", catalog.clock())
    app = create_app(WebSettings(data_dir=tmp_path, open_vault=lambda: None))
    # What uvicorn --root-path hands the app behind a proxy: the prefix in both root_path and path.
    client = TestClient(app, base_url="https://testserver/callvault", root_path="/callvault")
    page = client.get("/signin")
    assert 'action="/callvault/signin"' in page.text and 'href="/callvault/static/app.css"' in page.text
    token = re.search(r'name="signin_token" value="([^"]+)"', page.text)[1]
    signed = client.post("/signin", data={"signin_token": token, "name": "ann", "password": PASSWORD}, follow_redirects=False)
    assert signed.headers["location"] == "/callvault/calls"
    assert "Path=/callvault" in next(c for c in signed.headers.get_list("set-cookie") if c.startswith("cv_session="))
