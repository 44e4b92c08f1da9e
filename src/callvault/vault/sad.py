"""What the vault may hold of a call's text: the full transcript without sensitive authentication data.

PCI DSS 3.3.1 forbids keeping sensitive authentication data (the card
security code, PINs and other secrets said to authenticate) after
authorisation, even encrypted. The stored original has those spans silenced
(``pci_scrub_spans``); the sealed full transcript has their words replaced by
a placeholder, whatever ``[redact] pci_scrub`` says, because no review needs
the text of a CVV. Everything else (names, the card number, which PCI DSS 3.5
lets us keep encrypted) stays, so an authorised restore still shows what was
said.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from callvault.models import Finding, Transcript

# Always scrubbed, whatever the policy lists in scrub_entities.
SAD_ENTITIES = frozenset({"CVV", "AUTH_SECRET"})


def sad_entities(scrub_entities: Iterable[str] = ()) -> frozenset[str]:
    return SAD_ENTITIES | {e.upper() for e in scrub_entities}


def scrub_sad(transcript: Transcript, findings: Iterable[Finding], scrub_entities: Iterable[str] = ()) -> Transcript:
    """``transcript`` with every SAD finding's words replaced by ``[ENTITY]``; nothing else changed."""
    from callvault.redact import DEFAULT_POLICY, redact_transcript

    wanted = sad_entities(scrub_entities)
    sad = [f for f in findings if f.entity in wanted]
    # The default policy redacts CVV and AUTH_SECRET (they can never be kept or masked);
    # passing only the SAD findings leaves every other word as it was said.
    scrubbed = redact_transcript(transcript, sad, DEFAULT_POLICY)
    provenance = dict(transcript.provenance)
    provenance["redaction"] = {"redacted": False, "sad_scrubbed": len(sad), "entities": sorted(wanted), "why": "PCI DSS 3.3.1"}
    return dataclasses.replace(scrubbed, provenance=provenance)
