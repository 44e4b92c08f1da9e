"""Pick a mono diarizer by name: ``single``, ``embedded`` (offline default), ``pyannote``."""

from __future__ import annotations

from callvault.models.errors import ConfigError
from callvault.transcribe.diarize import MonoDiarizer, SingleSpeakerDiarizer

DIARIZER_NAMES = ("embedded", "pyannote", "single")
DEFAULT_DIARIZER = "embedded"


def make_diarizer(
    name: str = DEFAULT_DIARIZER,
    *,
    model: str | None = None,
    device: str = "auto",
    token: str | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
) -> MonoDiarizer:
    """The diarizer called ``name``; models load on first use, not here.

    ``model`` is the pyannote pipeline (a local folder, or a hub id used with
    ``token``); the CLI reads the token from the environment and passes it.
    """
    if name == "single":
        return SingleSpeakerDiarizer()
    if name == "embedded":
        from callvault.transcribe.diarizers.embedded import EmbeddedDiarizer, EmbeddedOptions

        options = EmbeddedOptions(device=device, max_speakers=max_speakers or EmbeddedOptions.max_speakers)
        return EmbeddedDiarizer(options)
    if name == "pyannote":
        if not model:
            raise ConfigError(
                "--diarizer pyannote needs --diarization-model: a local pipeline folder "
                "(with config.yaml) or a hub id with a token in the environment"
            )
        from callvault.transcribe.pyannote_diarizer import PyannoteDiarizer

        return PyannoteDiarizer(model, device=device, token=token, min_speakers=min_speakers, max_speakers=max_speakers)
    raise ConfigError(f"unknown diarizer {name!r}; choose one of: {', '.join(DIARIZER_NAMES)}")
