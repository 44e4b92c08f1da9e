"""The embedded diarizer's numpy steps, on arrays made here."""

import numpy as np
import pytest

from callvault.models.timespan import TimeSpan
from callvault.models.transcript import Word
from callvault.transcribe.diarizers import clustering


def _two_voices(n=60, dim=16, spread=0.15, seed=1):
    rng = np.random.default_rng(seed)
    centres = np.eye(dim)[:2]
    points = np.concatenate([c + spread * rng.standard_normal((n, dim)) for c in centres])
    return points / np.linalg.norm(points, axis=1, keepdims=True), np.repeat([0, 1], n)


def test_kmeans_recovers_two_clusters():
    points, truth = _two_voices()
    labels, centroids = clustering.spherical_kmeans(points, 2)
    agreement = max(np.mean(labels == truth), np.mean(labels != truth))
    assert agreement == 1.0
    assert np.allclose(np.linalg.norm(centroids, axis=1), 1.0)


def test_kmeans_rejects_more_clusters_than_points():
    with pytest.raises(ValueError):
        clustering.spherical_kmeans(np.eye(3), 4)


def test_separation_high_for_two_voices_low_for_one():
    points, truth = _two_voices()
    labels, _ = clustering.spherical_kmeans(points, 2)
    one_voice = points[truth == 0]
    split, _ = clustering.spherical_kmeans(one_voice, 2)
    assert clustering.separation(points, labels) > 3
    assert clustering.separation(one_voice, split) < 2
    assert clustering.separation(points, np.zeros(len(points), int)) == 0.0



def _pairwise_separation(points, labels):
    """The definition, over the N x N matrix of cosine similarities (fine for a few hundred points)."""
    similarity = points @ points.T
    same = (labels[:, None] == labels[None, :]) & ~np.eye(len(labels), dtype=bool)
    intra, inter = similarity[same], similarity[labels[:, None] != labels[None, :]]
    return (intra.mean() - inter.mean()) / np.sqrt(0.5 * (intra.var() + inter.var()))


def test_separation_is_the_pairwise_d_prime_without_the_pairwise_matrix():
    import tracemalloc

    points, truth = _two_voices(n=150, dim=16, spread=0.6, seed=3)
    for labels in (truth, np.random.default_rng(4).integers(3, size=len(points))):  # apart, and mixed in three
        assert clustering.separation(points, labels) == pytest.approx(_pairwise_separation(points, labels), rel=1e-6)
    assert clustering.separation(points[:2], np.array([0, 1])) == 0.0  # no same-cluster pair
    # a 2-hour call: 14,000 windows of 256 values; the N x N matrix alone would be 1.5 GiB
    rng = np.random.default_rng(5)
    many = rng.standard_normal((14_000, 256)).astype(np.float32)
    many /= np.linalg.norm(many, axis=1, keepdims=True)
    tracemalloc.start()
    clustering.separation(many, rng.integers(2, size=len(many)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200 << 20

def test_speech_mask_adds_words_the_vad_missed():
    mask = clustering.speech_mask([TimeSpan(0.1, 0.2)], [Word(0.5, 0.6, "yes")], 100, 0.01)
    assert mask[10:20].all() and mask[50:60].all()
    assert not mask[25:45].any()


def test_frame_labels_take_nearest_window_and_skip_silence():
    mask = np.array([True] * 6 + [False] * 2 + [True] * 2)
    labels = clustering.frame_labels(np.array([1, 8]), np.array([0, 1]), mask)
    assert labels.tolist() == [0, 0, 0, 0, 0, 1, -1, -1, 1, 1]


def test_snap_to_words_keeps_a_word_on_one_speaker():
    labels = np.array([0, 0, 0, 1, 1, 1, 1, -1])
    snapped = clustering.snap_to_words(labels, [Word(0.02, 0.07, "hello")], 0.01)
    assert snapped.tolist() == [0, 0, 1, 1, 1, 1, 1, -1]


def test_segments_are_runs_and_first_speaker_is_s0():
    labels = clustering.order_by_first_turn(np.array([-1, 1, 1, 0, 0, -1, 1]), 2)
    segments = clustering.label_segments(labels, 0.5, ["S0", "S1"])
    assert [(s.span.start, s.span.end, s.speaker) for s in segments] == [
        (0.5, 1.5, "S0"),
        (1.5, 2.5, "S1"),
        (3.0, 3.5, "S0"),
    ]
