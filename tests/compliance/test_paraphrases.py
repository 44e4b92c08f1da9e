"""The cue grammar on paraphrases written for these tests (none from a scored dialogue)."""

from __future__ import annotations

import pytest

from callvault.compliance import detect_events
from callvault.labelled import transcript_from_turns
from callvault.models.events import EventType as E


def _events(*turns: tuple[str, str]) -> list[tuple[str, tuple[int, ...]]]:
    t = transcript_from_turns([{"role": r, "text": x} for r, x in turns])
    return [(e.type, e.turn_indexes) for e in detect_events(t)]


def _types(*turns):
    return {t for t, _ in _events(*turns)}


@pytest.mark.parametrize("line", [
    "hey this is sam from the billing desk and i'm on a recorded line",
    "Quick note, this conversation's being recorded.",
    "Just so you know, the rest of this call is recorded too.",
    "sure thing and i'm recording you for training today",
])
def test_recording_disclosures(line):
    assert E.REC_DISCLOSURE in _types(("agent", line))


@pytest.mark.parametrize("line", [
    "We're not recording at the moment.",
    "I'll note that on your account.",
])
def test_not_disclosures(line):
    assert E.REC_DISCLOSURE not in _types(("agent", line))


@pytest.mark.parametrize("line", [
    "uh no recordings please",
    "i don't wanna be recorded for this",
    "Could you switch the recorder off?",
])
def test_objections(line):
    assert E.RECORDING_OBJECTION in _types(("agent", "Calls here are recorded."), ("customer", line))


def test_turn_it_off_is_an_objection_only_right_after_a_disclosure():
    after = _types(("agent", "This call is recorded for quality."), ("customer", "Oh, can you shut that off?"))
    unrelated = _types(("agent", "Your alarm is set."), ("customer", "ok"), ("agent", "fine"), ("customer", "x"), ("agent", "y"), ("customer", "Can you shut that off?"))
    assert E.RECORDING_OBJECTION in after and E.RECORDING_OBJECTION not in unrelated


def test_a_bare_request_to_look_is_a_deficient_notice_and_its_answer_counts():
    found = _events(
        ("agent", "You're verified. Would it be okay if I look through your usage and see if a cheaper plan fits?"),
        ("customer", "yep go right ahead"),
    )
    assert (E.CPNI_NOTICE, (0,)) in found and (E.APPROVAL_GRANTED, (0, 1)) in found


def test_a_hedge_is_never_approval():
    found = _types(("agent", "Mind if I check your plan and usage to find you a better deal?"), ("customer", "i mean i guess, what would you see"))
    assert E.APPROVAL_AMBIGUOUS in found and E.APPROVAL_GRANTED not in found


def test_withdrawn_approval_is_a_denial():
    found = _events(
        ("agent", "Can I go through your account details for this call only to suggest a plan? You can say no."),
        ("customer", "sure"),
        ("agent", "Great, pulling it up."),
        ("customer", "Hmm, actually I don't want you digging through my stuff."),
    )
    assert (E.APPROVAL_DENIED, (3,)) in found


def test_second_wrong_passcode_is_a_second_failure():
    found = _events(
        ("agent", "What's the passcode on the account?"),
        ("customer", "maple 12"),
        ("agent", "Sorry, that's not it."),
        ("customer", "try oak 12"),
        ("agent", "No, neither of those match."),
    )
    assert [t for t, _ in found].count(E.AUTH_FAIL) == 2


@pytest.mark.parametrize("line", [
    "I can't verify you with a birthday, I need the passcode.",
    "Choose a fresh PIN for me, and no birthdays in it please.",
])
def test_refusing_biographical_answers_is_not_a_noncompliant_prompt(line):
    assert E.AUTH_CHALLENGE_NONCOMPLIANT not in _types(("agent", line))


def test_an_ivr_asking_for_the_account_number_routes_an_agent_asking_substitutes():
    assert E.AUTH_CHALLENGE_NONCOMPLIANT not in _types(("ivr", "Please say or key in your account number."))
    assert E.AUTH_CHALLENGE_NONCOMPLIANT in _types(("agent", "No PIN? Then read me the account number instead."))


def test_account_change_and_its_notice():
    found = _types(
        ("agent", "Done, the mailing address has been changed. You'll get a letter at the old address saying it was updated."),
    )
    assert {E.ACCOUNT_CHANGE, E.CHANGE_NOTICE} <= found
    assert E.ACCOUNT_CHANGE not in _types(("agent", "You could reset that password in the app later."))


def test_non_carrier_calls_get_recording_events_only():
    t = transcript_from_turns([
        {"role": "agent", "text": "This call is recorded. What's the passcode on the account?"},
        {"role": "customer", "text": "blue 7"},
        {"role": "agent", "text": "Thanks, you're verified."},
    ])
    assert [e.type for e in detect_events(t, carrier=False)] == [E.REC_DISCLOSURE]


def test_an_offer_to_text_deals_is_a_marketing_question_and_yes_opts_in():
    found = _events(
        ("agent", "Also, we run a specials club that emails you coupons now and then, want me to add you?"),
        ("customer", "yeah why not"),
    )
    assert (E.MARKETING_OPT_IN, (0, 1)) in found


def test_a_cpni_request_whose_subject_the_asr_dropped_is_still_a_request():
    # tiny.en on the batched path wrote "May use it ..." for "May I use it ...?"; the answer must still count.
    types = _types(
        ("agent", "We're obliged to keep your account details private. May use your usage history on this call only to find a cheaper plan. You're free to decline."),
        ("customer", "I suppose."),
    )
    assert E.APPROVAL_AMBIGUOUS in types and E.APPROVAL_GRANTED not in types
