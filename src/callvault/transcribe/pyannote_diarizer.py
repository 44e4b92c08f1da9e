"""pyannote.audio pipelines as a mono diarizer (``pip install 'callvault[pyannote]'``).

The model is a local pipeline folder (a ``config.yaml`` whose models are
``$model/<subfolder>`` paths: air-gapped sites) or a hub id, which needs a
token the caller read from the environment. Words are attributed with the
pipeline's exclusive (non-overlapping) diarization.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from callvault.models.errors import ModelMissingError
from callvault.models.timespan import TimeSpan
from callvault.models.transcript import Word
from callvault.transcribe.diarize import Diarization, SpeakerSegment
from callvault.transcribe.diarizers.embedded import resolve_device


def annotation_segments(annotation) -> tuple[SpeakerSegment, ...]:
    """pyannote Annotation -> segments named S0, S1, ... in order of first speech."""
    names: dict[str, str] = {}
    segments = []
    for turn, _, label in sorted(annotation.itertracks(yield_label=True), key=lambda t: (t[0].start, t[0].end)):
        names.setdefault(label, f"S{len(names)}")
        if turn.end > turn.start:
            segments.append(SpeakerSegment(TimeSpan(round(turn.start, 3), round(turn.end, 3)), names[label]))
    return tuple(segments)


class PyannoteDiarizer:
    name = "pyannote"

    def __init__(
        self,
        model: str | os.PathLike,
        *,
        device: str = "auto",
        token: str | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
    ):
        self.model = str(model)
        self.device = device
        self._token = token  # never in a repr or message
        self.min_speakers = min_speakers
        self.max_speakers = max_speakers
        self._pipeline = None
        self.resolved_device: str | None = None

    def __repr__(self) -> str:
        return f"PyannoteDiarizer(model={self.model!r}, device={self.device!r})"

    @property
    def is_local(self) -> bool:
        return Path(self.model).exists()

    def load(self):
        """Load the pipeline once; a local folder loads with the hub switched off."""
        if self._pipeline is not None:
            return self._pipeline
        if self.is_local:
            if not (Path(self.model) / "config.yaml").is_file() and not Path(self.model).is_file():
                raise ModelMissingError(f"{self.model}: no config.yaml in this pyannote pipeline folder")
        elif not self._token:
            raise ModelMissingError(
                f"{self.model!r} is neither a local pipeline folder nor usable without a token: "
                "set HF_TOKEN for a hub id, or pass a folder to --diarization-model"
            )
        # pyannote 4 sends usage metrics unless told not to (it reads this at
        # import and on every call); an explicit user choice is kept.
        os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
        try:
            import torch
            from pyannote.audio import Pipeline
        except ImportError as exc:
            raise ModelMissingError(
                f"--diarizer pyannote needs pyannote.audio ({exc}); install it with: pip install 'callvault[pyannote]'"
            ) from None
        try:
            # A local folder's parts are "$model/<part>" paths, so nothing is fetched.
            pipeline = Pipeline.from_pretrained(self.model, token=None if self.is_local else self._token)
        except Exception as exc:  # pyannote raises many kinds; the name is enough to act on
            raise ModelMissingError(
                f"pyannote pipeline {self.model!r} could not be loaded ({type(exc).__name__}); "
                "check the folder or hub id and the token"
            ) from None
        if pipeline is None:
            raise ModelMissingError(f"pyannote pipeline {self.model!r} was not found; check the hub id and token")
        self.resolved_device = resolve_device(self.device, torch.cuda.is_available())
        pipeline.to(torch.device(self.resolved_device))
        self._pipeline = pipeline
        return pipeline

    def diarize(
        self, audio: np.ndarray, sample_rate: int, words: Sequence[Word], num_speakers: int | None = None
    ) -> Diarization:
        import torch

        pipeline = self.load()
        bounds: dict[str, int] = {}
        if num_speakers:
            bounds["num_speakers"] = num_speakers
        else:
            bounds.update({k: v for k, v in (("min_speakers", self.min_speakers), ("max_speakers", self.max_speakers)) if v})
        waveform = torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))[None]
        output = pipeline({"waveform": waveform, "sample_rate": sample_rate}, **bounds)
        # pyannote >= 4 returns both; 3.x only the (overlapping) annotation.
        annotation = getattr(output, "exclusive_speaker_diarization", output)
        segments = annotation_segments(annotation)
        info = {"model": self.model, "device": self.resolved_device, **bounds}
        return Diarization(segments, self.name, True, info)
