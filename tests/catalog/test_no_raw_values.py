"""Calls full of card numbers, SSNs and call detail: none of the raw values reach the catalog file.

The redacted transcript is built here by swapping each sensitive word for its
placeholder (the redact stage's job); the full pipeline version of this test
runs the real stages end to end.
"""

import random

from callvault.catalog import Catalog, SearchFilters
from callvault.models import Explanation, Finding, Transcript, Turn, Word

PLACEHOLDER = {"PAN": "[PAN]", "US_SSN": "[US_SSN]", "CALL_NUMBER": "[CALL_NUMBER]", "CVV": "[CVV]",
               "PASSCODE": "[PASSCODE]", "MAIDEN_NAME": "[PERSON]"}


def raw_values(rng):
    pan = "4" + "".join(rng.choice("0123456789") for _ in range(15))
    ssn = f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    number = f"{rng.randint(200, 999)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
    return {
        "PAN": [pan[i:i + 4] for i in range(0, 16, 4)],  # spoken in four groups
        "US_SSN": [ssn],
        "CALL_NUMBER": [number],
        "CVV": [f"{rng.randint(1000, 9999)}"],
        "PASSCODE": [f"zebra{rng.randint(1000, 9999)}quill"],
        "MAIDEN_NAME": [rng.choice(["Quackenbush", "Wojciechowska", "Zabriskie"])],
    }


def one_call(rng, build, call_id):
    """(recording, redacted transcript, findings, the raw strings that must never appear)."""
    rec = build.recording(call_id)
    values = raw_values(rng)
    script = [
        ("agent", [("plain", "can I have the card number please")]),
        ("customer", [("plain", "sure it is"), ("PAN", " ".join(values["PAN"])), ("plain", "and the code is"),
                      ("CVV", values["CVV"][0])]),
        ("agent", [("plain", "and your social is")]),
        ("customer", [("US_SSN", values["US_SSN"][0]), ("plain", "and my passcode is"),
                      ("PASSCODE", values["PASSCODE"][0])]),
        ("agent", [("plain", "your last call was to"), ("CALL_NUMBER", values["CALL_NUMBER"][0]),
                   ("plain", "for forty two minutes and your mother's maiden name is"),
                   ("MAIDEN_NAME", values["MAIDEN_NAME"][0])]),
    ]
    turns, findings, t = [], [], 0.0
    for role, parts in script:
        words = []
        for entity, text in parts:
            start = t
            for token in text.split():
                # The redacted word: the placeholder once per sensitive span, never the token.
                shown = token if entity == "plain" else PLACEHOLDER[entity]
                if entity == "plain" or not words or words[-1].text != shown or t != start:
                    words.append(Word(t, t + 0.3, shown, speaker="S0" if role == "agent" else "S1"))
                t += 0.4
            if entity != "plain":
                findings.append(Finding("PCI" if entity in ("PAN", "CVV") else "PII", entity, 0, 0, start, t,
                                        "S1", role, 0.95, Explanation("spoken-number", "pattern", f"{entity.lower()}",
                                                                      context_words=("card", "number"))))
        turns.append(Turn("S0" if role == "agent" else "S1", role, tuple(words)))
        t += 2.0
    # What a leak would look like in the file: each value as spoken and as bare
    # digits; a CVV is too short to find alone in binary pages, so with its cue.
    secrets = {f"code is {values['CVV'][0]}"}
    for entity, parts in values.items():
        if entity != "CVV":
            secrets |= {" ".join(parts), "".join(parts).replace("-", "")}
    return rec, Transcript(rec.id, tuple(turns), duration=t), findings, secrets


def catalog_bytes(path):
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def test_no_raw_value_reaches_the_catalog_file_or_its_wal(tmp_path, build):
    rng = random.Random(7)
    path = tmp_path / "catalog.db"
    secrets = set()
    with Catalog.open(path) as cat:
        for i in range(40):
            rec, redacted, findings, raw = one_call(rng, build, f"PCI-{i}")
            secrets |= raw
            cat.record_call(rec, redacted, processed_at="2025-03-04T11:00:00Z", findings=findings,
                            rules=[build.rule("R3", "fail")])
        # Re-recording deletes old rows; their pages must not keep stale copies either.
        cat.record_call(rec, redacted, processed_at="2025-03-04T12:00:00Z", findings=findings)
        assert path.with_name("catalog.db-wal").exists()
        data = catalog_bytes(path)  # database and WAL while open
        assert len(cat.search("PAN", SearchFilters(entity="PAN"), limit=100).hits) == 40
        for secret in list(secrets)[:20]:
            quoted = '"' + secret.replace('"', "") + '"'
            assert cat.search(quoted).hits == ()
    data += catalog_bytes(path)  # after the checkpoint on close
    found = sorted(s for s in secrets if s.encode() in data or s.lower().encode() in data.lower())
    assert found == [], f"{len(found)} raw values reached the catalog"
    # The test would notice a leak: the placeholders themselves are there.
    assert b"[PAN]" in data and b"[US_SSN]" in data


def test_the_scan_would_catch_a_leak(tmp_path, build):
    """Guard against a vacuous scan: a raw word that slips through is found."""
    path = tmp_path / "catalog.db"
    with Catalog.open(path) as cat:
        build.record(cat, "LEAK", [("customer", "my passcode is zebra1234quill")])
    assert b"zebra1234quill" in catalog_bytes(path)
