"""The pyannote.audio backend, end to end with a pipeline folder made here.

This checks plumbing, not quality: the segmentation and embedding models are
randomly initialised, so what they say about who speaks is noise. What is
checked is that a local folder loads with the hub switched off, the device
is chosen, the pipeline's output becomes a Diarization, and words get
attributed from it.
"""

from pathlib import Path

import numpy as np
import pytest

from callvault.models.transcript import Word
from callvault.transcribe.diarize import attribute_words
from callvault.transcribe.diarizers import make_diarizer

pytestmark = pytest.mark.slow


def build_random_pipeline(folder: Path) -> Path:
    """A SpeakerDiarization folder laid out like a released one: config.yaml + $model/ parts."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("pyannote.audio", reason="needs pip install 'callvault[pyannote]'")
    import yaml
    from pyannote.audio.core.task import Problem, Resolution, Specifications
    from pyannote.audio.models.embedding import WeSpeakerResNet34
    from pyannote.audio.models.segmentation import PyanNet

    torch.manual_seed(0)

    def save(model, name):
        (folder / name).mkdir(parents=True)
        checkpoint = {"state_dict": model.state_dict(), "pytorch-lightning_version": "2"}
        model.on_save_checkpoint(checkpoint)
        torch.save(checkpoint, folder / name / "pytorch_model.bin")

    segmentation = PyanNet(sincnet={"stride": 10})
    segmentation.specifications = Specifications(
        problem=Problem.MONO_LABEL_CLASSIFICATION,
        resolution=Resolution.FRAME,
        duration=5.0,
        classes=["speaker#1", "speaker#2", "speaker#3"],
        powerset_max_classes=2,
        permutation_invariant=True,
    )
    segmentation.build()
    save(segmentation, "segmentation")
    embedding = WeSpeakerResNet34()
    embedding.specifications = Specifications(problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK, duration=5.0)
    save(embedding, "embedding")

    dim, rng = 32, np.random.default_rng(0)
    (folder / "plda").mkdir()
    np.savez(folder / "plda" / "xvec_transform.npz", mean1=np.zeros(256), mean2=np.zeros(dim), lda=rng.standard_normal((256, dim)) / 16)
    np.savez(folder / "plda" / "plda.npz", mu=np.zeros(dim), tr=np.eye(dim), psi=np.linspace(2.0, 0.1, dim))
    config = {
        "pipeline": {
            "name": "pyannote.audio.pipelines.SpeakerDiarization",
            "params": {
                "segmentation": "$model/segmentation",
                "embedding": "$model/embedding",
                "plda": "$model/plda",
                "clustering": "VBxClustering",
                "embedding_batch_size": 8,
                "segmentation_batch_size": 8,
            },
        },
        "params": {"segmentation": {"min_duration_off": 0.0}, "clustering": {"threshold": 0.6, "Fa": 0.07, "Fb": 0.8}},
    }
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    return folder


@pytest.fixture(scope="module")
def pipeline_folder(tmp_path_factory):
    return build_random_pipeline(tmp_path_factory.mktemp("pyannote-random") / "pipeline")


def _speech(seconds=6.0, rate=16000):
    """Two synthetic 'voices' (pitched harmonics) taking turns, with pauses."""
    t = np.arange(int(seconds * rate)) / rate
    voice = np.zeros_like(t)
    for start, f0 in [(0.5, 120), (2.0, 220), (3.5, 120), (5.0, 220)]:
        on = (t >= start) & (t < start + 1.2)
        voice[on] = sum(np.sin(2 * np.pi * f0 * h * t[on]) / h for h in range(1, 6))
    return (0.3 * voice).astype(np.float32)


def test_local_folder_loads_offline_on_cpu_and_converts(pipeline_folder, monkeypatch):
    import socket

    import torch

    def no_network(*args, **kwargs):
        raise AssertionError(f"the pyannote backend tried to reach the network: {args[1:]}")

    monkeypatch.setattr(socket.socket, "connect", no_network)

    diarizer = make_diarizer("pyannote", model=str(pipeline_folder), device="auto")
    words = [Word(0.6, 1.0, "hello"), Word(2.1, 2.6, "hi"), Word(3.6, 4.0, "so"), Word(5.1, 5.5, "right")]
    result = diarizer.diarize(_speech(), 16000, words, num_speakers=2)

    assert diarizer.resolved_device == ("cuda" if torch.cuda.is_available() else "cpu")
    assert result.method == "pyannote" and result.info["num_speakers"] == 2
    assert result.segments, "random weights still yield some segments"
    assert set(result.speakers) <= {"S0", "S1"} and result.segments[0].speaker == "S0"
    segments = result.segments
    assert all(a.span.end <= b.span.start + 1e-6 for a, b in zip(segments, segments[1:])), "exclusive"
    attributed = attribute_words(words, result)
    assert [w.text for w in attributed] == [w.text for w in words]
    assert {w.speaker for w in attributed} <= set(result.speakers)


def test_cuda_asked_without_cuda_is_a_clear_error(pipeline_folder):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    from callvault.models.errors import ModelMissingError

    with pytest.raises(ModelMissingError, match="--device cpu"):
        make_diarizer("pyannote", model=str(pipeline_folder), device="cuda").load()
