import pytest

from callvault.catalog import SearchFilters
from callvault.models.errors import CatalogError


@pytest.fixture
def archive(catalog, build):
    """Four calls with different metadata, findings, events and rule results."""
    build.record(catalog, "A", [("agent", "thank you for calling acme wireless"),
                                ("customer", "I want to cancel my account today")],
                 findings=[build.finding("CALL_NUMBER", 1.0)], rules=[build.rule("R1", "fail")],
                 agent_id="A1", started_at="2025-01-10T09:00:00", direction="inbound")
    build.record(catalog, "B", [("agent", "I can cancel that for you"),
                                ("customer", "please cancellation of the international add on")],
                 events=[build.event("APPROVAL_DENIED", 1.0)], rules=[build.rule("R1", "pass")],
                 agent_id="A2", started_at="2025-02-10T09:00:00", direction="outbound")
    build.record(catalog, "C", [("customer", "my card number is [PAN] and the code is [CVV]"),
                                ("agent", "thank you the payment went through")],
                 findings=[build.finding("PAN", 1.0, "PCI", "customer")],
                 agent_id="A1", started_at="2025-02-11T23:30:00", direction="inbound")
    build.record(catalog, "D", [("agent", "your last call was to [CALL_NUMBER] for forty minutes")],
                 findings=[build.finding("CALL_NUMBER", 1.0)], rules=[build.rule("R1", "fail")],
                 agent_id="A3", started_at="2025-03-01T08:00:00", direction="inbound")
    return catalog


def calls(results):
    return sorted({h.call_id for h in results.hits})


def test_words_phrases_prefixes_and_booleans(archive):
    assert calls(archive.search("cancel")) == ["A", "B"]
    assert calls(archive.search("cancel*")) == ["A", "B"]  # cancel, cancellation
    assert len(archive.search("cancel*").hits) == 3
    assert calls(archive.search('"thank you for calling"')) == ["A"]
    assert calls(archive.search("thank AND payment")) == ["C"]
    assert calls(archive.search("wireless OR international")) == ["A", "B"]
    assert calls(archive.search("thank NOT payment")) == ["A"]
    assert calls(archive.search("(cancel OR payment) AND thank")) == ["C"]
    assert calls(archive.search("PAN")) == ["C"]  # placeholders are terms
    assert calls(archive.search("CALL_NUMBER")) == ["D"]
    assert archive.search("nonexistentword").hits == ()


def test_hits_carry_time_speaker_and_marked_snippet(archive):
    (hit,) = archive.search('"international add"').hits
    assert (hit.call_id, hit.turn_index, hit.role, hit.speaker) == ("B", 1, "customer", "S1")
    assert hit.start == pytest.approx(2.35 + 5.0)  # six words of 0.4 s, then a 5 s gap
    assert "the **international add** on" in hit.snippet
    assert hit.started_at == "2025-02-10T09:00:00"
    marked = archive.search("payment", marks=("<", ">")).hits[0].snippet
    assert "<payment>" in marked


@pytest.mark.parametrize(
    "filters, expected",
    [
        (SearchFilters(agent="A1"), ["A", "C"]),
        (SearchFilters(direction="outbound"), ["B"]),
        (SearchFilters(entity="CALL_NUMBER"), ["A", "D"]),
        (SearchFilters(event="APPROVAL_DENIED"), ["B"]),
        (SearchFilters(violation="R1"), ["A", "D"]),
        (SearchFilters(status="compliant"), ["B"]),  # C has no rule results: needs_review, never compliant
        (SearchFilters(date_from="2025-02-01"), ["B", "C", "D"]),
        (SearchFilters(date_to="2025-02-11"), ["A", "B", "C"]),  # a bare date covers the whole day
        (SearchFilters(date_from="2025-02-11T00:00:00", date_to="2025-02-28"), ["C"]),
        (SearchFilters(agent="A1", speaker="customer", entity="PAN"), ["C"]),
    ],
)
@pytest.mark.parametrize("seek_cost", [10**9, 1], ids=["stream-index", "seek-per-call"])
def test_filters(archive, filters, expected, seek_cost, monkeypatch):
    # Both plans: stream the index and filter, or seek the index call by call.
    monkeypatch.setattr("callvault.catalog.search.SEEK_COST_IN_ROWS", seek_cost)
    # "the OR you OR my OR your" matches at least one turn of every call.
    assert calls(archive.search("the OR you OR my OR your", filters)) == expected


def test_speaker_filter_is_about_the_matching_turn(archive):
    assert calls(archive.search("cancel", SearchFilters(speaker="agent"))) == ["B"]
    assert calls(archive.search("cancel", SearchFilters(speaker="customer"))) == ["A"]
    assert calls(archive.search("thank", SearchFilters(speaker="customer"))) == []


@pytest.mark.parametrize("seek_cost", [10**9, 1], ids=["stream-index", "seek-per-call"])
def test_paging_and_order_with_filters(archive, seek_cost, monkeypatch):
    monkeypatch.setattr("callvault.catalog.search.SEEK_COST_IN_ROWS", seek_cost)
    query, filters = "the OR you OR my OR your OR i", SearchFilters(direction="inbound")
    everything = archive.search(query, filters, limit=100).hits
    pages = [archive.search(query, filters, limit=2, offset=o) for o in (0, 2, 4)]
    assert [h for p in pages for h in p.hits] == list(everything)
    assert [p.has_more for p in pages] == [True, True, False]
    assert [h.call_id for h in everything] == ["D", "C", "C", "A", "A"]  # newest catalogued first
    ranked = archive.search(query, filters, limit=100, order="relevance").hits
    assert sorted(ranked, key=lambda h: (h.call_id, h.turn_index)) == sorted(everything, key=lambda h: (h.call_id, h.turn_index))


def test_paging_and_order(archive):
    query = "the OR you OR my OR your"
    first = archive.search(query, limit=2)
    second = archive.search(query, limit=2, offset=2)
    rest = archive.search(query, limit=10, offset=4)
    assert first.has_more and second.has_more and not rest.has_more
    everything = archive.search(query, limit=100).hits
    assert list(first.hits + second.hits + rest.hits) == list(everything)
    assert everything[0].call_id == "D"  # newest catalogued first
    assert {h.call_id for h in archive.search(query, limit=100, order="relevance").hits} == {"A", "B", "C", "D"}


@pytest.mark.parametrize("query", ['"unbalanced', "cancel AND", "AND", "foo:bar", "(cancel", "R1-fail", "*"])
def test_malformed_query_is_a_catalog_error_that_says_how_to_quote(archive, query):
    with pytest.raises(CatalogError, match="malformed search query") as info:
        archive.search(query)
    assert "double quotes" in str(info.value)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_refused(archive, query):
    with pytest.raises(CatalogError, match="empty"):
        archive.search(query)


def test_bad_filter_values_are_refused(archive):
    with pytest.raises(CatalogError, match="--from"):
        archive.search("cancel", SearchFilters(date_from="last tuesday"))
    with pytest.raises(CatalogError, match="--speaker"):
        archive.search("cancel", SearchFilters(speaker="ivr"))


def test_adding_calls_updates_the_index_incrementally(archive, build):
    assert archive.search("roaming").hits == ()
    build.record(archive, "E", [("customer", "why is there a roaming charge")])
    assert calls(archive.search("roaming")) == ["E"]
    archive.check_index()
