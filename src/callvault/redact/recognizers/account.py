"""Account CPNI: bill amounts, the service plan, and amounts of use."""

from __future__ import annotations

import re
from typing import Iterator

from callvault.redact.context import Context, Phrases
from callvault.redact.expressions import MONTHS, WEEKDAYS, Runs
from callvault.redact.recognizers.base import Match, SpokenRecognizer
from callvault.redact.recognizers.bill import BillAmountRecognizer, offer_in_sentence, offered_price
from callvault.redact.recognizers.usage import PRODUCT_HEADS, UsageQuantityRecognizer
from callvault.redact.spoken import DIGIT_WORDS, TEENS, TENS

__all__ = ["BillAmountRecognizer", "ServicePlanRecognizer", "UsageQuantityRecognizer"]

class ServicePlanRecognizer(SpokenRecognizer):
    """The customer's plan, add-ons and features: "Unlimited with the international add-on"."""

    ENTITY = "SERVICE_PLAN"
    TERMS = Phrases((
        "unlimited", "unlimited plus", "unlimited premium", "unlimited elite", "unlimited starter", "family share",
        "family share plan", "family plan", "international add-on", "international add on", "international calling",
        "international pass", "travel pass", "day pass", "hotspot", "hotspot add-on", "mobile hotspot", "prepaid",
        "prepaid plan", "pay as you go", "basic", "basic plan", "senior plan", "data plan", "caller id", "call waiting",
        "three-way calling", "three way calling", "visual voicemail", "voicemail to text", "long distance package",
        "roaming package", "premium", "business plan", "dvr", "home phone line", "landline", "call forwarding",
    ))
    TAILS = Phrases(("plan", "add-on", "add on", "package", "lines", "line", "pass", "feature", "features"))
    JOIN = frozenset({"with", "and", "the", "plus", "a", "an", "of"})
    UNITS = frozenset({"gig", "gigs", "gb", "line", "lines", "gigabyte", "gigabytes"})
    OWNER = Phrases((
        "you're on", "you are on", "you have", "you've got", "you got", "your plan", "your line", "your account",
        "your lines", "i'm on", "i am on", "i have", "my plan", "on your account", "you're subscribed", "your",
        "my", "you also have", "includes", "use the", "using the", "cancel the", "remove the",
    ))

    def find(self, ctx: Context) -> Iterator[Match]:
        yield from plan_phrases(ctx)
        runs = Runs(ctx)
        index = 0
        while index < len(ctx.pieces):
            hit = self.TERMS.match_at(ctx.norms, index)
            if not hit:
                index += 1
                continue
            first, last = index, index + hit[1] - 1
            j = last + 1
            while j < len(ctx.pieces) and ctx.pieces[j].line == ctx.pieces[first].line:
                if ctx.text[ctx.pieces[j - 1].end : ctx.pieces[j].start].strip(" ") not in ("",):
                    break  # punctuation ends the phrase
                k = j
                while k < len(ctx.pieces) and ctx.norms[k] in self.JOIN:
                    k += 1
                more = self.TERMS.match_at(ctx.norms, k) or self.TAILS.match_at(ctx.norms, k)
                run = runs.at(k)
                if more:
                    last, j = k + more[1] - 1, k + more[1]
                elif run is not None and ctx.norms[run.last + 1 : run.last + 2] and ctx.norms[run.last + 1] in self.UNITS:
                    last, j = run.last + 1, run.last + 2
                else:
                    break
            owner = ctx.cue_before(first, self.OWNER, 8, same_sentence=True, block=False)
            generic = last == first and ctx.norms[first] in ("basic", "premium", "prepaid")
            negated = ctx.norms[first - 1 : first] == ["no"]  # "with no roaming pass": a plan the customer lacks
            if owner and not ctx.ends_with_question(first) and not generic and not negated and not _priced(ctx, last):
                yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.8, "lexicon", "plan-terms", (owner.phrase,))
            index = last + 1


# -- plan names by grammar: any name, framed as the customer's or ending in a product word ------------
ON_PLAN = Phrases((
    "you're on", "you are on", "you're currently on", "you're still on", "i'm on", "i am on", "we're on", "he's on",
    "she's on", "you've got", "you have", "you got", "switched to", "switched you to", "moved you to", "you're switched to",
    "you're all set on", "you're set on", "i have", "we have", "called", "on", "your plan is", "your current plan is",
    "enrolled in", "subscribed to", "signed up for",
))
# Frames after which a plan must show it is one: a product word, a feature, or a capitalised name with its tier.
NEEDS_PRODUCT = frozenset({"you have", "you got", "you've got", "i have", "we have", "called", "on", "signed up for"})
FEATURE_HEADS = frozenset({"voicemail", "mail", "dvr", "hotspot", "forwarding"})
NUMBER_WORDS = frozenset(DIGIT_WORDS) | frozenset(TEENS) | frozenset(TENS) | {"hundred"}
PRODUCT_TAILS = PRODUCT_HEADS
# What makes a plan named in an offer's sentence the customer's own after all.
PLAN_OWNED = Phrases((
    "your bill", "you're paying", "you are paying", "you pay", "charged", "balance", "past due", "you owe", "on your account",
    "refund", "credit", "due", "payment", "paid", "this month", "last month", "statement", "charge", "charges", "fee",
))
PLAN_STOPS = frozenset({
    "and", "starting", "at", "for", "which", "that", "so", "from", "since", "but", "because", "right", "now", "today",
    "paying", "it", "is", "was", "you", "you're", "your", "i", "we", "this", "last", "next", "until", "plus"[:0],
})
NOT_A_PLAN = frozenset({
    "hold", "line", "phone", "speaker", "list", "account", "call", "way", "autopay", "file", "record", "track", "mute",
    "it", "that", "this", "one", "right", "here", "there", "a", "any", "some", "no", "questions", "question", "time",
    "minute", "second", "moment", "problem", "issue", "charge", "bill", "balance", "card", "number", "passcode", "pin",
    "credit", "option", "options", "access", "permission", "everything", "anything", "nothing", "what", "same",
    "team", "department", "wi", "fi", "wifi", "basically", "sunday", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "yesterday", "today", "tonight", "speakerphone",
})
# Words that make "a plan" any plan, not the customer's named one.
GENERIC_PLAN = frozenset({
    "better", "different", "new", "best", "right", "cheaper", "other", "another", "current", "old", "same", "prepaid",
    "postpaid", "start", "good", "bigger", "smaller", "lower", "higher", "one",
})
OWNERSHIP = Phrases((
    "you're on", "you are on", "your", "you've got", "you have", "my", "i'm on", "i have", "includes", "doesn't have",
    "does not have", "doesn't include", "add", "added", "put it on", "on the", "with the", "called", "renews", "you did",
    "switched", "charged", "started",
))


def _plan_word(ctx: Context, i: int) -> bool:
    from spacy.lang.en.stop_words import STOP_WORDS

    norm = ctx.norms[i]
    capitalised = ctx.pieces[i].text[:1].isupper() and len(norm) > 1  # "Talk Anywhere", "Unlimited Go"
    named = norm not in STOP_WORDS or norm in ("n", "'n", "&", "and") or norm in NUMBER_WORDS or capitalised or ctx.pieces[i].kind != "word"
    return named and norm not in PLAN_STOPS


def _priced(ctx: Context, last: int) -> bool:
    """The product is the subject of a price ("... add on is 8 a month", "... would be $30"): an offer's product."""
    k = last + 1
    if ctx.norms[k : k + 2] in (["would", "be"], ["will", "be"], ["it's", "only"]):
        k += 2
    elif ctx.norms[k : k + 1] in (["is"], ["costs"], ["runs"]):
        k += 1
    else:
        return False
    while k < len(ctx.pieces) and ctx.norms[k] in ("just", "only", "about", "actually", "like", "around"):
        k += 1
    if k >= len(ctx.pieces) or ctx.pieces[k].line != ctx.pieces[last].line:
        return False
    return ctx.text[ctx.pieces[k].start - 1 : ctx.pieces[k].start] == "$" or any(r.first == k for r in ctx.runs())


def plan_phrases(ctx: Context) -> Iterator[Match]:
    """Plans, add-ons and features named any way: "you're on the Basic Chat plan", "Prairie 40",
    "with the landline bundle", "the Asia calling add-on", "something called Visual Voice Plus"."""
    seen: set[int] = set()
    for j, end in _paid_for(ctx):
        seen.update(range(j, end + 1))
        yield Match(ctx.pieces[j].start, ctx.pieces[end].end, 0.75, "grammar", "paid-for", ("amount paid for it",))
    for first, last, phrase in ctx.find(ON_PLAN):
        j = last + 1 + (ctx.norms[last + 1 : last + 2] in (["the"], ["a"]))
        if j >= len(ctx.pieces) or ctx.pieces[j].line != ctx.pieces[last].line or ctx.norms[j] in NOT_A_PLAN or ctx.norms[j] in GENERIC_PLAN:
            continue
        if ctx.text[ctx.pieces[j].start - 1 : ctx.pieces[j].start] == "$":
            continue  # "your plan is $40": its price, not its name
        end = _plan_end(ctx, j, product_needed=phrase in NEEDS_PRODUCT, shape_only=phrase == "on")
        if end is not None and any(ctx.norms[i] in NOT_A_PLAN for i in range(j, end + 1)):
            continue
        if end is not None and j not in seen and not _priced(ctx, end):
            seen.update(range(j, end + 1))
            yield Match(ctx.pieces[j].start, ctx.pieces[end].end, 0.8, "grammar", "on-plan", (phrase,))
    for index, norm in enumerate(ctx.norms):
        two_words = (norm, ctx.norms[index + 1] if index + 1 < len(ctx.norms) else "") in (("add", "on"), ("top", "up"))
        if (norm not in PRODUCT_TAILS or norm == "plans") and not two_words:
            continue  # "plans" in general are no plan of the customer's
        if ctx.norms[index + 1 : index + 2] in (["code"], ["number"], ["id"]):
            continue  # "a promo code", "the service number"
        tail = index + two_words
        start = index
        while start - 1 >= 0 and index - start < 4 and ctx.pieces[start - 1].line == ctx.pieces[index].line and _plan_word(ctx, start - 1) and not re.search(r"[,.?!;]", ctx.text[ctx.pieces[start - 1].end : ctx.pieces[start].start]):
            start -= 1
        if start == index or start in seen or ctx.norms[start] in NOT_A_PLAN or ctx.norms[start - 1 : start] == ["no"]:
            continue
        if all(ctx.norms[i] in GENERIC_PLAN for i in range(start, index)) or ctx.norms[start - 1 : start] and ctx.norms[start - 1] in GENERIC_PLAN:
            continue  # "a better plan", "the international add on": no plan of this customer's
        if not ctx.cue_in_sentence(index, OWNERSHIP) or (offer_in_sentence(ctx, index, PLAN_OWNED) and norm == "plan") or _priced(ctx, tail):
            continue
        seen.update(range(start, tail + 1))
        yield Match(ctx.pieces[start].start, ctx.pieces[tail].end, 0.8, "grammar", "named-product", (ctx.norms[index],))


PAID_TAILS = frozenset({"a", "month", "dollars", "bucks", "each", "even", "per", "monthly"})
PAID_NOT_PLANS = frozenset({"visa", "mastercard", "discover", "amex", "american", "card", "account", "line", "lines", "bill"})


def _paid_for(ctx: Context) -> Iterator[tuple[int, int]]:
    """What an amount is paid for: "paying 64 a month on the Coastal Saver", "the 31 fifty for your cable duo"."""
    for run in ctx.runs():
        k = run.last + 1
        while k < len(ctx.pieces) and k - run.last <= 3 and ctx.norms[k] in PAID_TAILS:
            k += 1
        if ctx.norms[k : k + 2] not in (["on", "the"], ["for", "the"], ["for", "your"], ["on", "your"]) or offered_price(ctx, run.first):
            continue  # an offer's price is paid for nothing the customer has
        j = k + 2
        if j >= len(ctx.pieces) or ctx.pieces[j].line != ctx.pieces[run.last].line or ctx.pieces[j].kind != "word":
            continue
        norm = ctx.norms[j]
        if norm in NOT_A_PLAN or norm in PAID_NOT_PLANS or norm in GENERIC_PLAN or norm in NUMBER_WORDS or norm in MONTHS or norm in WEEKDAYS:
            continue
        end = _plan_end(ctx, j, product_needed=False)
        if end is not None and end > j and ctx.norms[end] not in PAID_NOT_PLANS and not any(ctx.norms[i] in ("month", "year", "day", "week") for i in range(j, end + 1)):
            yield j, end


def _plan_end(ctx: Context, j: int, product_needed: bool, shape_only: bool = False) -> int | None:
    """Last piece of a plan name starting at j: to a stop word, punctuation or the product word.

    Where the frame needs a product (``product_needed``), a name without a
    product or feature word counts only in the shape of a named tier: two or
    more capitalised words and a number ("Riverbend Fiber 500").
    """
    end, k = None, j
    while k < len(ctx.pieces) and k - j < 5 and ctx.pieces[k].line == ctx.pieces[j].line:
        if k > j and re.search(r"[,.?!;]|—", ctx.text[ctx.pieces[k - 1].end : ctx.pieces[k].start]):
            break
        norm = ctx.norms[k]
        if k > j and (norm, ctx.norms[k + 1] if k + 1 < len(ctx.norms) else "") in (("add", "on"), ("top", "up")):
            return k + 1  # "the Spotify add-on"
        if norm in PRODUCT_TAILS or (norm in FEATURE_HEADS and (product_needed or k > j)):
            if k == j or (shape_only and norm in FEATURE_HEADS):
                return None  # "on a plan": no name
            return None if ctx.norms[k + 1 : k + 2] in (["code"], ["number"], ["id"]) else k
        if not _plan_word(ctx, k):
            break
        end, k = k, k + 1
    if end is None:
        return None
    if product_needed:
        capitals = sum(ctx.pieces[i].text[:1].isupper() for i in range(j, end))
        tier = ctx.pieces[end].kind != "word" or ctx.norms[end] in NUMBER_WORDS
        return end if capitals >= 2 and tier and end - j >= 2 else None
    named = any(ctx.pieces[i].text[:1].isupper() or ctx.pieces[i].kind != "word" for i in range(j, end + 1)) or end > j
    return end if named else None
