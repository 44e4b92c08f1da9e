"""`callvault process SOURCE...`: recordings in; redacted, checked, vaulted and catalogued out."""

from __future__ import annotations

import json
import os
import sys

import click

from callvault.cli.app import app_config, cli, parse_moment


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--model", default=None, help="faster-whisper model name or local CTranslate2 folder [default: bundled tiny.en].")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None, help="Where to run speech recognition [default: auto].")
@click.option("--cpu-threads", type=click.IntRange(min=0), default=None, help="CPU threads per worker for CTranslate2 (0 = its default).")
@click.option("--beam-size", type=click.IntRange(min=1), default=None, help="Beam size for decoding [default: 5].")
@click.option("--batch-size", type=click.IntRange(min=0), default=None, help="Speech chunks (both channels') decoded at once; 0 = faster-whisper's sequential decoder [default: from the device: 4 per CPU thread, up to 64, shared out among one-thread lanes; on CUDA from free GPU memory].")
@click.option("--language", default=None, help="Spoken language code [default: en].")
@click.option("--agent-channel", type=click.IntRange(0, 1), default=None, help="Stereo channel that carries the agent (overrides metadata).")
@click.option("--diarizer", type=click.Choice(["embedded", "pyannote", "single"]), default=None, help="Who spoke when in mono recordings [default: embedded, offline].")
@click.option("--diarization-model", default=None, help="pyannote pipeline: a local folder, or a hub id (token from HF_TOKEN).")
@click.option("--speakers", "num_speakers", type=click.IntRange(1, 8), default=None, help="Speakers in a mono call [default: 2].")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes (or Ray actors), each loading models once.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True, help="Local process pool or a Ray cluster.")
@click.option("--address", default=None, help="Ray cluster address (with --executor ray); default starts a local one.")
@click.option("--reprocess", is_flag=True, help="Process recordings already done with this pipeline version again.")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Per-recording time limit in seconds.")
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True, help="Extra tries for transient errors (store, KMS, memory).")
@click.option("--include", multiple=True, help="Only files matching this glob (repeatable).")
@click.option("--exclude", multiple=True, help="Skip files matching this glob (repeatable).")
@click.option("--since", default=None, help="Only recordings from this date/time on (metadata started_at, else file time).")
@click.option("--until", default=None, help="Only recordings before this date/time.")
@click.option("--s3-endpoint", default=None, help="S3-compatible endpoint for s3:// sources and the vault.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Per-recording log lines on stderr; json lines carry no transcript text or raw values.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or per-file lines.")
@click.pass_context
def process(ctx, sources, model, device, cpu_threads, beam_size, batch_size, language, agent_channel, diarizer, diarization_model, num_speakers, workers, executor, address,
            reprocess, timeout, retries, include, exclude, since, until, s3_endpoint, as_json, log_format, quiet):
    """Transcribe, redact, check and vault call recordings.

    SOURCE is a recording file, a folder (searched recursively), an S3
    prefix (s3://bucket/prefix/) or a manifest (.csv or .jsonl with a path
    or uri column plus metadata columns). Per recording it writes the
    redacted transcript (json, txt, vtt), findings, consent events, rule
    results and redacted audio under DATA_DIR/calls/, seals the original
    (PCI-scrubbed) and the full transcript into the vault, and records the
    call in the catalog last. Recordings already done are skipped. A bad
    file is reported and the batch goes on.

    Exit codes: 0 all done, 1 some failed, 2 usage error.
    """
    from callvault.assemble import RunOptions
    from callvault.worker.runner import BatchOptions, run_batch
    from callvault.worker.sources import Selection, iter_items

    config = app_config(ctx)
    vault_overrides = {"s3_endpoint": s3_endpoint} if s3_endpoint else {}
    run = RunOptions(model=model, device=device, cpu_threads=cpu_threads, beam_size=beam_size, batch_size=batch_size, language=language,
                     agent_channel=agent_channel, diarizer=diarizer, diarization_model=diarization_model,
                     diarization_token=os.environ.get("HF_TOKEN"), num_speakers=num_speakers, vault_overrides=vault_overrides)
    batch = BatchOptions(workers=workers, reprocess=reprocess, timeout=timeout, retries=retries, executor=executor, address=address)
    selection = Selection(tuple(include), tuple(exclude), parse_moment(since, "--since"), parse_moment(until, "--until"))

    def s3_client():
        from callvault.worker.sources import s3_source_client

        return s3_source_client(config, vault_overrides)  # the workers download with the same one

    from callvault.redact import RedactionPolicy

    for warning in RedactionPolicy.from_table(config.table("redact")).warnings:
        click.echo(f"warning: {warning}", err=True)
    items = list(iter_items(sources, selection, s3_client))
    if not items:
        raise click.UsageError("no recordings found in the given sources")

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    counts = {"done": 0, "skipped": 0, "failed": 0}
    show_bar = not quiet and len(items) > 1 and not as_json
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, disable=not show_bar, console=_stderr_console()) as progress:
        task = progress.add_task("processing", total=len(items))

        def on_result(result):
            counts[result.status] = counts.get(result.status, 0) + 1
            progress.update(task, advance=1, description=f"done {counts['done']} skipped {counts['skipped']} failed {counts['failed']}")
            if log_format == "json":
                click.echo(json.dumps(_log_record(result)), err=True)
            elif not quiet and not as_json:
                label = {"done": "done   ", "skipped": "skipped", "failed": "FAILED "}[result.status]
                detail = result.output_dir if result.status == "done" else result.error
                click.echo(f"{label} {result.source}: {detail}", err=True)

        summary = run_batch(config, run, items, batch, on_result)
    doc = {"data_dir": str(config.data_dir), **summary.to_dict()}
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    elif not quiet:
        click.echo(
            f"{doc['processed']} processed, {doc['skipped']} skipped, {doc['failed']} failed; "
            f"{doc['audio_seconds']:.0f} s of audio in {doc['wall_seconds']:.0f} s; outputs in {config.data_dir}/calls",
            err=True,
        )
        for failure in doc["failures"]:
            click.echo(f"  failed: {failure['source']}: {failure['error']}", err=True)
    if summary.failed:
        ctx.exit(1)


def _log_record(result) -> dict:
    """A structured log line: identifiers, status, numbers; never transcript text."""
    return {
        "event": "recording",
        "status": result.status,
        "source": result.source,
        "recording_id": result.recording_id,
        "verdict": result.verdict,
        "error": result.error,
        "audio_seconds": result.audio_seconds,
        "wall_seconds": result.wall_seconds,
        "counts": dict(result.counts),
    }


def _stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr)
