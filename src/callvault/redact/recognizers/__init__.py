"""Our presidio recognizers, one class per entity, and the registry that holds them.

Importing this package imports presidio; only the Detector does, so
``callvault --help`` stays fast.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerRegistry
from presidio_analyzer.predefined_recognizers import EmailRecognizer, SpacyRecognizer

from callvault.redact.recognizers.account import BillAmountRecognizer, ServicePlanRecognizer, UsageQuantityRecognizer
from callvault.redact.recognizers.base import CATEGORY, SpokenRecognizer, TextReader
from callvault.redact.recognizers.calldetail import CallDurationRecognizer, CallTimeRecognizer
from callvault.redact.recognizers.config import TechConfigRecognizer
from callvault.redact.recognizers.numbers import (
    AccountNumberRecognizer,
    CallNumberRecognizer,
    CvvRecognizer,
    ExpiryRecognizer,
    PanRecognizer,
    PhoneNumberRecognizer,
    SsnRecognizer,
)
from callvault.redact.recognizers.names import SpelledNameRecognizer, SpokenNameRecognizer, StreetAddressRecognizer
from callvault.redact.recognizers.places import CallLocationRecognizer, HomePlaceRecognizer
from callvault.redact.recognizers.secrets import AuthSecretRecognizer, BiographicalRecognizer

SPOKEN_RECOGNIZERS: tuple[type[SpokenRecognizer], ...] = (
    CallNumberRecognizer, CallTimeRecognizer, CallDurationRecognizer, CallLocationRecognizer,
    BillAmountRecognizer, ServicePlanRecognizer, UsageQuantityRecognizer, TechConfigRecognizer,
    AccountNumberRecognizer, AuthSecretRecognizer, BiographicalRecognizer, PanRecognizer, CvvRecognizer,
    ExpiryRecognizer, SsnRecognizer, PhoneNumberRecognizer, SpelledNameRecognizer, SpokenNameRecognizer,
    StreetAddressRecognizer, HomePlaceRecognizer,
)
# spaCy's place names (GPE/LOC) are cities and countries, not the street addresses LOCATION means here.
NER_ENTITIES = ("PERSON",)


class OfflineEmailRecognizer(EmailRecognizer):
    """presidio's email pattern plus spoken addresses ("jo dot smith at gmail dot com").

    presidio validates the domain with tldextract, whose default downloads the
    public suffix list; here it reads only the snapshot bundled with the
    package and keeps no cache.
    """

    SPOKEN = r"\b[a-z0-9]+(?:\s+dot\s+[a-z0-9]+)*\s+at\s+[a-z0-9]+(?:\s+dot\s+[a-z]{2,6})+\b"

    def __init__(self):
        import tldextract
        from presidio_analyzer import Pattern

        self._extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
        patterns = [*self.PATTERNS, Pattern("Email (spoken)", self.SPOKEN, 0.6)]
        super().__init__(patterns=patterns, name="EmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        written = re.sub(r"\s+dot\s+", ".", pattern_text.lower())
        written = re.sub(r"\s+at\s+", "@", written)
        return self._extract(written.split("@")[-1]).fqdn != ""


class PersonNerRecognizer(SpacyRecognizer):
    """spaCy's PERSON spans, less the ones that are a business ("Pinecrest Wireless") or a stray word ("Perfect")."""

    def analyze(self, text, entities, nlp_artifacts=None):
        from callvault.redact.recognizers.names import BUSINESS_WORDS, NOT_A_NAME

        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            words = [w.lower().strip(".,") for w in text[result.start : result.end].split()]
            if any(w in BUSINESS_WORDS for w in words) or (len(words) == 1 and words[0] in NOT_A_NAME):
                continue
            kept.append(result)
        return kept


def build_registry(reader: TextReader) -> RecognizerRegistry:
    """A registry with only our recognizers and the NER one: nothing loaded from presidio's defaults."""
    recognizers = [cls(reader) for cls in SPOKEN_RECOGNIZERS]
    recognizers.append(PersonNerRecognizer(supported_entities=list(NER_ENTITIES), name="SpacyRecognizer"))
    recognizers.append(OfflineEmailRecognizer())
    return RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])


ENTITIES = tuple(dict.fromkeys([*(cls.ENTITY for cls in SPOKEN_RECOGNIZERS), *NER_ENTITIES, "EMAIL_ADDRESS"]))

__all__ = ["CATEGORY", "ENTITIES", "SPOKEN_RECOGNIZERS", "TextReader", "build_registry", "OfflineEmailRecognizer"]
