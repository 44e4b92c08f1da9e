"""Catalog search at archive scale: build time, index size, query latency.

Builds a catalog of synthetic calls (default 50,000 calls, about 10 million
words of call-centre-like redacted turns drawn from a Zipf-ish vocabulary,
with metadata, findings, consent events and rule results) through the real
``Catalog.record_call`` path, then times 20 representative searches
(phrases, prefixes, boolean, filters, rare and common terms) and reports
p50 / p95 latency against the 200 ms target. Also times adding calls to the
built catalog (the index is updated incrementally, in the same transaction).

    python bench/search.py                # the full 50k run (minutes)
    python bench/search.py --calls 2000   # a quick run
    python bench/search.py --reuse        # query an existing build again
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from callvault.catalog import Catalog, SearchFilters
from callvault.models import (
    CallMetadata,
    ConsentEvent,
    Explanation,
    Finding,
    Recording,
    RuleResult,
    Transcript,
    Turn,
    Word,
)

TARGET_P95_MS = 200.0

# Common call-centre words, most frequent first; Zipf weights follow this order.
CORE = """
the you i to and a is that it my for your of this can on be have so what in with just okay
is me we do not was are at account yes let no like will get number if see thank bill
one call right phone here help there card all about from plan service get today please
now time would could need back going know check sure month data payment two the but
go want line pay up new also three sorry minute order by out moment hold calling again
address email last name information customer charge charges make verify device
cancel cancellation refund credit internet wireless five four update issue set
team store upgrade transfer balance due date support roaming international
text message messages signal home work fix tower network usage gigabytes unlimited
offer promotion discount contract fee fees late autopay paperless statement
confirm confirmation security question password pin code verification authorized
user primary owner manager supervisor escalate ticket case reference technician
appointment visit install router modem reset restart outage area coverage
""".split()
PLACEHOLDERS = ["[PAN]", "[US_SSN]", "[CALL_NUMBER]", "[PHONE_NUMBER]", "[PERSON]", "[ACCOUNT_NUMBER]",
                "[DATE_TIME]", "[BILL_AMOUNT]"]
PHRASES = [
    "thank you for calling", "how can i help you today", "can i have your account number",
    "i want to cancel my plan", "your last call was to [CALL_NUMBER]", "the card number is [PAN]",
    "is there anything else i can help you with", "i would like a refund", "the international add on",
    "your bill this month is [BILL_AMOUNT]", "may i use your account information for this call",
    "you can say no and it will not affect your service", "let me transfer you to my supervisor",
    "your data usage is high", "i am calling about the roaming charges", "please hold for a moment",
]
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "vas", "qui", "zor", "pel", "dan", "ix", "bru", "sen", "ta", "vo", "gar"]
ENTITIES = ["CALL_NUMBER", "PAN", "US_SSN", "ACCOUNT_NUMBER", "BILL_AMOUNT", "PERSON", "CVV"]
EVENTS = ["REC_DISCLOSURE", "CPNI_NOTICE", "APPROVAL_GRANTED", "APPROVAL_DENIED", "AUTHENTICATED"]
RULES = [f"R{i}" for i in range(1, 18)]


def vocabulary(rng: random.Random, rare: int = 30_000) -> tuple[list[str], list[float]]:
    """Core words then ``rare`` made-up words; cumulative Zipf (s = 1.05) weights."""
    made = set()
    while len(made) < rare:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    words = CORE + PLACEHOLDERS + sorted(made)
    weights = [1.0 / (rank ** 1.05) for rank in range(1, len(words) + 1)]
    return words, list(itertools.accumulate(weights))


class CallMaker:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words, self.cum = vocabulary(self.rng)
        self.start = datetime(2024, 1, 1)

    def turn_text(self, n: int) -> list[str]:
        rng = self.rng
        out = rng.choices(self.words, cum_weights=self.cum, k=n)
        if rng.random() < 0.35:
            phrase = rng.choice(PHRASES).split()
            at = rng.randint(0, len(out))
            out[at:at] = phrase
        return out

    def call(self, index: int) -> dict:
        rng = self.rng
        call_id = f"SYN-{index:07d}"
        rid = hashlib.sha256(call_id.encode()).hexdigest()
        started = self.start + timedelta(seconds=rng.randint(0, 547 * 86400))
        meta = CallMetadata(
            call_id=call_id,
            direction="outbound" if rng.random() < 0.2 else "inbound",
            started_at=started.isoformat(timespec="seconds"),
            agent_id=f"A{rng.randint(1, 300):03d}",
            account_id=f"ACC{rng.randint(1, 40000):06d}",
        )
        turns, t = [], 0.0
        for i in range(rng.randint(14, 26)):
            role = "agent" if i % 2 == 0 else "customer"
            words = []
            for token in self.turn_text(max(1, int(rng.gauss(8.5, 3)))):
                words.append(Word(t, t + 0.3, token, speaker="S0" if role == "agent" else "S1"))
                t += 0.35
            turns.append(Turn("S0" if role == "agent" else "S1", role, tuple(words)))
            t += 0.8
        findings = [
            Finding("CPNI", rng.choice(ENTITIES), 0, 0, s, s + 2.0, "S0", "agent", 0.9, Explanation("bench"))
            for s in sorted(rng.uniform(0, t) for _ in range(rng.choice((0, 0, 1, 2, 3))))
        ]
        events = [
            ConsentEvent(rng.choice(EVENTS), "S1", "customer", s, s + 1.5, "okay", (), 0.8)
            for s in sorted(rng.uniform(0, t) for _ in range(rng.choice((0, 1, 2))))
        ]
        rules = [RuleResult(r, "fail" if rng.random() < 0.04 else "pass") for r in RULES[:8]]
        return {
            "recording": Recording(rid, f"/archive/{call_id}.wav", meta, size=1),
            "transcript": Transcript(rid, tuple(turns), duration=t),
            "findings": findings,
            "events": events,
            "rules": rules,
        }


def build(catalog: Catalog, maker: CallMaker, first: int, count: int, progress: bool) -> tuple[float, int]:
    """Record ``count`` calls; (seconds, words)."""
    words, began = 0, time.perf_counter()
    for i in range(first, first + count):
        call = maker.call(i)
        words += sum(len(turn.words) for turn in call["transcript"].turns)
        catalog.record_call(
            call["recording"], call["transcript"], processed_at="2025-07-01T00:00:00Z",
            findings=call["findings"], events=call["events"], rules=call["rules"],
            stages=[{"stage": "asr", "model": "synthetic", "seconds": 0.0}], pipeline_version="bench",
        )
        if progress and (i + 1 - first) % 5000 == 0:
            rate = (i + 1 - first) / (time.perf_counter() - began)
            print(f"  {i + 1 - first:>7} calls  {rate:6.0f} calls/s", file=sys.stderr, flush=True)
    return time.perf_counter() - began, words


def queries(maker: CallMaker) -> list[tuple[str, str, SearchFilters, str]]:
    """(label, query, filters, order): 20 searches an auditor would run."""
    rare = maker.words[len(CORE) + len(PLACEHOLDERS) + 20_000]
    rarer = maker.words[-1]
    F = SearchFilters
    return [
        ("common word", "thank", F(), "newest"),
        ("very common word", "the", F(), "newest"),
        ("common phrase", '"thank you for calling"', F(), "newest"),
        ("long phrase", '"you can say no and it will not affect your service"', F(), "newest"),
        ("rare word", rare, F(), "newest"),
        ("rarest word", rarer, F(), "newest"),
        ("prefix", "cancel*", F(), "newest"),
        ("short prefix", "re*", F(), "newest"),
        ("AND", "cancel AND refund", F(), "newest"),
        ("OR", "roaming OR international", F(), "newest"),
        ("NOT", "bill NOT payment", F(), "newest"),
        ("NEAR", "NEAR(card number, 3)", F(), "newest"),
        ("placeholder", "CALL_NUMBER", F(), "newest"),
        ("phrase + agent", '"account number"', F(agent="A017"), "newest"),
        ("word + customer", "cancel", F(speaker="customer"), "newest"),
        ("word + entity", "bill", F(entity="CALL_NUMBER"), "newest"),
        ("phrase + violation", '"last call"', F(violation="R1"), "newest"),
        ("word + one week", "refund", F(date_from="2024-03-01", date_to="2024-03-07"), "newest"),
        ("rare + agent + event", rare, F(agent="A123", event="APPROVAL_DENIED"), "newest"),
        ("common, by relevance", "refund", F(), "relevance"),
    ]


def hard_cases(maker: CallMaker) -> list[tuple[str, str, SearchFilters, str, int]]:
    """Searches at the edges, reported beside the 20 (not in their percentiles)."""
    F = SearchFilters
    return [
        ("common + 3 narrow filters", "thank", F(agent="A123", violation="R5", event="APPROVAL_DENIED"), "newest", 0),
        ("commonest + 4 filters", "the", F(agent="A123", direction="outbound", violation="R5"), "newest", 0),
        ("commonest + wide filter", "the", F(direction="outbound", status="violations"), "newest", 0),
        ("word, first week only", "refund", F(date_to="2024-01-07"), "newest", 0),
        ("deep page", "the", F(), "newest", 10_000),
        ("one-letter prefix", "a*", F(), "newest", 0),
        ("commonest, by relevance", "the", F(), "relevance", 0),
        ("common, by relevance", "thank", F(), "relevance", 0),
    ]


def sizes(catalog: Catalog, path: Path) -> dict[str, int]:
    files = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    rows = catalog.conn.execute(
        "SELECT CASE WHEN name LIKE 'turns_fts%' THEN 'fts' WHEN name IN ('turns', 'sqlite_autoindex_turns_1') "
        "THEN 'turns' ELSE 'other' END AS part, sum(pgsize) FROM dbstat GROUP BY part"
    ).fetchall()
    return {"files": files, **{part: size for part, size in rows}}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=50_000, help="calls to build (default 50000)")
    parser.add_argument("--out", default=".bench-out/search", help="folder for the catalog (default .bench-out/search)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query (default 5)")
    parser.add_argument("--add", type=int, default=200, help="calls added afterwards to time incremental updates")
    parser.add_argument("--reuse", action="store_true", help="query the catalog already in --out instead of building")
    parser.add_argument("--seed", type=int, default=20250304)
    args = parser.parse_args()

    path = Path(args.out) / "catalog.db"
    maker = CallMaker(args.seed)
    if not args.reuse:
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
    with Catalog.open(path) as catalog:
        if args.reuse:
            total_calls = catalog.conn.execute("SELECT count(*) FROM recordings").fetchone()[0]
            print(f"reusing {path}: {total_calls} calls")
        else:
            print(f"building {args.calls} calls into {path}")
            seconds, words = build(catalog, maker, 0, args.calls, progress=True)
            turns = catalog.conn.execute("SELECT count(*) FROM turns").fetchone()[0]
            print(f"build: {args.calls} calls, {turns} turns, {words} words in {seconds:.1f} s "
                  f"({args.calls / seconds:.0f} calls/s, {words / seconds / 1e3:.0f}k words/s)")
            catalog.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            total_calls = args.calls
        size = sizes(catalog, path)
        print(f"on disk: {size['files'] / 2**20:.1f} MiB in all; FTS index {size.get('fts', 0) / 2**20:.1f} MiB, "
              f"turns table {size.get('turns', 0) / 2**20:.1f} MiB, the rest {size.get('other', 0) / 2**20:.1f} MiB")

        print(f"\n{'query':<24}{'hits':>6}  {'median ms':>9}  {'max ms':>7}   search")
        runs: list[float] = []
        for label, query, filters, order in queries(maker):
            times = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                result = catalog.search(query, filters, limit=20, order=order)
                times.append((time.perf_counter() - began) * 1000)
            runs.extend(times)
            shown = query + "".join(f" --{k.replace('date_', '')} {v}" for k, v in vars(filters).items() if v)
            shown += "  --order relevance" if order == "relevance" else ""
            print(f"{label:<24}{len(result.hits):>6}  {statistics.median(times):>9.1f}  {max(times):>7.1f}   {shown}")
        p50, p95 = pct(runs, 0.50), pct(runs, 0.95)
        verdict = "meets" if p95 <= TARGET_P95_MS else "MISSES"
        print(f"\nlatency over {len(runs)} searches (20 queries x {args.repeat}, limit 20): "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms ({verdict} the {TARGET_P95_MS:.0f} ms target, "
              f"ratio p95/target {p95 / TARGET_P95_MS:.2f})")

        print(f"\n{'hard case':<28}{'hits':>6}  {'median ms':>9}   search")
        for label, query, filters, order, offset in hard_cases(maker):
            times = []
            for _ in range(3):
                began = time.perf_counter()
                result = catalog.search(query, filters, limit=20, offset=offset, order=order)
                times.append((time.perf_counter() - began) * 1000)
            shown = query + "".join(f" --{k.replace('date_', '')} {v}" for k, v in vars(filters).items() if v)
            shown += f" --order {order}" if order != "newest" else ""
            shown += f" --offset {offset}" if offset else ""
            print(f"{label:<28}{len(result.hits):>6}  {statistics.median(times):>9.1f}   {shown}")

        if args.add:
            seconds, _ = build(catalog, maker, total_calls + 10_000_000, args.add, progress=False)
            found = catalog.search('"thank you for calling"', limit=1).hits
            print(f"incremental: {args.add} more calls in {seconds * 1000:.0f} ms "
                  f"({seconds / args.add * 1000:.1f} ms per call, index updated in the same transaction); "
                  f"newest hit is call {found[0].call_id if found else '-'} (added calls are SYN-1xxxxxxx)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
