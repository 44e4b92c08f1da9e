"""Web app page latency on the 50,000-call catalog of bench/search.py.

Builds (or reuses) that catalog, adds one 1-hour call (about 950 turns, with
findings, consent events and 17 rule results), signs an officer in (the
officer's call page is the fullest), then times whole requests through the
ASGI app in process (routing, session check, catalog queries, audit entry,
Jinja rendering; no network): the call list unfiltered and filtered, and the
1-hour call's page, against the 200 ms target.

    python bench/web.py                 # build the 50k catalog, then measure (minutes)
    python bench/web.py --reuse         # measure again on the catalog in --out
    python bench/web.py --calls 2000    # a quick run
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import re
import statistics
import sys
import time
from pathlib import Path

from callvault.catalog import Catalog, accounts
from callvault.models import CallMetadata, ConsentEvent, Evidence, Explanation, Finding, Recording, RuleResult, Transcript, Turn, Word

TARGET_MS = 200.0
PASSWORD = "bench password long enough"
HOUR_CALL = "HOUR-0000001"


def _search_bench():
    spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).with_name("search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hour_call(maker, search_bench) -> dict:
    rng = maker.rng
    rid = hashlib.sha256(HOUR_CALL.encode()).hexdigest()
    turns, t = [], 0.0
    while t < 3600:
        role = "agent" if len(turns) % 2 == 0 else "customer"
        speaker = "S0" if role == "agent" else "S1"
        words = []
        for token in maker.turn_text(max(1, int(rng.gauss(8.5, 3)))):
            words.append(Word(t, t + 0.3, token, speaker=speaker))
            t += 0.35
        turns.append(Turn(speaker, role, tuple(words)))
        t += 0.8
    findings = [Finding("CPNI", rng.choice(search_bench.ENTITIES), 0, 0, s, s + 2.0, "S0", "agent", 0.9, Explanation("bench"))
                for s in sorted(rng.uniform(0, t) for _ in range(40))]
    events = [ConsentEvent(rng.choice(search_bench.EVENTS), "S1", "customer", s, s + 1.5, "okay", (), 0.8)
              for s in sorted(rng.uniform(0, t) for _ in range(12))]
    rules = [RuleResult(r, "fail" if i % 5 == 0 else "pass", title=f"rule {r}", citation="47 CFR 64.2010",
                        evidence=(Evidence(60.0 * i, 60.0 * i + 3, "okay", "bench"),))
             for i, r in enumerate(search_bench.RULES)]
    meta = CallMetadata(call_id=HOUR_CALL, direction="inbound", started_at="2025-06-30T12:00:00", agent_id="A001",
                        account_id="ACC000001")
    return {"recording": Recording(rid, f"/archive/{HOUR_CALL}.wav", meta, size=1),
            "transcript": Transcript(rid, tuple(turns), duration=t), "findings": findings, "events": events, "rules": rules}


def prepare(path: Path, calls: int, reuse: bool) -> str:
    search_bench = _search_bench()
    maker = search_bench.CallMaker(20250304)
    if not reuse:
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    with Catalog.open(path) as catalog:
        if not reuse:
            print(f"building {calls} calls into {path} (bench/search.py's generator)")
            seconds, _ = search_bench.build(catalog, maker, 0, calls, progress=True)
            print(f"built in {seconds:.0f} s")
        if not catalog.is_done(hashlib.sha256(HOUR_CALL.encode()).hexdigest()):
            call = hour_call(maker, search_bench)
            catalog.record_call(call["recording"], call["transcript"], processed_at="2025-07-01T00:00:00Z",
                                findings=call["findings"], events=call["events"], rules=call["rules"], pipeline_version="bench")
        if accounts.find_user(catalog.conn, "bench-officer") is None:
            from callvault.web.passwords import hash_password

            accounts.add_user(catalog.conn, catalog.audit, "bench-officer", "officer", hash_password(PASSWORD), "bench", catalog.clock())
        catalog.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        total = catalog.conn.execute("SELECT count(*) FROM recordings").fetchone()[0]
        turns = catalog.conn.execute("SELECT count(*) FROM turns WHERE recording_id = ?",
                                     (hashlib.sha256(HOUR_CALL.encode()).hexdigest(),)).fetchone()[0]
    print(f"catalog: {total} calls; the 1-hour call has {turns} turns")
    return hashlib.sha256(HOUR_CALL.encode()).hexdigest()


def client_for(data_dir: Path):
    from starlette.testclient import TestClient

    from callvault.web import WebSettings, create_app

    def no_vault():
        raise RuntimeError("the web bench reads no audio")

    client = TestClient(create_app(WebSettings(data_dir=data_dir, open_vault=no_vault)), base_url="https://bench")
    page = client.get("/signin")
    token = re.search(r'name="signin_token" value="([^"]+)"', page.text)[1]
    client.post("/signin", data={"signin_token": token, "name": "bench-officer", "password": PASSWORD})
    return client


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--out", default=".bench-out/web", help="folder for the catalog (default .bench-out/web)")
    parser.add_argument("--reuse", action="store_true", help="measure the catalog already in --out")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    out = Path(args.out)
    rid = prepare(out / "catalog.db", args.calls, args.reuse)
    client = client_for(out)
    pages = [
        ("call list", "/calls"),
        ("call list, page 40", "/calls?page=40"),
        ("call list, filtered", "/calls?verdict=violations&direction=inbound&held=no&reviewed=no"),
        ("call list, failed R3 + entity", "/calls?rule=R3&entity=PAN"),
        ("call list, one agent, dates", "/calls?agent=A017&from=2024-03-01&to=2024-09-30"),
        ("1-hour call page (officer)", f"/calls/{rid}"),
        ("search", "/search?q=%22thank+you+for+calling%22"),
    ]
    print(f"\n{'page':<32}{'KiB':>6}  {'median ms':>9}  {'p95 ms':>7}  {'max ms':>7}")
    worst = 0.0
    for label, path in pages:
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                print(f"{path}: HTTP {response.status_code}", file=sys.stderr)
                return 1
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        worst = max(worst, p95)
        print(f"{label:<32}{len(response.content) / 1024:>6.0f}  {statistics.median(times):>9.1f}  {p95:>7.1f}  {times[-1]:>7.1f}")
    verdict = "meets" if worst <= TARGET_MS else "MISSES"
    print(f"\nworst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target (ratio {worst / TARGET_MS:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
