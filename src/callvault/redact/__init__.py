"""Find CPNI, PII and card data spoken in a call, and write redacted transcripts and audio.

Public API (presidio and spaCy load only when a Detector is built):

- ``Detector().detect(transcript) -> list[Finding]``
- ``redact_transcript(transcript, findings, policy) -> Transcript``
- ``findings_to_dicts(findings, policy)``, ``redaction_spans(findings, policy)``
- ``redact_audio(channels, sample_rate, spans, mode, margin)``, ``pci_scrub_spans(findings, policy)``
- ``RedactionPolicy.from_table(config.table("redact"))``
- ``leakscan.scan_tree(folder, values)``
"""

from callvault.redact.apply import findings_to_dicts, placeholder, redact_transcript, redaction_spans
from callvault.redact.audio import pci_scrub_spans, redact_audio
from callvault.redact.policy import DEFAULT_POLICY, RedactionPolicy


def __getattr__(name):
    # The Detector imports presidio and spaCy; keep `import callvault.redact` light.
    if name in ("Detector", "load_spacy"):
        from callvault.redact import detect

        return getattr(detect, name)
    raise AttributeError(name)


__all__ = [
    "DEFAULT_POLICY",
    "Detector",
    "RedactionPolicy",
    "findings_to_dicts",
    "load_spacy",
    "pci_scrub_spans",
    "placeholder",
    "redact_audio",
    "redact_transcript",
    "redaction_spans",
]
