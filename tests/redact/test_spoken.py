"""Spoken numbers: digits, words and mixes, mapped back to exactly the words spoken."""

import pytest

from callvault.redact.spoken import SpokenText, luhn_ok, spoken_digits


def runs(text):
    return [(run.digits, text[run.start : run.end]) for run in SpokenText.parse(text).runs]


@pytest.mark.parametrize(
    "text, digits",
    [
        ("four one one one, one one one one, one one one one, one one one one", "4111111111111111"),
        ("4012 8888 8888 one eight eight one", "4012888888881881"),
        ("five five five oh one oh oh", "5550100"),
        ("double five", "55"),
        ("Four double oh oh, oh five double six", "40000566"),
        ("fifty one oh five, fifty one hundred", "51055100"),
        ("eighty four twenty", "8420"),
        ("3 3 2 2 2 2", "332222"),
        ("twenty twenty, uh, nineteen", "202019"),
        ("a hundred and twelve", "112"),
        ("one thousand two hundred forty", "1240"),
        ("two-two-four", "224"),
        ("Oh three slash twenty eight", "0328"),
        ("6011-1111-1111-1117", "6011111111111117"),
    ],
)
def test_spoken_forms_become_one_run_of_digits(text, digits):
    found = runs(text)
    assert [d for d, _ in found] == [digits]
    assert found[0][1] == text.rstrip(".")  # the run covers exactly the words spoken


def test_oh_alone_is_an_interjection_not_a_zero():
    assert runs("Oh, I see. Oh no.") == []
    assert spoken_digits("oh eight") == "08"


def test_letters_and_digits_word_is_not_a_number():
    assert runs("the passcode is tiger42") == []


def test_number_continues_over_a_backchannel_turn_only():
    text = "Five five five five,\nMm-hmm.\nfive five five five"
    assert runs(text) == [("55555555", text)]
    parts = SpokenText.parse(text).runs[0].line_parts()
    assert [text[p.start : p.end] for p in parts] == ["Five five five five", "five five five five"]
    other = "Five five five five,\nAnd what is the expiry?\nfive five five five"
    assert [d for d, _ in runs(other)] == ["5555", "5555"]


def test_sentence_end_splits_numbers():
    assert [d for d, _ in runs("8210. And the CVC is 9 1 7.")] == ["8210", "917"]


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112")
    assert not luhn_ok("41x1")


def test_whisper_hyphen_joined_digits_are_one_number():
    from callvault.redact.spoken import SpokenText

    text = "6 -0 -1 -1 -0 -0 -0 -9 -9 -0 -1 -3 -9 -4 -2 -4"
    (run,) = SpokenText.parse(text).runs
    assert run.digits == "6011000990139424"


def test_one_typed_value_layer_reads_whisper_and_spoken_forms_once_per_text():
    from callvault.redact.context import Context
    from callvault.redact.expressions import spoken_values

    text = "\n".join([
        "Your balance is $84.20 and you used 12 gigs.",
        "it came to eighty four dollars and twenty cents and you used twelve gigabytes",
        "The call on March 3rd at 9:14 p.m. lasted 42 minutes.",
        "the call on march third around nine fifteen p m lasted forty two minutes",
        "card 4111 1111 1111 1111",
        "four one one one one one one one one one one one one one one one",
    ])
    ctx = Context(SpokenText.parse(text))
    values = spoken_values(ctx)
    assert spoken_values(ctx) is values  # read once, shared by every recognizer
    by_kind = {}
    for v in values:
        by_kind.setdefault(v.kind, []).append(text[v.start : v.end])
    assert by_kind["money"] == ["84.20", "eighty four dollars and twenty cents"]  # the sign is no piece; the word "$84.20" is redacted whole
    assert by_kind["quantity"] == ["12 gigs", "twelve gigabytes", "42 minutes", "forty two minutes"]  # minutes read both ways: context decides
    assert by_kind["duration"] == ["42 minutes", "forty two minutes"]
    assert by_kind["datetime"] == ["March 3rd at 9:14 p.m", "march third around nine fifteen p m"]
    cards = [v for v in values if v.kind == "digits" and len(v.digits) == 16]
    assert len(cards) == 2 and all(v.luhn for v in cards)
    assert "4111" not in repr(cards[0])  # the digits never reach a repr
