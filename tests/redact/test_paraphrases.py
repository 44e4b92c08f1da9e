"""Each recognizer on paraphrases written for these tests (not taken from any labelled set).

Rules only: the text is parsed with SpokenText and read with the same Context the
Detector builds, so no spaCy model is loaded here. Roles are given per line, as
the Detector passes them.
"""

import pytest

from callvault.redact.context import Context
from callvault.redact.recognizers import SPOKEN_RECOGNIZERS, TextReader
from callvault.redact.recognizers.bill import BillAmountRecognizer
from callvault.redact.spoken import SpokenText, luhn_ok, spoken_digits

WORDS = {str(d): w for d, w in enumerate("zero one two three four five six seven eight nine".split())}


def said(digits: str) -> str:
    return " ".join(WORDS[d] for d in digits)


def found(turns):
    """{(entity, text)} the rule recognizers find in (role, text) turns."""
    text = "\n".join(t for _, t in turns)
    ctx = Context(SpokenText.parse(text), (), tuple(r for r, _ in turns))
    reader = TextReader()
    out = set()
    for cls in SPOKEN_RECOGNIZERS:
        for match in cls(reader).find(ctx):
            out.add((cls.ENTITY, text[match.start : match.end]))
    return out


def of(entity, hits):
    return {t for e, t in hits if e == entity}


CARD = "4012888888881881"


def test_card_read_in_chunks_over_turns_with_a_read_back_is_one_card():
    assert luhn_ok(CARD)
    hits = found([
        ("agent", "Sure, which card would you like to use for that?"),
        ("customer", f"a visa, {said(CARD[:4])} {said(CARD[4:8])}"),
        ("agent", f"{said(CARD[4:8])}, go on"),
        ("customer", f"{said(CARD[8:12])}"),
        ("agent", "uh-huh"),
        ("customer", f"and then {said(CARD[12:])}"),
    ])
    pans = of("PAN", hits)
    assert f"{said(CARD[:4])} {said(CARD[4:8])}" in pans and said(CARD[8:12]) in pans and said(CARD[12:]) in pans
    assert said(CARD[4:8]) in pans  # the agent's read-back of a chunk


def test_expiry_and_code_are_taken_in_the_order_they_were_asked():
    hits = found([
        ("agent", "Thanks, I have the card number. Now the expiry date, and then the three numbers on the back?"),
        ("customer", "eleven twenty nine and six one four"),
    ])
    assert of("CARD_EXPIRY", hits) == {"eleven twenty nine"}
    assert of("CVV", hits) == {"six one four"}


def test_a_four_digit_front_code_asked_first_is_the_code_not_the_expiry():
    hits = found([
        ("agent", "Okay, I'll need the four digit code printed on the front of the amex, then when it expires."),
        ("customer", "two two nine one, and oh four thirty"),
    ])
    assert of("CVV", hits) == {"two two nine one"}
    assert of("CARD_EXPIRY", hits) == {"oh four thirty"}


def test_values_said_right_after_the_card_number_are_expiry_then_code():
    hits = found([("customer", f"Put it on my Mastercard, {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}, 09/28, 552.")])
    assert of("CARD_EXPIRY", hits) == {"09/28"} and of("CVV", hits) == {"552"}


def test_an_expiry_given_as_a_month_alone():
    hits = found([("agent", "I see the card on file ending in 1881 expires next March, want to update it?")])
    assert "March" in of("CARD_EXPIRY", hits)
    assert "1881" in of("PAN", hits)


def test_a_pin_asked_as_a_four_digit_number_is_no_card_code():
    hits = found([
        ("agent", "Your new card ending in 1881 is active. To set a PIN, please say any four digit number."),
        ("customer", "seven three three one"),
    ])
    assert of("CVV", hits) == set()
    assert of("AUTH_SECRET", hits) == {"seven three three one"}


@pytest.mark.parametrize("answer, secret", [
    ("ugh, um, it's marble otter", "marble otter"),
    ("I think it's Q7Harbor", "Q7Harbor"),
    ("oh that would be Waffles", "Waffles"),
    ("three three eight one", "three three eight one"),
])
def test_the_answer_to_a_secret_prompt_is_the_secret_whatever_its_words(answer, secret):
    hits = found([("agent", "Before I open the account, what's the security word on your profile?"), ("customer", answer)])
    assert secret in of("AUTH_SECRET", hits)


def test_a_secret_read_back_by_the_agent_is_the_secret_too():
    hits = found([
        ("agent", "Can I get your verbal password, please?"),
        ("customer", "it's copper kettle nine"),
        ("agent", "copper kettle nine, thank you, you're all set"),
    ])
    assert of("AUTH_SECRET", hits) == {"copper kettle nine"}
    assert len([1 for e, t in hits if e == "AUTH_SECRET"]) == 1  # one text, found in two places (a set here)


def test_a_name_given_with_the_secret_is_not_the_secret():
    hits = found([
        ("agent", "Could I have your name and the PIN on the account?"),
        ("customer", "Dana Whitlock, and the PIN is five five one nine."),
    ])
    assert of("AUTH_SECRET", hits) == {"five five one nine"}
    assert "Dana Whitlock" not in of("AUTH_SECRET", hits)


def test_a_refusal_gives_no_secret():
    hits = found([("agent", "What's the passcode on the line?"), ("customer", "honestly I don't remember it, sorry")])
    assert of("AUTH_SECRET", hits) == set()


def test_a_number_talked_about_as_a_call_is_call_detail_and_a_contact_number_is_not():
    hits = found([
        ("agent", "I see four calls from 312-555-0147 yesterday evening."),
        ("customer", "Okay. And what's the best number for you to reach me at? Use 312-555-0190."),
        ("agent", "Our store's number is 800-555-0100 if you need it."),
    ])
    assert of("CALL_NUMBER", hits) == {"312-555-0147"}
    assert {"312-555-0190", "800-555-0100"} <= of("PHONE_NUMBER", hits)


def test_a_called_number_read_in_pieces_is_call_detail_in_every_piece():
    hits = found([
        ("agent", "Which number should I look up?"),
        ("customer", "it's six one seven"),
        ("agent", "okay"),
        ("customer", "five five five oh one four two"),
        ("agent", "six one seven five five five oh one four two, I see nine calls to that number this month"),
    ])
    assert {"six one seven", "five five five oh one four two"} <= of("CALL_NUMBER", hits)


def test_money_said_without_dollars_is_a_bill_amount_but_an_offered_price_is_not():
    hits = found([
        ("agent", "On your plan and both lines the balance comes to sixty two fifteen this cycle."),
        ("agent", "We could move you to a data plan that would be forty a month instead."),
    ])
    assert of("BILL_AMOUNT", hits) == {"sixty two fifteen"}


def test_a_price_in_a_call_about_no_telecom_service_is_no_bill():
    hits = found([("agent", "The alignment and the two tires come to $318.40 with tax.")])
    assert of("BILL_AMOUNT", hits) == set()


def test_a_call_length_in_a_turn_about_calls():
    hits = found([("agent", "There were two calls to that number. The first went on for 23 minutes, the other one 4 minutes.")])
    assert {"23 minutes", "4 minutes"} <= of("CALL_DURATION", hits)
    assert of("CALL_DURATION", found([("agent", "Please hold, this will take about 5 minutes.")])) == set()


def test_names_from_introductions_greetings_and_later_uses():
    hits = found([
        ("agent", "thanks for holding this is ravi with billing"),
        ("customer", "hey ravi, it's joanna pike"),
        ("agent", "okay joanna, let me look"),
        ("customer", "thanks ravi"),
    ])
    assert {"ravi", "joanna pike", "joanna"} <= of("PERSON", hits)
    assert "billing" not in {w for t in of("PERSON", hits) for w in t.split()}


def test_a_street_address_with_its_unit():
    hits = found([("customer", "the new address is 48 Copper Ridge Road, unit 2, Dayton")])
    assert any(t.startswith("48 Copper Ridge Road") for t in of("LOCATION", hits))


def test_spoken_digits_keep_their_api_for_the_leak_scanner():
    assert spoken_digits("four one one one, 1111") == "41111111"



# -- call detail: times and lengths framed by the talk around them ------------------


def test_a_time_before_p_m_stays_in_the_sentence_of_its_call():
    hits = found([("agent", "Right, at 6:05 p.m. there was an outgoing call to 212-555-0148.")])
    assert of("CALL_TIME", hits) == {"6:05 p.m"}


def test_times_in_the_turns_after_a_call_was_named_are_call_detail():
    hits = found([
        ("customer", "I want to know about the calls to my daughter's phone."),
        ("agent", "Sure. I have two: on the third at about six p m, then the one on the eleventh."),
        ("customer", "And the one at four ten?"),
    ])
    times = of("CALL_TIME", hits)
    assert {"the third at about six p m", "the eleventh"} <= times
    assert "four ten" in times  # hour and minutes in words after "at"


def test_an_answer_to_when_is_the_time_of_the_call_asked_about():
    hits = found([
        ("customer", "Somebody rang me from a number I don't know."),
        ("agent", "I can look. Do you remember which day?"),
        ("customer", "It was a Friday, maybe two weeks ago."),
        ("agent", "Okay. And what time?"),
        ("customer", "Late afternoon. Around three in the afternoon."),
    ])
    times = of("CALL_TIME", hits)
    assert {"a Friday", "two weeks ago", "Late afternoon", "three in the afternoon"} <= times


def test_a_time_said_again_later_is_the_same_call_detail():
    hits = found([
        ("agent", "That call went out on June 9th at 8:40 a.m. and lasted 12 minutes."),
        ("customer", "June 9th. Okay, that was my brother."),
    ])
    assert {"June 9th at 8:40 a.m", "June 9th"} <= of("CALL_TIME", hits)


def test_dates_of_bills_offers_schedules_and_this_recorded_call_are_not_call_times():
    hits = found([
        ("agent", "Thanks for calling, this call is recorded. Your cycle closed on the 21st."),
        ("customer", "We moved here in August, by the way."),
        ("agent", "Payment posted on the 3rd. The offer is good through October 31st and you can call us between 9 a.m. and 8 p.m."),
        ("agent", "Autopay takes it on the 4th every month, and a technician can come out Thursday."),
        ("agent", "The call forwarding was switched on yesterday."),
    ])
    assert of("CALL_TIME", hits) == set()


def test_one_call_s_length_is_call_detail_and_a_total_is_usage():
    hits = found([
        ("agent", "You made 40 calls to that number this cycle, about 5 hours total, and the longest one was 52 minutes."),
        ("agent", "You use about three hundred minutes a month."),
    ])
    assert of("CALL_DURATION", hits) == {"52 minutes"}


def test_a_number_abroad_and_a_premium_prefix_are_numbers_called():
    hits = found([
        ("agent", "There were two calls to a number in Peru, 511-4862-0317."),
        ("customer", "And the call to a nine hundred number?"),
    ])
    numbers = of("CALL_NUMBER", hits)
    assert "511-4862-0317" in numbers and "nine hundred" in numbers


# -- card data as the ASR writes it: split digits, a garbled code name -------------


def test_digits_read_around_a_luhn_window_are_the_card_and_the_mask_shows_no_digits():
    from callvault.models import Explanation, Finding
    from callvault.redact.apply import placeholder
    from callvault.redact.recognizers.cards import CardReader

    amex = "378282246310005"
    assert luhn_ok(amex)
    text = "\n".join([
        "Go ahead with the card number.",
        f"sure it's 9 {amex[:5]}",
        "mm-hmm",
        f"{amex[5:10]} {amex[10:]} -4.",
    ])
    ctx = Context(SpokenText.parse(text), (), ("agent", "customer", "agent", "customer"))
    pans = [s for s in CardReader(ctx).slots if s.entity == "PAN"]
    covered = "".join(spoken_digits(text[s.start : s.end]) for s in pans)
    assert covered == "9" + amex + "4"  # the stray first and last digits are redacted with the card
    last = pans[-1]
    finding = Finding("PCI", "PAN", last.start, last.end, 0.0, 1.0, "S1", "customer", 0.9, Explanation("PanRecognizer", "answer", note=last.note))
    assert placeholder(finding, "mask", text[last.start : last.end]) == "[PAN ****]"  # its "last four" may be card digits


def test_the_code_after_the_expiry_is_a_cvv_when_its_name_was_not_heard():
    hits = found([
        ("agent", "Go ahead with the card whenever you're ready."),
        ("customer", "It's a Mastercard, 5555 5555 5555 4444, expires 07/28."),
        ("agent", "Got it, one moment."),
        ("customer", "and must see the is 381."),
    ])
    assert of("CVV", hits) == {"381"}
    assert of("CARD_EXPIRY", hits) == {"07/28"}


def test_an_expiry_written_group_by_group_is_the_expiry_and_the_code_follows_it():
    hits = found([
        ("agent", "What's the card number?"),
        ("customer", "4111 1111 1111 1111"),
        ("agent", "Okay, and the expiration and the three digits on the back?"),
        ("customer", "10 -20 -9 and the back is 5 -1 -7."),
    ])
    assert of("CARD_EXPIRY", hits) == {"10 -20 -9"}
    assert of("CVV", hits) == {"5 -1 -7"}


# -- names said as words, as small ASR writes them (lower case, no punctuation) ----


def test_introductions_close_at_the_next_clause_and_skip_fillers():
    hits = found([
        ("agent", "harbor wireless my name is odessa this call may be recorded"),
        ("customer", "hi odessa my name's um beverly quist can you help me"),
        ("agent", "hello is this marguerite fenn"),
    ])
    people = of("PERSON", hits)
    assert {"odessa", "beverly quist", "marguerite fenn"} <= people  # "beverly" ends like an adverb; a name cue says it is none


def test_the_answer_to_a_question_for_the_name_opens_with_the_name():
    hits = found([
        ("agent", "sure thing can i get the name on the account and your pin"),
        ("customer", "yeah it's roderick amsel and the pin is four four one nine"),
        ("agent", "Thanks. And who am I speaking with?"),
        ("customer", "Inga Sorvik."),
    ])
    assert {"roderick amsel", "Inga Sorvik"} <= of("PERSON", hits)


def test_a_card_read_in_chunks_in_a_payment_is_the_card_when_its_name_was_not_heard():
    hits = found([
        ("customer", "I'd like to make a payment on my bill."),
        ("agent", "Sure, go ahead with the car number when you're ready."),  # the ASR lost the d of "card"
        ("customer", "Okay, it's 5, 1, 0, 5."),
        ("agent", "Mm-hmm."),
        ("customer", "1, 0, 5, 1, 0, 5."),
        ("agent", "okay"),
        ("customer", "1, 0, 5 and 1, 0, 0."),
    ])
    pans = of("PAN", hits)
    assert {"5, 1, 0, 5", "1, 0, 5, 1, 0, 5", "1, 0, 5 and 1, 0, 0"} <= pans


def test_an_account_number_read_in_chunks_is_no_card():
    turns = [
        ("customer", "I want to pay my bill."),
        ("agent", "What's the account number?"),
        ("customer", "4471, 0093, 2281, 56."),
    ]
    text = "\n".join(t for _, t in turns)
    from callvault.redact.recognizers.cards import CardReader

    slots = CardReader(Context(SpokenText.parse(text), (), tuple(r for r, _ in turns))).slots
    assert [s for s in slots if s.entity == "PAN"] == []  # the card reader leaves it to the account cue


# -- where the caller lives: zip codes, addresses without a street type, home towns --


def test_zip_codes_addresses_and_home_towns_are_locations():
    hits = found([
        ("agent", "Can I get the billing zip code?"),
        ("customer", "It's 60187."),
        ("agent", "Thanks. And the new mailing address?"),
        ("customer", "2210 North Halsted, unit 4, Wheaton."),
        ("customer", "We're moving to Tucson in the spring."),
    ])
    places = of("LOCATION", hits)
    assert {"60187", "2210 North Halsted, unit 4, Wheaton", "Tucson"} <= places


def test_five_digits_with_no_zip_or_address_talk_are_no_location():
    hits = found([("agent", "Your confirmation is 60187 and it ships in 3 days.")])
    assert of("LOCATION", hits) == set()
def test_a_bill_amount_said_again_later_is_still_the_bill():
    hits = found([
        ("agent", "you're verified and i show seventy three fifteen due on your wireless account"),
        ("customer", "ok let's pay it"),
        ("agent", "alright seventy three fifteen is posted to the card, your data plan stays the same"),
    ])
    assert of("BILL_AMOUNT", hits) == {"seventy three fifteen"}
    text = "you're verified and i show seventy three fifteen due on your wireless account\nok\nthanks seventy three fifteen went through"
    ctx = Context(SpokenText.parse(text), (), ("agent", "customer", "agent"))
    spans = [text[m.start : m.end] for m in BillAmountRecognizer(TextReader()).find(ctx)]
    assert spans == ["seventy three fifteen", "seventy three fifteen"]


def test_a_bare_number_answering_how_much_to_pay_is_a_bill_amount():
    hits = found([
        ("agent", "your phone bill for both lines shows ninety dollars past due, how much would you like to pay now"),
        ("customer", "i'll do forty now and the rest friday"),
    ])
    assert "forty" in of("BILL_AMOUNT", hits)
    hits = found([
        ("customer", "how much data do i have left on my plan"),
        ("agent", "you have about two left"),
    ])
    assert of("BILL_AMOUNT", hits) == set()


def test_a_bare_number_after_a_payment_verb_is_money():
    hits = found([("agent", "last cycle on the unlimited plan you paid about thirty in data overages")])
    assert of("BILL_AMOUNT", hits) == {"thirty"}


def test_a_price_said_of_a_product_is_an_offer_and_what_the_customer_pays_is_the_bill():
    hits = found([
        ("agent", "Right now you're paying $72 a month for both lines on your plan."),
        ("agent", "The Starter Saver is $48 a month, and the premium streaming tier is sixty a month."),
    ])
    assert of("BILL_AMOUNT", hits) == {"72"}


def test_a_charge_named_after_the_amount_is_the_bill_even_in_an_offer():
    hits = found([("agent", "A bigger data plan would end those $18 overage charges you keep getting.")])
    assert of("BILL_AMOUNT", hits) == {"18"}


def test_a_number_that_prefixes_a_phone_number_is_no_money():
    hits = found([("agent", "that nine hundred number you dialed is on your line, and a nine hundred block can go on your plan")])
    assert of("BILL_AMOUNT", hits) == set()


def test_dollars_after_a_card_ending_are_the_payment():
    hits = found([("agent", "Your balance is $64.10. I've charged the card ending in 4410, $64.10 today, on your wireless account.")])
    assert of("BILL_AMOUNT", hits) == {"64.10"}


def test_no_bill_amounts_in_a_call_of_another_industry():
    hits = found([
        ("agent", "Your policy premium is $212 and the claim adjuster will call about the water damage."),
        ("agent", "The deductible on the policy is $500 and your insurance claim is open."),
    ])
    assert of("BILL_AMOUNT", hits) == set()


def test_usage_said_again_continued_or_left_is_usage():
    hits = found([
        ("agent", "Texting on your wireless plan came in at 615 texts for the cycle, which puts the line 115 over."),
        ("customer", "Wait, 615, really"),
        ("agent", "Data-wise the line used 7.5 gigs in May and about four in April, and there are about 2.5 left."),
    ])
    assert {"615 texts", "115 over", "615", "four", "2.5"} <= of("USAGE_QTY", hits)


def test_what_a_plan_a_cap_or_an_offer_gives_is_no_usage():
    hits = found([
        ("agent", "So far this cycle your data plan shows 6 gigs used. Our premium tier includes 25 gigs of tethering."),
        ("agent", "Want a limit on her line? It can be capped at 8 gigs."),
        ("customer", "Sure, cap her at 8 gigs."),
        ("agent", "The 8-gig cap is active now, and the three gig option would be cheaper."),
    ])
    assert of("USAGE_QTY", hits) == {"6 gigs"}


def test_calls_counted_with_their_kind_and_a_total_of_hours_are_usage():
    hits = found([
        ("agent", "In March the landline placed 22 long-distance calls on your account, 4 hours total across them."),
        ("agent", "One of those calls on the line lasted an hour and ten minutes; the one to your bank ran for eleven minutes."),
    ])
    usage = of("USAGE_QTY", hits)
    assert {"22 long-distance calls", "4 hours total"} <= usage
    assert not {"ten minutes", "eleven minutes"} & usage


def test_a_count_between_times_is_no_usage():
    hits = found([("agent", "there were two calls to that number on your line between eight and nine in the evening")])
    assert of("USAGE_QTY", hits) == {"two calls"}


def test_plan_names_with_spoken_tier_numbers_and_two_word_heads():
    hits = found([
        ("agent", "this month the harbor twelve plan on your account has used six gigs"),
        ("agent", "all set, you're on harbor twelve from the next cycle"),
        ("agent", "For this month your line also has a 2 gig data top up that I added."),
    ])
    plans = of("SERVICE_PLAN", hits)
    assert {"harbor twelve plan", "harbor twelve"} <= plans
    assert any("top up" in p for p in plans)


def test_a_named_tier_and_what_an_amount_is_paid_for_are_the_customers_plans():
    hits = found([
        ("agent", "Your account has two services. You've got Maple Fiber 500, plus a home phone line."),
        ("agent", "this cycle it's sixty four fifty a month on the coastal saver for your account"),
        ("agent", "I charged $20 on the Visa ending 4410."),
    ])
    plans = of("SERVICE_PLAN", hits)
    assert "Maple Fiber 500" in plans and "coastal saver" in plans
    assert any(p.startswith("home phone line") for p in plans)
    assert not any("Visa" in p for p in plans)


def test_plans_offered_at_a_price_lacked_or_in_general_are_not_the_customers():
    hits = found([
        ("agent", "the line is on your basic talk plan, and no overseas add on was ever put on it"),
        ("agent", "if you want asia covered the globe talk add on is twelve a month"),
        ("agent", "I can look at your usage to find the right travel package, and suggest plans for you."),
        ("agent", "You'd also stay on a plan for two years."),
    ])
    assert of("SERVICE_PLAN", hits) == {"basic talk plan"}


def test_a_feature_named_by_the_customer():
    hits = found([("customer", "Take that recorder fee off, I never use the DVR on my cable box anyway.")])
    assert of("SERVICE_PLAN", hits) == {"DVR"}


def test_an_account_number_corrected_as_it_is_read_keeps_both_readings():
    hits = found([("customer", "sure the account number is three one four oh nine nine two sorry i mean three one four oh nine nine five and i'm calling about my bill")])
    assert {"three one four oh nine nine two", "three one four oh nine nine five"} <= of("ACCOUNT_NUMBER", hits)
    hits = found([("customer", "account number is 4412 9905 and no, my callback is 312 555 0188")])
    assert "312 555 0188" not in of("ACCOUNT_NUMBER", hits)


def test_what_a_product_runs_or_drops_to_is_a_price_and_what_your_bill_runs_is_the_bill():
    hits = found([
        ("agent", "Our Family Four plan runs $140 a month for the data lines."),
        ("agent", "With autopay on your plan it drops to $55."),
        ("agent", "Your bill runs about $90 a month for both lines."),
    ])
    assert of("BILL_AMOUNT", hits) == {"90"}


def test_plan_names_after_your_plan_is_or_enrolled_in_with_capitalised_stop_words():
    hits = found([
        ("agent", "your plan is Metro Saver 30 and you've used 2 gigs"),
        ("agent", "you're enrolled in Talk Anywhere Plus on the account"),
        ("agent", "your plan is $40 a month on the line"),
    ])
    assert of("SERVICE_PLAN", hits) == {"Metro Saver 30", "Talk Anywhere Plus"}


def test_spoken_bills_with_oh_an_answer_to_whats_my_bill_and_plus_tax():
    hits = found([
        ("agent", "ok on your wireless plan with both lines the balance on this one right now is one oh four twenty"),
        ("customer", "and how much is my bill going to be next month for the data plan"),
        ("agent", "it's eighty seven thirty, and on top of that fifty nine ninety nine plus tax for the tablet"),
    ])
    assert of("BILL_AMOUNT", hits) == {"one oh four twenty", "eighty seven thirty", "fifty nine ninety nine"}


def test_a_decimal_said_in_words_is_redacted_whole():
    hits = found([("agent", "this cycle your line went through nine point four gigs on the data plan")])
    assert of("USAGE_QTY", hits) == {"nine point four gigs"}


def test_a_written_decimal_quantity_and_a_two_word_product_head_are_whole():
    hits = found([("agent", "Your usage this cycle is 4.7 GB of data, and you've been charged $9.99 for the Spotify add-on on your phone plan.")])
    assert "4.7 GB" in of("USAGE_QTY", hits)
    assert "Spotify add-on" in of("SERVICE_PLAN", hits)


def test_a_framed_bill_said_back_and_a_usage_with_its_unit_elided():
    hits = found([
        ("agent", "so that call to lima came to twelve eighty and you're on the metro basic plan"),
        ("customer", "ok can you take that twelve eighty back off"),
        ("agent", "sure, and i put the twenty on the card for your wireless bill"),
        ("agent", "the plan gives you five hundred minutes and you used four eighty"),
    ])
    assert of("BILL_AMOUNT", hits) == {"twelve eighty", "twenty"}
    text = "\n".join(t for _, t in [
        ("agent", "so that call to lima came to twelve eighty and you're on the metro basic plan"),
        ("customer", "ok can you take that twelve eighty back off"),
    ])
    ctx = Context(SpokenText.parse(text), (), ("agent", "customer"))
    assert len(list(BillAmountRecognizer(TextReader()).find(ctx))) == 2
    assert of("USAGE_QTY", hits) == {"four eighty"}


def test_digits_the_other_side_then_verifies_are_a_secret_though_the_prompt_was_garbled():
    hits = found([
        ("agent", "Sure, let me pull that up. Can I have the secure rear bin on the account?"),
        ("customer", "Yeah, 6 -1 -3 -8."),
        ("agent", "Thank you, you're verified. What can I do for you?"),
        ("customer", "My zip is 30309 and my number is 404-555-0182."),
        ("agent", "Great, that matches."),
    ])
    assert of("AUTH_SECRET", hits) == {"6 -1 -3 -8"}


def test_a_chunk_whose_digits_the_asr_turned_into_words_still_starts_the_card():
    hits = found([
        ("customer", "I need to pay my bill today."),
        ("agent", "Okay, go ahead with the car number whenever you're ready."),
        ("customer", "Okay, it's 5 fix to 1."),
        ("agent", "Mm"),
        ("customer", "3, 7, 9."),
        ("agent", "okay"),
        ("customer", "2, 2, 0, 4, and, 8, 8, 1, 6."),
    ])
    assert {"5 fix to 1", "3, 7, 9", "2, 2, 0, 4, and, 8, 8, 1, 6"} <= of("PAN", hits)
