import pytest

from callvault.models.errors import CatalogError

LINES = [
    ("agent", "thank you for calling how can I help"),
    ("customer", "I want to cancel my plan my card is [PAN]"),
    ("agent", "your last call was to [CALL_NUMBER] on Monday"),
]


def count(cat, table, rid):
    return cat.conn.execute(f"SELECT count(*) FROM {table} WHERE recording_id = ?", (rid,)).fetchone()[0]


def test_recorded_call_reads_back_whole(catalog, build):
    rec = build.record(
        catalog, "C-1", LINES,
        findings=[build.finding("CALL_NUMBER", 11.0), build.finding("PAN", 6.0, "PCI", "customer")],
        events=[build.event("APPROVAL_DENIED", 7.0)],
        rules=[build.rule("R1", "fail"), build.rule("R2", "pass")],
    )
    assert catalog.is_done(rec.id) and catalog.done_version(rec.id) == "0.1.0"
    assert catalog.done_version("f" * 64) is None
    detail = catalog.call("C-1")
    assert detail.summary.recording_id == rec.id
    assert (detail.summary.findings, detail.summary.events, detail.summary.violations) == (2, 1, 1)
    assert detail.summary.status == "violations"  # derived from the failed rule
    assert [t.text for t in detail.turns] == [text for _, text in LINES]
    assert [t.role for t in detail.turns] == ["agent", "customer", "agent"]
    assert detail.findings[0].entity == "PAN" and detail.findings[0].explanation["recognizer"] == "test-recognizer"
    assert detail.events[0].turn_indexes == (1,)
    assert detail.rules[0].evidence[0]["quote"].endswith("[CALL_NUMBER]")
    assert detail.stages[0].model == "tiny.en" and detail.stages[0].versions == {"faster_whisper": "1.1"}
    assert detail.objects[0].kind == "original" and detail.objects[0].purged_at is None
    assert detail.metadata["agent_id"] == "A1"
    entry = list(catalog.audit.export())[-1]
    assert (entry["action"], entry["recording_id"], entry["reason"]) == ("record", rec.id, "processed")
    assert entry["details"]["turns"] == 3


def test_recording_again_replaces_what_it_owned(catalog, build):
    rec = build.record(catalog, "C-1", LINES, findings=[build.finding("PAN", 6.0)], rules=[build.rule("R1", "fail")])
    build.record(catalog, "C-1", [("agent", "a completely different goodbye")], rules=[build.rule("R1", "pass")])
    for table, expected in (("turns", 1), ("findings", 0), ("rule_results", 1), ("objects", 1), ("stages", 1)):
        assert count(catalog, table, rec.id) == expected, table
    assert catalog.conn.execute("SELECT count(*) FROM recordings").fetchone()[0] == 1
    assert catalog.search("cancel").hits == ()
    assert [h.recording_id for h in catalog.search("goodbye").hits] == [rec.id]
    assert catalog.call("C-1").summary.status == "compliant"
    assert list(catalog.audit.export())[-1]["reason"] == "reprocessed"
    catalog.check_index()


def test_a_failed_write_leaves_nothing_behind(catalog, build):
    rec = build.recording("C-2")
    dup = build.sealed(rec.id)
    with pytest.raises(CatalogError, match="nothing was written"):
        catalog.record_call(rec, build.transcript(rec.id, LINES), processed_at="2025-03-04T11:00:00Z",
                            objects=[dup], stages=[{"stage": "asr"}, {"stage": "asr"}])
    assert not catalog.is_done(rec.id)
    for table in ("turns", "findings", "objects", "stages"):
        assert count(catalog, table, rec.id) == 0
    assert catalog.search("cancel").hits == ()
    assert catalog.audit.head()[0] == 0
    catalog.check_index()


@pytest.mark.parametrize("text", ["my card is 4111 1111 1111 1111", "ssn 123-45-6789", "call 5551234567 now"])
def test_unredacted_numbers_are_refused_without_echoing_them(catalog, build, text):
    rec = build.recording("C-3")
    with pytest.raises(CatalogError, match="redact") as info:
        catalog.record_call(rec, build.transcript(rec.id, [("customer", text)]), processed_at="2025-03-04T11:00:00Z")
    digits = "".join(ch for ch in text if ch.isdigit())
    assert digits[-9:] not in "".join(ch for ch in str(info.value) if ch.isdigit())
    assert not catalog.is_done(rec.id)


def test_transcript_of_another_recording_is_refused(catalog, build):
    rec = build.recording("C-4")
    with pytest.raises(CatalogError, match="own transcript"):
        catalog.record_call(rec, build.transcript("f" * 64, LINES), processed_at="2025-03-04T11:00:00Z")


def test_stage_records_with_unknown_keys_are_refused(catalog, build):
    rec = build.recording("C-5")
    with pytest.raises(CatalogError, match="stage"):
        catalog.record_call(rec, build.transcript(rec.id, LINES), processed_at="x", stages=[{"stage": "asr", "modle": "x"}])


def test_resolve_by_call_id_folder_and_id_prefix(catalog, build):
    rec = build.record(catalog, "C-6", LINES)
    assert catalog.resolve("C-6") == rec.id
    assert catalog.resolve(f"C-6__{rec.id[:12]}") == rec.id
    assert catalog.resolve(rec.id[:8].upper()) == rec.id
    with pytest.raises(CatalogError, match="no call"):
        catalog.resolve("nope")
    with pytest.raises(CatalogError, match="no call"):
        catalog.resolve(rec.id[:3])  # too short to be a prefix


def test_resolve_by_the_folder_label_of_a_call_without_call_id(catalog, build):
    rec = build.record(catalog, "morning-call", LINES)
    catalog.conn.execute("UPDATE recordings SET call_id = NULL WHERE id = ?", (rec.id,))
    assert catalog.resolve("morning-call") == rec.id


def test_timeline_places_findings_and_events_after_their_turn(catalog, build):
    build.record(catalog, "C-7", LINES, findings=[build.finding("CALL_NUMBER", 18.0)], events=[build.event("APPROVAL_DENIED", 9.0)])
    from callvault.catalog import EventRow, FindingRow, timeline

    kinds = [type(item).__name__ for item in timeline(catalog.call("C-7"))]
    assert kinds == ["TurnRow", "TurnRow", "EventRow", "TurnRow", "FindingRow"]
    assert isinstance(timeline(catalog.call("C-7"))[2], EventRow)
    assert isinstance(timeline(catalog.call("C-7"))[-1], FindingRow)


def test_a_purged_call_is_never_recorded_again(catalog, build):
    from callvault.retention.state import finish_recording

    rec = build.record(catalog, "C-9", LINES)
    finish_recording(catalog, rec.id, 1, "tester", "expired", "sweep-1")
    assert catalog.shredded_at(rec.id)
    with pytest.raises(CatalogError, match="shredded"):
        build.record(catalog, "C-9", LINES)
    row = catalog.conn.execute("SELECT status FROM recordings WHERE id = ?", (rec.id,)).fetchone()
    assert row[0] == "purged" and count(catalog, "turns", rec.id) == 0
    assert catalog.shredded_at(build.recording("C-10").id) is None


def test_a_calls_parts_and_the_calls_of_a_day_for_the_web_app(catalog, build):
    rec = build.record(catalog, "C-20", LINES, findings=[build.finding("CALL_NUMBER", 11.0)],
                       events=[build.event("APPROVAL_DENIED", 7.0)], rules=[build.rule("R1", "fail")],
                       started_at="2025-03-04T10:00:00")
    build.record(catalog, "C-21", LINES, started_at="2025-03-05T08:00:00")
    assert [t.text for t in catalog.turns(rec.id)] == [text for _, text in LINES]
    assert [f.entity for f in catalog.findings("C-20")] == ["CALL_NUMBER"]
    assert [e.type for e in catalog.events("C-20")] == ["APPROVAL_DENIED"]
    assert [(r.rule, r.status) for r in catalog.rules("C-20")] == [("R1", "fail")]
    assert [o.kind for o in catalog.objects("C-20")] == ["original"]
    assert catalog.calls_dated("2025-03-04", "2025-03-04") == [rec.id]
    assert len(catalog.calls_dated("2025-03-01", "2025-03-31")) == 2
