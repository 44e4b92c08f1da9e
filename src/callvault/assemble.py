"""Building a Pipeline from the config file and flags: the one place components are chosen.

Picklable (a frozen options record in, a Pipeline out) so every worker
process or Ray actor assembles its own models and connections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from callvault.config import AppConfig
from callvault.pipeline import Pipeline
from callvault.transcribe.stage import TurnOptions


@dataclass(frozen=True)
class RunOptions:
    """Flags that beat the config file; None means "as configured"."""

    model: str | None = None
    device: str | None = None
    cpu_threads: int | None = None
    beam_size: int | None = None
    language: str | None = None
    agent_channel: int | None = None
    diarizer: str | None = None  # mono recordings: embedded | pyannote | single
    diarization_model: str | None = None
    diarization_token: str | None = field(default=None, repr=False)  # read from the environment by the CLI
    num_speakers: int | None = None
    batch_size: int | None = None
    vault_overrides: Mapping[str, Any] = field(default_factory=dict)


def asr_options(config: AppConfig, run: RunOptions):
    from callvault.transcribe.asr import AsrOptions

    table = dict(config.table("transcribe"))
    return AsrOptions(
        model=run.model or table.get("model", AsrOptions.model),
        device=run.device or table.get("device", "auto"),
        compute_type=table.get("compute_type", "auto"),
        cpu_threads=run.cpu_threads if run.cpu_threads is not None else int(table.get("cpu_threads", 0)),
        beam_size=run.beam_size if run.beam_size is not None else int(table.get("beam_size", 5)),
        language=run.language or table.get("language", "en"),
        batch_size=run.batch_size if run.batch_size is not None else config_batch_size(table.get("batch_size")),
        timestamp_tokens=bool(table.get("timestamp_tokens", True)),
        lanes=config_lanes(table.get("lanes")),
    )


def config_batch_size(value) -> int | None:
    """``[transcribe] batch_size``: absent or "auto" = chosen from the device, 0 = sequential, N = N."""
    return _config_count(value, "batch_size", 0, '"auto", 0 (sequential) or a positive number')


def config_lanes(value) -> int | None:
    """``[transcribe] lanes``: absent or "auto" = one per CPU thread, N = the CPU threads split N ways."""
    return _config_count(value, "lanes", 1, '"auto" or a positive number')


def _config_count(value, key: str, minimum: int, allowed: str) -> int | None:
    from callvault.models.errors import ConfigError

    if value is None or value == "auto":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"[transcribe] {key} must be {allowed}, not {value!r}")
    return value


def default_diarizer() -> str:
    """``embedded`` when its extra is installed, else ``single`` (mono calls get one speaker)."""
    from importlib.util import find_spec

    return "embedded" if find_spec("resemblyzer") and find_spec("torch") else "single"


def build_pipeline(config: AppConfig, run: RunOptions = RunOptions()) -> Pipeline:
    from callvault.compliance import ComplianceOptions
    from callvault.recorder.intake import IntakeLimits
    from callvault.redact import RedactionPolicy
    from callvault.retention import CallFacts, expiry_for, policy_in_force

    options = asr_options(config, run)  # validated now: a bad flag fails before any file
    redaction = RedactionPolicy.from_table(config.table("redact"))
    compliance = ComplianceOptions.from_table(config.table("compliance"))
    retention = policy_in_force(config)  # a bad policy fails before any file
    intake = IntakeLimits.from_table(config.table("intake"))

    def expiry(recording, analysis, kind, stored_at):
        facts = CallFacts.of(recording.metadata, analysis.events, analysis.rules)
        return expiry_for(retention, facts, kind, stored_at)

    diarize_table = dict(config.table("diarize"))
    diarizer_name = run.diarizer or diarize_table.get("diarizer") or default_diarizer()
    diarizer_model = run.diarization_model or diarize_table.get("model")
    speakers = run.num_speakers or int(diarize_table.get("num_speakers", 2))

    def diarizer():
        from callvault.transcribe.diarizers import make_diarizer

        device = options.device if options.device != "auto" else "auto"
        return make_diarizer(diarizer_name, model=diarizer_model, device=device, token=run.diarization_token)

    def asr():
        from callvault.transcribe.asr import WhisperAsr

        return WhisperAsr(options)

    def detector():
        from callvault.redact import Detector

        return Detector(min_score=redaction.min_score)

    def vault():
        from callvault.vault import open_vault

        return open_vault(config, **dict(run.vault_overrides))

    def catalog():
        from callvault.catalog import Catalog

        return Catalog.in_data_dir(config.data_dir)

    return Pipeline(
        data_dir=config.data_dir,
        asr_factory=asr,
        detector_factory=detector,
        vault_factory=vault,
        catalog_factory=catalog,
        redaction=redaction,
        compliance=compliance,
        diarizer_factory=diarizer,
        turn_options=TurnOptions(agent_channel=run.agent_channel, num_speakers=speakers),
        expiry=expiry,
        intake=intake,
    )
