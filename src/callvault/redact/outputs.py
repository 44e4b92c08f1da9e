"""Writing one call's redacted outputs: transcript JSON/text/VTT and findings JSON, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from callvault.formats import transcript_to_dict, transcript_to_text, transcript_to_vtt
from callvault.fsutil import atomic_write_json, atomic_write_text
from callvault.models import Finding, Transcript
from callvault.redact.apply import findings_to_dicts, redact_transcript
from callvault.redact.audio import pci_scrub_spans
from callvault.redact.policy import RedactionPolicy


def write_redacted(out_dir: str | Path, transcript: Transcript, findings: Sequence[Finding], policy: RedactionPolicy) -> dict[str, Path]:
    """Redact ``transcript`` and write transcript.json|txt|vtt and findings.json into ``out_dir``.

    Only redacted text is written; the unredacted transcript stays in memory.
    """
    out_dir = Path(out_dir)
    redacted = redact_transcript(transcript, findings, policy)
    scrub = pci_scrub_spans(findings, policy)
    findings_doc = {
        "recording_id": transcript.recording_id,
        "policy": policy.describe(),
        "warnings": list(policy.warnings),
        "pci_scrub": [{"start": round(s.start, 3), "end": round(s.end, 3)} for s in scrub],
        "findings": findings_to_dicts(findings, policy),
    }
    return {
        "transcript.json": atomic_write_json(out_dir / "transcript.json", transcript_to_dict(redacted)),
        "transcript.txt": atomic_write_text(out_dir / "transcript.txt", transcript_to_text(redacted)),
        "transcript.vtt": atomic_write_text(out_dir / "transcript.vtt", transcript_to_vtt(redacted)),
        "findings.json": atomic_write_json(out_dir / "findings.json", findings_doc),
    }
