"""`callvault redact TRANSCRIPT.json`: re-run detection and redaction on a transcript."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from callvault.cli.app import app_config, cli
from callvault.models import InputError


@cli.command()
@click.argument("transcript_path", metavar="TRANSCRIPT.json", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Folder for the redacted outputs (default: next to TRANSCRIPT.json, replacing it).")
@click.pass_context
def redact(ctx: click.Context, transcript_path: str, out_dir: str | None) -> None:
    """Detect CPNI, PII and card data in an (unredacted) transcript and write redacted outputs.

    Writes transcript.json, transcript.txt, transcript.vtt and findings.json.
    Give it a restored or private copy of the full transcript: the data
    folder only ever holds redacted ones.
    """
    from callvault.formats import transcript_from_dict
    from callvault.redact.detect import Detector
    from callvault.redact.outputs import write_redacted
    from callvault.redact.policy import RedactionPolicy

    policy = RedactionPolicy.from_table(app_config(ctx).table("redact"))
    for warning in policy.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    path = Path(transcript_path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(path, f"cannot read the transcript JSON ({type(exc).__name__}); pass a transcript.json written by callvault") from None
    transcript = transcript_from_dict(doc, source=str(path))
    findings = Detector(min_score=policy.min_score).detect(transcript)
    written = write_redacted(Path(out_dir) if out_dir else path.parent, transcript, findings, policy)
    counts = Counter(f.entity for f in findings)
    summary = ", ".join(f"{entity} {n}" for entity, n in sorted(counts.items())) or "nothing found"
    click.echo(f"{len(findings)} finding(s): {summary}")
    for name, target in written.items():
        click.echo(f"wrote {target}")
