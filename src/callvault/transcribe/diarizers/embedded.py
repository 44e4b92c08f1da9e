"""The offline default diarizer: Silero VAD + resemblyzer voices + clustering.

Nothing is downloaded: the VAD ships inside faster-whisper and the speaker
encoder's weights inside the resemblyzer wheel (it needs torch).

How: voice activity (plus the recognised words) marks speech; a speaker
embedding is taken every ``hop_s`` over a ``window_s`` window centred there;
those dense, overlapping embeddings are clustered (spherical k-means, the
best of several seeds); each frame takes its nearest window's cluster, and
speaker changes are moved off the middle of words. Dense windows, rather
than one embedding per VAD region, are what beat the baseline: a region on a
telephone call often holds both voices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from callvault.models.errors import ModelMissingError
from callvault.models.timespan import TimeSpan
from callvault.models.transcript import Word
from callvault.transcribe.diarize import Diarization, SpeakerSegment
from callvault.transcribe.diarizers import clustering

FRAME_S = 0.01  # resemblyzer's mel frames are 10 ms
ENCODER_RATE = 16000


@dataclass(frozen=True)
class EmbeddedOptions:
    window_s: float = 1.5
    hop_s: float = 0.1
    # d' between same- and cross-cluster similarities needed to call the voices
    # distinct (see clustering.separation for the measured values).
    min_separation: float = 2.0
    max_speakers: int = 4
    vad_min_silence_ms: int = 150
    vad_pad_ms: int = 30
    device: str = "auto"  # auto | cpu | cuda
    batch_size: int = 128


def resolve_device(requested: str, cuda_available: bool) -> str:
    if requested == "auto":
        return "cuda" if cuda_available else "cpu"
    if requested.startswith("cuda") and not cuda_available:
        raise ModelMissingError(f"device {requested!r} was asked for but CUDA is not available; use --device cpu")
    return requested


class EmbeddedDiarizer:
    name = "embedded"

    def __init__(self, options: EmbeddedOptions | None = None):
        self.options = options or EmbeddedOptions()
        self._encoder = None
        self._vad_model = None

    # --- adapters: the only places that touch torch, resemblyzer, silero ---

    def _load_encoder(self):
        if self._encoder is None:
            try:
                import torch
                from resemblyzer import VoiceEncoder
            except ImportError as exc:
                raise ModelMissingError(
                    f"the embedded diarizer needs resemblyzer and torch ({exc}); "
                    "install them with: pip install 'callvault[diarize]'"
                ) from None
            device = resolve_device(self.options.device, torch.cuda.is_available())
            self._encoder = VoiceEncoder(device, verbose=False)
        return self._encoder

    def speech_regions(self, audio: np.ndarray) -> list[TimeSpan]:
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        options = VadOptions(min_silence_duration_ms=self.options.vad_min_silence_ms, speech_pad_ms=self.options.vad_pad_ms)
        chunks = get_speech_timestamps(audio, options, sampling_rate=ENCODER_RATE)
        return [TimeSpan(c["start"] / ENCODER_RATE, c["end"] / ENCODER_RATE) for c in chunks]

    def embed_windows(self, audio: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(window centres in frames, unit embeddings) for every hop inside speech."""
        import torch
        from resemblyzer.audio import wav_to_mel_spectrogram

        encoder = self._load_encoder()
        # resemblyzer was trained on audio at -30 dBFS; telephone levels vary a lot.
        rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) or 1.0
        mel = wav_to_mel_spectrogram((audio / rms * 10 ** (-30 / 20)).astype(np.float32))
        n_frames = min(len(mel), len(mask))
        width = max(20, int(round(self.options.window_s / FRAME_S)))
        hop = max(1, int(round(self.options.hop_s / FRAME_S)))
        centres = np.array([c for c in range(hop // 2, n_frames, hop) if mask[c]], dtype=int)
        if not len(centres):
            return centres, np.zeros((0, 256), dtype=np.float32)
        windows = []
        for c in centres:
            hi = min(len(mel), max(c - width // 2, 0) + width)
            windows.append(mel[max(0, hi - width) : hi])
        batches = []
        with torch.no_grad():
            for i in range(0, len(windows), self.options.batch_size):
                batch = torch.from_numpy(np.stack(windows[i : i + self.options.batch_size])).to(encoder.device)
                batches.append(encoder(batch).cpu().numpy())
        return centres, np.concatenate(batches)

    # --- the stage ---

    def diarize(
        self, audio: np.ndarray, sample_rate: int, words: Sequence[Word], num_speakers: int | None = None
    ) -> Diarization:
        if sample_rate != ENCODER_RATE:
            raise ValueError(f"the embedded diarizer takes {ENCODER_RATE} Hz audio, got {sample_rate} Hz")
        audio = np.asarray(audio, dtype=np.float32)
        n_frames = int(len(audio) / sample_rate / FRAME_S)
        regions = self.speech_regions(audio)
        mask = clustering.speech_mask(regions, words, n_frames, FRAME_S)
        centres, embeddings = self.embed_windows(audio, mask)
        info: dict[str, object] = {"windows": len(centres), "window_s": self.options.window_s}
        if len(centres) < 2:
            return self._single(mask, info | {"note": "too little speech to compare voices"}, confident=False)
        if num_speakers == 1:
            return self._single(mask, info | {"note": "metadata says one speaker"}, confident=True)

        k = num_speakers or 2
        k = max(1, min(k, len(centres)))
        labels, _ = clustering.spherical_kmeans(embeddings, k)
        score = clustering.separation(embeddings, labels)
        confident = score >= self.options.min_separation
        info["separation"] = round(score, 3)
        if num_speakers is None:
            k = self._estimate(embeddings, labels, confident)
            if k == 1:
                return self._single(
                    mask,
                    info | {"note": "voices could not be told apart with confidence; kept as one speaker"},
                    confident=False,
                )
            if k != 2:
                labels, _ = clustering.spherical_kmeans(embeddings, k)
        elif not confident:
            info["note"] = (
                f"voices are similar (separation {score:.2f} < {self.options.min_separation}); "
                f"split into the {k} speakers the metadata gives, check the speaker labels"
            )

        frames = clustering.frame_labels(centres, labels, mask)
        frames = clustering.snap_to_words(frames, words, FRAME_S)
        frames = clustering.order_by_first_turn(frames, k)
        names = [f"S{i}" for i in range(k)]
        info["speakers"] = k
        return Diarization(clustering.label_segments(frames, FRAME_S, names), self.name, confident, info)

    def _estimate(self, embeddings: np.ndarray, labels: np.ndarray, two_confident: bool) -> int:
        """Without metadata: 1 unless 2 clusters separate; more while each split still separates."""
        if not two_confident:
            return 1
        k = 2
        while k < self.options.max_speakers and len(embeddings) > k + 1:
            more, _ = clustering.spherical_kmeans(embeddings, k + 1)
            pairs = [
                clustering.separation(embeddings[np.isin(more, (a, b))], more[np.isin(more, (a, b))])
                for a in range(k + 1)
                for b in range(a + 1, k + 1)
            ]
            if min(pairs) < self.options.min_separation:
                break
            k += 1
        return k

    def _single(self, mask: np.ndarray, info: dict, confident: bool) -> Diarization:
        frames = np.where(mask, 0, -1)
        segments: tuple[SpeakerSegment, ...] = clustering.label_segments(frames, FRAME_S, ["S0"])
        return Diarization(segments, self.name, confident, info | {"speakers": 1})
