"""callvault: call-recording compliance processor (CPNI, consent, PCI redaction, vault)."""

__version__ = "0.1.0"
# Bumped whenever a stage changes its output, so finished recordings are redone.
PIPELINE_VERSION = "1"
