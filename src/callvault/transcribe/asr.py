"""Speech recognition with faster-whisper: one loaded model, words with times."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterator

import numpy as np

from callvault.models.errors import ConfigError
from callvault.models.transcript import Word
from callvault.transcribe.weights import DEFAULT_MODEL, resolve_model

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class AsrOptions:
    model: str = DEFAULT_MODEL
    device: str = "auto"
    compute_type: str = "auto"  # int8 on CPU, float16 on CUDA
    cpu_threads: int = 0  # 0: CTranslate2 picks
    beam_size: int = 5
    language: str | None = "en"
    vad_filter: bool = True
    # >0: faster-whisper's BatchedInferencePipeline decodes this many VAD
    # chunks at once (what a GPU wants); 0: the sequential decoder.
    batch_size: int = 0

    def __post_init__(self):
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {', '.join(DEVICES)}, not '{self.device}'")
        if self.beam_size < 1:
            raise ConfigError("beam size must be at least 1")
        if self.batch_size < 0:
            raise ConfigError("batch size must be 0 (sequential) or more")


def cuda_available() -> bool:
    try:
        import ctranslate2

        return ctranslate2.get_cuda_device_count() > 0
    except Exception:
        return False


def resolve_device(options: AsrOptions) -> tuple[str, str]:
    """(device, compute_type) after 'auto' is decided."""
    device = options.device
    if device == "auto":
        device = "cuda" if cuda_available() else "cpu"
    elif device == "cuda" and not cuda_available():
        raise ConfigError("--device cuda was asked for but CTranslate2 sees no CUDA GPU; use --device cpu or auto")
    compute = options.compute_type
    if compute == "auto":
        compute = "float16" if device == "cuda" else "int8"
    return device, compute


class WhisperAsr:
    """A faster-whisper model loaded once and used for every channel of every call."""

    def __init__(self, options: AsrOptions = AsrOptions()):
        from faster_whisper import WhisperModel

        self.options = options
        self.model_path = resolve_model(options.model)
        self.device, self.compute_type = resolve_device(options)
        self._model = WhisperModel(
            self.model_path,
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=options.cpu_threads,
            local_files_only=True,
        )
        if options.batch_size:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(self._model)

    def words(self, audio: np.ndarray, speaker: str = "S0") -> Iterator[Word]:
        """The words spoken in ``audio`` (float32, 16 kHz), with times, as they are decoded."""
        options = dict(
            language=self.options.language,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            vad_filter=self.options.vad_filter,
        )
        if self.options.batch_size:
            segments, _ = self._batched.transcribe(audio, batch_size=self.options.batch_size, **options)
        else:
            segments, _ = self._model.transcribe(audio, **options)
        for segment in segments:
            for w in segment.words or ():
                text = w.word.strip()
                if text:
                    yield Word(float(w.start), float(w.end), text, float(w.probability), speaker)

    def provenance(self) -> dict:
        from faster_whisper import __version__ as fw_version

        return {
            "engine": "faster-whisper",
            "engine_version": fw_version,
            "model": self.options.model,
            "model_path": self.model_path,
            "device": self.device,
            "compute_type": self.compute_type,
            "options": asdict(self.options),
        }
