"""Choosing a diarizer by name, and device choice."""

import pytest

from callvault.models.errors import ConfigError, ModelMissingError
from callvault.transcribe.diarize import SingleSpeakerDiarizer
from callvault.transcribe.diarizers import DIARIZER_NAMES, make_diarizer
from callvault.transcribe.diarizers.embedded import EmbeddedDiarizer, resolve_device


def test_names():
    assert isinstance(make_diarizer("single"), SingleSpeakerDiarizer)
    assert isinstance(make_diarizer(), EmbeddedDiarizer)
    assert make_diarizer("embedded", device="cpu").options.device == "cpu"
    assert set(DIARIZER_NAMES) == {"single", "embedded", "pyannote"}


def test_unknown_name_says_what_exists():
    with pytest.raises(ConfigError, match="embedded, pyannote, single"):
        make_diarizer("nemo")


def test_pyannote_needs_a_model():
    with pytest.raises(ConfigError, match="--diarization-model"):
        make_diarizer("pyannote")


def test_pyannote_token_never_in_repr():
    diarizer = make_diarizer("pyannote", model="org/pipeline", token="hf_secret_value")
    assert "hf_secret_value" not in repr(diarizer)


def test_pyannote_hub_id_without_token_is_a_clear_error(tmp_path):
    diarizer = make_diarizer("pyannote", model=str(tmp_path / "no-such-folder"))
    with pytest.raises(ModelMissingError, match="HF_TOKEN"):
        diarizer.load()


def test_pyannote_folder_without_config_is_a_clear_error(tmp_path):
    with pytest.raises(ModelMissingError, match="config.yaml"):
        make_diarizer("pyannote", model=str(tmp_path)).load()


def test_device_choice():
    assert resolve_device("auto", cuda_available=True) == "cuda"
    assert resolve_device("auto", cuda_available=False) == "cpu"
    assert resolve_device("cpu", cuda_available=True) == "cpu"
    with pytest.raises(ModelMissingError, match="--device cpu"):
        resolve_device("cuda", cuda_available=False)
