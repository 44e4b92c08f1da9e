"""`callvault process PATH...`: recordings in, transcripts (and more) out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from callvault.cli.app import app_config, cli


def _build_pipeline(config, *, model, device, cpu_threads, beam_size, language, agent_channel):
    from callvault.pipeline import Pipeline
    from callvault.transcribe.asr import AsrOptions, WhisperAsr
    from callvault.transcribe.stage import TurnOptions

    table = dict(config.table("transcribe"))
    asr_options = AsrOptions(
        model=model or table.get("model", AsrOptions.model),
        device=device or table.get("device", "auto"),
        compute_type=table.get("compute_type", "auto"),
        cpu_threads=cpu_threads if cpu_threads is not None else int(table.get("cpu_threads", 0)),
        beam_size=beam_size if beam_size is not None else int(table.get("beam_size", 5)),
        language=language or table.get("language", "en"),
    )
    return Pipeline(
        data_dir=config.data_dir,
        asr_factory=lambda: WhisperAsr(asr_options),
        turn_options=TurnOptions(agent_channel=agent_channel),
    )


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--model", default=None, help="faster-whisper model name or local CTranslate2 folder [default: bundled tiny.en].")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default=None, help="Where to run speech recognition [default: auto].")
@click.option("--cpu-threads", type=click.IntRange(min=0), default=None, help="CPU threads for CTranslate2 (0 = its default).")
@click.option("--beam-size", type=click.IntRange(min=1), default=None, help="Beam size for decoding [default: 5].")
@click.option("--language", default=None, help="Spoken language code [default: en].")
@click.option("--agent-channel", type=click.IntRange(0, 1), default=None, help="Stereo channel that carries the agent (overrides metadata).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or per-file lines.")
@click.pass_context
def process(ctx, paths, model, device, cpu_threads, beam_size, language, agent_channel, as_json, quiet):
    """Transcribe call recordings (files or folders) into the data folder.

    Per recording it writes transcript.json, transcript.txt and
    transcript.vtt under DATA_DIR/calls/. A bad file is reported and the
    batch goes on; the exit code is 1 when any recording failed.
    """
    from callvault.recorder.intake import iter_recording_paths

    config = app_config(ctx)
    pipeline = _build_pipeline(
        config, model=model, device=device, cpu_threads=cpu_threads,
        beam_size=beam_size, language=language, agent_channel=agent_channel,
    )
    files = list(iter_recording_paths(paths))
    if not files:
        raise click.UsageError("no recordings found in the given paths")
    results = []
    show_bar = not quiet and len(files) > 1 and not as_json
    from rich.progress import Progress

    with Progress(transient=True, disable=not show_bar, console=_stderr_console()) as progress:
        task = progress.add_task("processing", total=len(files))
        for path in files:
            progress.update(task, description=f"{path.name}")
            result = pipeline.process_path(path)
            results.append(result)
            progress.advance(task)
            if not quiet and not as_json:
                if result.status == "done":
                    click.echo(f"done    {path} -> {result.output_dir}", err=True)
                else:
                    click.echo(f"FAILED  {path}: {result.error}", err=True)
    failed = [r for r in results if r.status == "failed"]
    summary = {
        "data_dir": str(config.data_dir),
        "processed": sum(r.status == "done" for r in results),
        "failed": len(failed),
        "audio_seconds": round(sum(r.audio_seconds for r in results), 3),
        "wall_seconds": round(sum(r.wall_seconds for r in results), 3),
        "results": [r.to_dict() for r in results],
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    elif not quiet:
        click.echo(f"{summary['processed']} processed, {summary['failed']} failed; outputs in {config.data_dir}/calls", err=True)
        for r in failed:
            click.echo(f"  failed: {r.source}: {r.error}", err=True)
    if failed:
        ctx.exit(1)


def _stderr_console():
    from rich.console import Console

    return Console(file=sys.stderr)
