"""Technical configuration of the customer's service: forwarding targets, SIM/IMEI digits, feature settings."""

from __future__ import annotations

from typing import Iterator

from callvault.redact.context import Context, Phrases, proximity
from callvault.redact.recognizers.base import Match, SpokenRecognizer, candidates, run_matches
from callvault.redact.recognizers.secrets import _stops_between


class TechConfigRecognizer(SpokenRecognizer):
    """Technical configuration: forwarding targets, SIM/IMEI digits, feature settings."""

    ENTITY = "TECH_CONFIG"
    NUMBER_CUES = Phrases((
        "forwarding to", "forwarded to", "forwarding", "forward to", "forwards to", "sim ending", "sim ending in",
        "sim", "sim card", "imei", "iccid", "meid", "esim", "device id", "serial number",
    ))
    FEATURES = Phrases((
        "wi-fi calling", "wifi calling", "volte", "hd voice", "call forwarding", "voicemail pin", "voicemail password",
        "international roaming", "data roaming", "roaming", "caller id blocking", "number lock", "sim lock",
        "port out pin", "esim", "voicemail",
    ))
    LINKS = frozenset({"is", "was", "has", "been", "got", "turned", "switched", "set", "now", "currently", "be", "get"})
    STATES = frozenset({
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
            while j < len(ctx.pieces) and ctx.norms[j] in self.LINKS and links < 3 and not _stops_between(ctx, j - 1, j):
                j, links = j + 1, links + 1
            if j < len(ctx.pieces) and ctx.norms[j] in self.STATES and not _stops_between(ctx, j - 1, j):
                yield Match(ctx.pieces[first].start, ctx.pieces[j].end, 0.7, "lexicon", "feature-state", (phrase,))
