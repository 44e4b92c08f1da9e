"""One recording through every stage, and a batch of them.

Stages are pure functions over records (transcribe/stage.py, analysis.py);
this module is the edge: it reads the file, runs the leak check over every
output and the metadata BEFORE anything is kept, writes the call folder
atomically, seals the original and the full transcript into the vault
straight from memory (no plaintext copy on disk, not even in a temp folder),
and records the call in the catalog LAST, in one transaction. A recording
without its catalog row is not done and is redone by the next run.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from callvault import PIPELINE_VERSION, __version__
from callvault.clock import Clock, system_clock
from callvault.formats import transcript_to_dict, transcript_to_text, transcript_to_vtt
from callvault.fsutil import DIR_MODE, FILE_MODE, exchange_paths, fsync_dir, json_bytes, private_dirs, replace_durably
from callvault.layout import call_dir, temp_dir
from callvault.models.errors import CallvaultError, ConfigError, InputError, ModelMissingError, StoreError
from callvault.models.recording import CallMetadata, Recording
from callvault.models.transcript import Transcript
from callvault.tempnames import tag
from callvault.recorder.decode import DecodedAudio, decode
from callvault.recorder.intake import IntakeLimits, take_in
from callvault.transcribe.diarize import MonoDiarizer, SingleSpeakerDiarizer
from callvault.transcribe.stage import TurnOptions, WordSource, transcribe_audio
from callvault.vault.sad import scrub_sad

# Decides each stored object's expiry: (recording, analysis, kind, stored_at) -> datetime or None.
ExpiryRule = Callable[[Recording, Any, str, datetime], "datetime | None"]


@dataclass(frozen=True)
class RecordingResult:
    source: str
    status: str  # done | failed | skipped
    recording_id: str | None = None
    call_id: str | None = None
    output_dir: str | None = None
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    error: str | None = None
    verdict: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {**self.__dict__, "counts": dict(self.counts)}


@dataclass(frozen=True)
class CallOutputs:
    """One recording's results, in memory and leak-checked: what keeping writes, seals and catalogues.

    Picklable, so a Ray worker hands it to the driver, which alone writes the
    data folder, the vault and the catalog.
    """

    recording: Recording
    analysis: Any  # analysis.CallAnalysis
    documents: Mapping[str, Any]  # call-folder file name -> content
    sealed: Mapping[str, bytes | str]  # vault kind -> plaintext bytes, or the path of an unscrubbed original
    stages: tuple[dict, ...]
    processed_at: str
    audio_seconds: float
    counts: Mapping[str, int]

    def portable(self) -> "CallOutputs":
        """The same outputs with the original's bytes in place of its path (the file may be on another host)."""
        sealed = {kind: Path(v).read_bytes() if isinstance(v, str) else v for kind, v in self.sealed.items()}
        return replace(self, sealed=sealed)


def _sealable(source: bytes | str) -> Any:
    return io.BytesIO(source) if isinstance(source, bytes) else Path(source)


@dataclass
class Pipeline:
    """Everything one process needs; each component is built on first use, once.

    Factories rather than instances, so a worker process (or a Ray actor)
    builds its own models, vault and catalog connection.
    """

    data_dir: Path
    asr_factory: Callable[[], WordSource]
    detector_factory: Callable[[], Any]
    vault_factory: Callable[[], Any]
    catalog_factory: Callable[[], Any]
    redaction: Any  # RedactionPolicy
    compliance: Any  # ComplianceOptions
    diarizer_factory: Callable[[], MonoDiarizer] = SingleSpeakerDiarizer
    turn_options: TurnOptions = TurnOptions()
    expiry: ExpiryRule | None = None
    clock: Clock = system_clock
    intake: IntakeLimits = IntakeLimits()
    _built: dict = field(default_factory=dict)
    _loading: dict = field(default_factory=dict)  # name -> Future of a component built in the background

    def _get(self, name: str, factory: Callable[[], Any]) -> Any:
        if name not in self._built:
            pending = self._loading.pop(name, None)
            self._built[name] = pending.result() if pending is not None else factory()
        return self._built[name]

    def prefetch(self) -> None:
        """Load the speech model, then the detector (spaCy, presidio), then the consent-event model, on another thread.

        The first file is fetched, hashed and decoded meanwhile; the model is
        needed first, the detector and the event model only once the first
        call is transcribed.
        """
        from concurrent.futures import ThreadPoolExecutor

        loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="callvault-prefetch")
        for name, factory in (("asr", self.asr_factory), ("detector", self.detector_factory), ("event_model", self._event_model)):
            if name not in self._built and name not in self._loading:
                self._loading[name] = loader.submit(factory)
        loader.shutdown(wait=False)

    def _event_model(self):
        from callvault.compliance.facts import event_model_for

        return event_model_for(self.compliance)

    @property
    def asr(self) -> WordSource:
        return self._get("asr", self.asr_factory)

    @property
    def detector(self):
        return self._get("detector", self.detector_factory)

    @property
    def vault(self):
        return self._get("vault", self.vault_factory)

    @property
    def catalog(self):
        return self._get("catalog", self.catalog_factory)

    @property
    def diarizer(self) -> MonoDiarizer:
        return self._get("diarizer", self.diarizer_factory)

    def close(self) -> None:
        for name in ("vault", "catalog"):
            component = self._built.pop(name, None)
            if component is not None:
                component.close()

    def process_path(
        self,
        path: Path,
        metadata: CallMetadata | None = None,
        *,
        recording: Recording | None = None,
        still_leased: Callable[[], None] = lambda: None,
    ) -> RecordingResult:
        """Process one file; a problem with this file becomes a failed result, not an exception.

        ``metadata`` (from a manifest) replaces the sidecar's; ``recording`` is
        the file already taken in by the caller, so its bytes are hashed once;
        ``still_leased`` raises when this worker no longer holds the
        recording's lease (checked before anything is kept and before the row).
        """
        def run() -> RecordingResult:
            taken = self.take_in(path, metadata, recording)
            refused = self.admit(taken)
            if refused:
                return RecordingResult(taken.source, "skipped", taken.id, taken.metadata.call_id, error=refused)
            return self.keep(self.analyse_path(path, taken, self.rule_context(taken)), still_leased)

        return self.guarded(path, recording, run)

    def take_in(self, path: Path, metadata: CallMetadata | None = None, recording: Recording | None = None) -> Recording:
        """``path`` as a Recording (hashed unless the caller already did); manifest metadata beats the sidecar's."""
        recording = recording or take_in(path, self.intake)
        return recording if metadata is None else Recording(recording.id, recording.source, metadata, recording.size)

    def admit(self, recording: Recording) -> str | None:
        """Why ``recording`` must not be processed (it was shredded; the refusal is audited), or None. Driver side."""
        from callvault.retention.shredded import refuse_if_shredded

        return refuse_if_shredded(self.catalog, self.vault, recording, PIPELINE_VERSION)

    def rule_context(self, recording: Recording) -> Any:
        """The catalog's facts for the rules (number of record, supervisor approvals, retention, holds). Driver side."""
        from callvault.compliance.facts import rule_context

        return rule_context(self.catalog, recording.metadata, recording.id)

    def guarded(self, path: Path, recording: Recording | None, action: Callable[[], Any]) -> Any:
        """Run ``action`` for one file, turning this file's problems into a failed result."""
        started = time.perf_counter()
        try:
            result = action()
        except (ConfigError, ModelMissingError, StoreError):
            # Not this recording's fault: config and models would fail every
            # file the same way; a store outage is retried by the worker.
            raise
        except InputError as exc:
            reason = exc.reason if str(exc.path) == str(path) else str(exc)
            return self._failed(path, recording, reason, started)
        except CallvaultError as exc:
            return self._failed(path, recording, str(exc), started)
        if not isinstance(result, RecordingResult):
            return result
        return RecordingResult(**{**result.to_dict(), "wall_seconds": round(time.perf_counter() - started, 3)})

    @staticmethod
    def _failed(path: Path, recording: Recording | None, reason: str, started: float) -> RecordingResult:
        return RecordingResult(
            str(path), "failed", recording.id if recording else None,
            recording.metadata.call_id if recording else None,
            error=reason, wall_seconds=round(time.perf_counter() - started, 3),
        )

    def analyse_path(self, path: Path, recording: Recording, context: Any) -> "CallOutputs":
        """Everything one file produces, in memory and leak-checked; nothing is written, the catalog never
        opened (a Ray worker's part): ``context`` is the driver's ``rule_context``."""
        audio = decode(path, self.intake.max_seconds)
        return self.analyse(recording, audio, path, context)

    def analyse(self, recording: Recording, audio: DecodedAudio, path: Path, context: Any) -> "CallOutputs":
        from callvault.analysis import analyse_call
        from callvault.recorder.audio_io import load_native, wav_bytes
        from callvault.redact import redact_audio
        from callvault.redact.leakscan import guard_outputs

        stages: list[dict] = []
        tick = time.perf_counter()
        transcript = transcribe_audio(recording, audio, self.asr, self.diarizer, self.turn_options)
        stages.append(_stage("transcribe", tick, transcript.provenance.get("model", ""), transcript.provenance))
        tick = time.perf_counter()
        events_model = self._get("event_model", self._event_model)  # loaded once per worker
        analysis = analyse_call(transcript, recording.metadata, self.detector, self.redaction, self.compliance, context, events_model)
        native = load_native(path)
        redacted_audio = wav_bytes(
            redact_audio(native.channels, native.sample_rate, analysis.redaction_spans, self.redaction.audio_mode, self.redaction.margin),
            native.sample_rate,
        )
        stages.append(_stage("analyse", tick, "", {"policy": self.redaction.describe()}))
        processed_at = self.clock().isoformat(timespec="seconds")
        documents = self.call_documents(recording, audio, analysis, redacted_audio, processed_at)
        # Last line of defence, before anything is written, sealed or catalogued.
        guard_outputs(documents, recording.metadata, recording.source)

        original: bytes | str = str(path)
        if analysis.scrub_spans:
            # PCI DSS 3.3.1: CVV and PINs may not be stored even encrypted.
            scrubbed = redact_audio(native.channels, native.sample_rate, analysis.scrub_spans, "silence", self.redaction.margin)
            original = wav_bytes(scrubbed, native.sample_rate)
        sealable = scrub_sad(transcript, analysis.findings, self.redaction.scrub_entities)  # PCI DSS 3.3.1
        # Kept in memory and sealed from there: the full transcript and the
        # scrubbed original never touch a disk in the clear, not even a temp folder.
        sealed = {
            "original": original,
            "transcript": json_bytes(transcript_to_dict(sealable, {"metadata": recording.metadata.to_dict()})),
            "findings": json_bytes(documents["findings.json"]),
            "redacted_audio": documents["redacted.wav"],
            "redacted_transcript": json_bytes(documents["transcript.json"]),
        }
        counts = {
            "words": len(transcript.words),
            "turns": len(transcript.turns),
            "findings": len(analysis.findings),
            "events": len(analysis.events),
            "violations": sum(r.status == "fail" for r in analysis.rules),
        }
        return CallOutputs(recording, analysis, documents, sealed, tuple(stages), processed_at, round(audio.duration, 3), counts)

    def keep(self, outputs: "CallOutputs", still_leased: Callable[[], None] = lambda: None) -> RecordingResult:
        """Write the call folder, seal into the vault, record in the catalog last (the driver's part)."""
        recording, analysis = outputs.recording, outputs.analysis
        still_leased()
        folder = call_dir(self.data_dir, recording.id, recording.metadata.call_id, Path(recording.source).stem)
        write_call_folder(folder, outputs.documents, temp_dir(self.data_dir))

        tick = time.perf_counter()
        stored_at = self.clock()
        refs = [
            self.vault.seal_and_put(recording.id, kind, _sealable(source), self._expiry(recording, analysis, kind, stored_at))
            for kind, source in outputs.sealed.items()
        ]
        stages = [*outputs.stages, _stage("vault", tick, "", {"objects": len(refs), "scrubbed": bool(analysis.scrub_spans)})]

        still_leased()  # a lease lost during a long call: another worker owns the row now
        # Last: the catalog row that says this recording is done.
        self.catalog.record_call(
            recording,
            analysis.redacted,
            processed_at=outputs.processed_at,
            findings=analysis.findings,
            events=analysis.events,
            rules=analysis.rules,
            objects=refs,
            stages=stages,
            pipeline_version=PIPELINE_VERSION,
            status=analysis.verdict,
            call_dir=folder.name,
        )
        return RecordingResult(
            source=recording.source,
            status="done",
            recording_id=recording.id,
            call_id=recording.metadata.call_id,
            output_dir=str(folder),
            audio_seconds=outputs.audio_seconds,
            verdict=analysis.verdict,
            counts={**outputs.counts, "objects": len(refs)},
        )

    def _expiry(self, recording: Recording, analysis: Any, kind: str, stored_at: datetime) -> datetime | None:
        return self.expiry(recording, analysis, kind, stored_at) if self.expiry else None

    def call_documents(self, recording: Recording, audio: DecodedAudio, analysis: Any, redacted_audio: bytes, processed_at: str) -> dict:
        from callvault.analysis import findings_document
        from callvault.compliance import events_to_dicts, rules_to_dicts

        redacted: Transcript = analysis.redacted
        extra = {
            "redacted": True,
            "source": recording.source,
            "metadata": recording.metadata.to_dict(),
            "channels": audio.info.channels,
            "sample_rate": audio.info.sample_rate,
            "codec": audio.info.codec,
            "callvault_version": __version__,
            "pipeline_version": PIPELINE_VERSION,
            "processed_at": processed_at,
            "verdict": analysis.verdict,
        }
        return {
            "transcript.json": transcript_to_dict(redacted, extra),
            "transcript.txt": transcript_to_text(redacted),
            "transcript.vtt": transcript_to_vtt(redacted),
            "findings.json": findings_document(recording.id, analysis, self.redaction),
            "events.json": events_to_dicts(analysis.events),
            "rules.json": rules_to_dicts(analysis.rules),
            "redacted.wav": redacted_audio,
        }


def _stage(name: str, tick: float, model: str, settings: Mapping[str, Any]) -> dict:
    return {"stage": name, "model": str(model), "settings": json.loads(json.dumps(settings, default=str)), "seconds": round(time.perf_counter() - tick, 3)}


def write_call_folder(folder: Path, documents: Mapping[str, str | dict | list | bytes], tmp_root: Path) -> None:
    """Write every output into a staging folder in callvault's temp folder, then swap it in whole.

    The swap is one atomic exchange of the two names (renameat2), so at
    every instant ``folder`` is the old folder or the new one, whatever
    kills the process; the parent folders are fsynced after it.
    """
    private_dirs(folder.parent)
    staging = Path(tempfile.mkdtemp(prefix=tag(f"{folder.name}."), suffix=".part", dir=private_dirs(tmp_root)))
    try:
        for name, content in documents.items():
            _write_private(staging / name, content)
        os.chmod(staging, DIR_MODE)
        fsync_dir(staging)
        if not folder.exists():
            replace_durably(staging, folder)
        else:
            try:
                exchange_paths(staging, folder)  # staging now holds the old folder
            except OSError as exc:
                if exc.errno == errno.EXDEV:
                    raise ConfigError(f"{tmp_root} and {folder.parent} must be on one file system (callvault swaps call folders in from its temp folder)") from None
                if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                    raise
                _swap_by_two_renames(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_by_two_renames(staging: Path, folder: Path) -> None:
    """Where the kernel or file system cannot exchange names: a short window without the folder."""
    old = staging.with_name(staging.name + ".old")
    replace_durably(folder, old)
    replace_durably(staging, folder)
    os.replace(old, staging)  # removed with the staging folder


def _write_private(target: Path, content: str | dict | list | bytes) -> None:
    if isinstance(content, (dict, list)):
        data = json_bytes(content)
    elif isinstance(content, bytes):
        data = content
    else:
        data = content.encode("utf-8")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
