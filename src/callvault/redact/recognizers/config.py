"""Technical configuration of the customer's service (CPNI "type/configuration", 47 U.S.C. 222(h)(1)).

Three shapes:

- digits that identify the service's technical set-up: a forwarding target,
  the SIM, IMEI or ICCID ("SIM ending 8921", "forwarding to 555-0100");
- a feature and its state: "Wi-Fi calling is turned off", "roaming is on";
- a control put on the account: a noun phrase headed by a control noun
  (block, cap, alert, limit, lock, freeze, filter, restriction; a port-out
  or transfer PIN) with its modifiers ("international call block", "ten gig
  cap", "port out PIN") and an optional setting ("set at 500 minutes"), in a
  frame that sets or describes it on the account: a setting verb before it
  ("put", "add", "set", "turned on"), a state after it ("is set", "is on
  his line", "can be ..."). A bare head needs a target ("a block on that
  number"). Questions and offers ("want me to add a cap?") are not yet
  configuration. The PIN's digits are the secret recognizer's: the phrase
  here ends before them.
"""

from __future__ import annotations

import re
from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.expressions import values_of
from callvault.redact.recognizers.base import Match, SpokenRecognizer, candidates, run_matches

CONTROL_HEADS = frozenset({
    "block", "blocks", "blocker", "cap", "caps", "alert", "alerts", "limit", "limits", "lock", "freeze", "filter",
    "filters", "restriction", "restrictions", "barring", "screening", "controls", "forwarding", "saver",
})
# A control is the phone service's when a word of the phrase says so ("usage cap", "roaming block", "on that line").
SERVICE_WORDS = frozenset({
    "call", "calls", "calling", "international", "roaming", "data", "usage", "text", "texts", "texting", "messaging",
    "sms", "mms", "premium", "port", "porting", "transfer", "number", "numbers", "sim", "esim", "voicemail", "hotspot",
    "gig", "gigs", "gb", "minute", "minutes", "overage", "line", "lines", "spam", "scam", "robocall", "robocalls",
    "collect", "distance",
    "caller", "wifi", "wi", "fi", "streaming", "video", "device", "phone", "cellular", "network",
})
# A PIN or code is configuration only when it guards a number's transfer ("port out PIN"); else it is a secret.
CODE_HEADS = frozenset({"pin", "code", "passcode"})
TRANSFER_WORDS = frozenset({"port", "porting", "transfer", "out", "number"})
# Words that end a noun phrase on its left: determiners, pronouns, verbs, prepositions, conjunctions, fillers.
NP_BOUNDARY = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "his", "her", "your", "my", "our", "their", "its", "any", "some",
    "no", "every", "each", "another", "i", "you", "we", "he", "she", "it", "they", "me", "him", "us", "them", "i've",
    "i'll", "we'll", "we've", "you've", "is", "was", "are", "were", "be", "been", "can", "could", "will", "would",
    "should", "to", "for", "with", "at", "in", "from", "of", "by", "about", "if", "and", "or", "but", "so", "um", "uh",
    "on", "off", "up", "also", "just", "then", "there", "here", "it's", "that's", "there's", "done", "okay", "ok",
    "yes", "yeah", "sure", "alright", "now", "please", "want", "like", "get", "got", "have", "has", "had", "do", "did",
    "put", "add", "added", "set", "place", "placed", "turn", "turned", "remove", "removed", "lift", "lifted", "what",
    "which", "how", "when", "why", "where", "who", "not", "don't", "need", "needs", "know", "hit", "hitting",
})
SETTING_VERBS = frozenset({
    "put", "putting", "add", "added", "adding", "set", "setting", "place", "placed", "placing", "activate",
    "activated", "enable", "enabled", "remove", "removed", "lift", "lifted", "lower", "lowered", "raise", "raised",
    "change", "changed", "reset", "update", "updated", "create", "created", "apply", "applied", "install", "installed",
    "turn", "turned", "switch", "switched",
})
LINKS = frozenset({"is", "was", "are", "has", "been", "now", "currently", "can", "will", "be", "should", "all", "'s", "already"})
STATES = frozenset({"set", "on", "active", "enabled", "live", "off", "removed", "lifted", "added", "placed", "in", "up", "applied", "activated"})
TARGETS = frozenset({"line", "lines", "number", "numbers", "account", "phone", "device", "plan"})
TARGET_OWNERS = frozenset({"the", "that", "this", "his", "her", "your", "my", "their", "our", "each", "every", "both"})
MAX_MODIFIERS = 3
OBJECT_LEADS = frozenset({"the", "that", "this", "my", "your", "his", "her", "their", "our", "a", "an", "it", "there"})
FINANCE_WORDS = frozenset({"card", "credit", "debit", "fraud", "bank", "transaction", "withdrawal", "atm", "spending", "purchase", "balance", "dollar", "dollars"})
SWITCH_VERBS = frozenset({"turn", "turned", "turning", "switch", "switched", "set", "setting"})
SETTING_STATES = frozenset({
    "enabled", "disabled", "activated", "deactivated", "enable", "disable", "activate", "deactivate", "blocked", "unblocked",
    "reset", "changed", "swapped", "transferred", "replaced",
})


def _stops_between(ctx: Context, a: int, b: int) -> bool:
    """Punctuation or a turn change between pieces a and b ends a phrase."""
    return bool(re.search(r"[,.?!;:]", ctx.text[ctx.pieces[a].end : ctx.pieces[b].start])) or ctx.pieces[a].line != ctx.pieces[b].line


class TechConfigRecognizer(SpokenRecognizer):
    """Technical configuration: forwarding targets, SIM/IMEI digits, feature settings, controls on the account."""

    ENTITY = "TECH_CONFIG"
    NUMBER_CUES = Phrases((
        "forwarding to", "forwarded to", "forwarding", "forward to", "forwards to", "sim ending", "sim ending in",
        "sim", "sim card", "imei", "iccid", "meid", "esim", "device id", "serial number",
    ))
    FEATURES = Phrases((
        "wi-fi calling", "wifi calling", "volte", "hd voice", "call forwarding", "voicemail pin", "voicemail password",
        "international roaming", "data roaming", "roaming", "caller id blocking", "number lock", "sim lock",
        "port out pin", "esim", "voicemail", "sim", "sim card",
    ))
    FEATURE_LINKS = frozenset({"is", "was", "has", "been", "got", "turned", "switched", "set", "now", "currently", "be", "get"})
    FEATURE_STATES = frozenset({
        "on", "off", "enabled", "disabled", "blocked", "active", "inactive", "reset", "locked", "unlocked",
        "changed", "swapped", "activated", "deactivated", "suspended",
    })

    def find(self, ctx: Context) -> Iterator[Match]:
        for run in candidates(ctx):
            if len(run.digits) >= 4:
                cue = ctx.cue_before(run.first, self.NUMBER_CUES, 6)
                if cue:
                    yield from run_matches(run, 0.65 + 0.3 * proximity(cue, 6), "spoken-number", "config-digits", cue.phrase)
        for first, last, phrase in ctx.find(self.FEATURES):
            j, links = last + 1, 0
            while j < len(ctx.pieces) and ctx.norms[j] in self.FEATURE_LINKS and links < 3 and not _stops_between(ctx, j - 1, j):
                j, links = j + 1, links + 1
            if j < len(ctx.pieces) and ctx.norms[j] in self.FEATURE_STATES and not _stops_between(ctx, j - 1, j):
                if ctx.norms[j] in ("on", "off") and j + 1 < len(ctx.pieces) and ctx.norms[j + 1] in OBJECT_LEADS and not _stops_between(ctx, j, j + 1):
                    continue  # "roaming on my bill": a preposition, not a state
                yield Match(ctx.pieces[first].start, ctx.pieces[j].end, 0.7, "lexicon", "feature-state", (phrase,))
        yield from self._features_set(ctx)
        yield from _controls(ctx)

    def _features_set(self, ctx: Context) -> Iterator[Match]:
        """A feature after its setting verb: "I've turned on Wi-Fi calling", "we disabled data roaming"."""
        for first, last, phrase in ctx.find(self.FEATURES):
            k = first - 1
            if k >= 0 and ctx.norms[k] in ("the", "your", "his", "her", "their", "my"):
                k -= 1
            if k >= 0 and ctx.norms[k] in ("on", "off", "up") and not _stops_between(ctx, k, k + 1):
                k -= 1
                verbs = SWITCH_VERBS
            else:
                verbs = SETTING_STATES
            if k >= 0 and ctx.norms[k] in verbs and not _stops_between(ctx, k, k + 1) and not _question(ctx, first):
                yield Match(ctx.pieces[first].start, ctx.pieces[last].end, 0.7, "lexicon", "feature-set", (ctx.norms[k],))


def _controls(ctx: Context) -> Iterator[Match]:
    """Controls put on the account: "<modifiers> <control noun> [set at <quantity>]" in a setting frame."""
    quantities = None
    for head, norm in enumerate(ctx.norms):
        if norm not in CONTROL_HEADS and norm not in CODE_HEADS:
            continue
        first = _modifiers_start(ctx, head)
        modifiers = ctx.norms[first:head]
        target = _target_after(ctx, head)
        if norm in CODE_HEADS and not TRANSFER_WORDS.intersection(modifiers[-2:]):
            continue  # an account PIN is a secret, not configuration
        if FINANCE_WORDS.intersection(modifiers):
            continue  # a card lock or a fraud alert is a bank's, not the phone service's
        if target is None and not _service_phrase(ctx, first, head):
            continue  # "a refill alert", "a credit freeze": not the phone service's
        if _question(ctx, head) or _conditional(ctx, head):
            continue
        if not modifiers and target is None:
            continue  # "the block is on", "block it": a bare noun or a verb
        why = _setting_before(ctx, first) or _state_after(ctx, head) or (target is not None and _state_after(ctx, target))
        if not why and modifiers and target is not None:
            why = "on-target"  # "there's a roaming block on that line"
        if not why:
            continue
        end = head
        if not modifiers:
            end = target
        if why == "set-at" or ctx.norms[head + 1 : head + 2] == ["of"]:
            quantities = quantities if quantities is not None else [(v.first, v.last, v.unit) for v in values_of(ctx, "quantity")]
            end = next((b for a, b, _ in quantities if head + 2 <= a <= head + 3), end)  # "set at 500 minutes", "of 10 gigs"
        yield Match(ctx.pieces[first].start, ctx.pieces[end].end, 0.85, "lexicon", f"control-{why}", (norm,))


def _modifiers_start(ctx: Context, head: int) -> int:
    """First piece of the head's modifiers: up to three words or numbers, not across punctuation."""
    first = head
    while first > 0 and head - first < MAX_MODIFIERS and not _stops_between(ctx, first - 1, first):
        if ctx.norms[first - 1] in NP_BOUNDARY:
            break
        first -= 1
    return first


def _service_phrase(ctx: Context, first: int, head: int) -> bool:
    """The modifiers name the phone service, or are a number block or quantity ("900 block", "10 gig cap")."""
    modifiers = range(first, head)
    numbers = [i for i in modifiers if i in ctx.number_pieces or ctx.pieces[i].kind != "word" or _number_word(ctx.norms[i])]
    return bool(SERVICE_WORDS.intersection(ctx.norms[first:head])) or (bool(numbers) and len(numbers) == len(modifiers))


def _number_word(norm: str) -> bool:
    from callvault.redact.spoken import DIGIT_WORDS, TEENS, TENS

    return norm in DIGIT_WORDS or norm in TEENS or norm in TENS or norm in ("hundred", "thousand")


def _conditional(ctx: Context, index: int) -> bool:
    """An "if" earlier in the sentence: "if you ever want a cap" offers, it does not set."""
    sentence = ctx.sentence_pieces(index)
    return any(ctx.norms[i] == "if" for i in sentence if index - 8 <= i < index)


def _question(ctx: Context, index: int) -> bool:
    """The sentence asks: it ends with "?" (an offer or a request is not yet a setting)."""
    sentence = ctx.sentence_pieces(index)
    return ctx.text[ctx.pieces[sentence[-1]].end : ctx.pieces[sentence[-1]].end + 1] == "?"


def _target_after(ctx: Context, head: int) -> int | None:
    """Last piece of what the control is on: "on that number", "on his line", "for premium numbers"."""
    j = head + 1
    if j >= len(ctx.pieces) or ctx.norms[j] not in ("on", "for", "against") or _stops_between(ctx, head, j):
        return None
    k = j + 1
    while k < len(ctx.pieces) and k - j <= 3 and ctx.norms[k] not in NP_BOUNDARY and not _stops_between(ctx, k - 1, k):
        if ctx.norms[k] in SERVICE_WORDS and (k + 1 >= len(ctx.pieces) or ctx.norms[k + 1] not in SERVICE_WORDS or _stops_between(ctx, k, k + 1)):
            return k  # "a block on international calls", "a cap for data"
        k += 1
    if ctx.norms[j] != "on":
        return None
    k = j + 1
    if k < len(ctx.pieces) and (ctx.norms[k] in TARGET_OWNERS or ctx.norms[k].endswith("'s")) and not _stops_between(ctx, j, k):
        k += 1
        while k < len(ctx.pieces) and k - j <= 3 and ctx.norms[k] not in TARGETS and ctx.pieces[k].kind == "word" and not _stops_between(ctx, k - 1, k):
            k += 1
        if k < len(ctx.pieces) and ctx.norms[k] in TARGETS and not _stops_between(ctx, k - 1, k):
            return k
    return None


def _setting_before(ctx: Context, first: int) -> str | None:
    """A setting verb just before the phrase: "put a ...", "I've added an ...", "set a ...", "turned on the ..."."""
    k = first - 1
    while k >= 0 and ctx.norms[k] in ("a", "an", "the", "that", "this", "his", "her", "your", "my", "their", "on", "up", "also", "now", "just", "already") and first - k <= 4:
        if _stops_between(ctx, k, k + 1):
            return None
        k -= 1
    if k >= 0 and ctx.norms[k] in SETTING_VERBS and not _stops_between(ctx, k, k + 1):
        return "verb"
    return None


def _state_after(ctx: Context, head: int) -> str | None:
    """A state after the phrase: "is set", "is on his line", "can be ...", "set at 500 minutes"."""
    j = head + 1
    if j + 1 < len(ctx.pieces) and ctx.norms[j] == "set" and ctx.norms[j + 1] in ("at", "to") and not _stops_between(ctx, head, j):
        return "set-at"
    links = 0
    while j < len(ctx.pieces) and ctx.norms[j] in LINKS and links < 3 and not _stops_between(ctx, j - 1, j):
        j, links = j + 1, links + 1
    if not links or j >= len(ctx.pieces) or _stops_between(ctx, j - 1, j):
        return None
    if ctx.norms[j] in STATES or (ctx.norms[j - 1] in ("be", "is", "now") and (j in ctx.number_pieces or ctx.pieces[j].kind != "word")):
        return "state"
    return None
