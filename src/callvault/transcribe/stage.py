"""The transcription stage: decoded audio -> speaker-attributed Transcript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from callvault.models.recording import AudioInfo, Recording
from callvault.models.transcript import Transcript, Word
from callvault.recorder.decode import DecodedAudio
from callvault.transcribe.align import DEFAULT_MAX_PAUSE, assign_roles, with_roles, words_to_turns
from callvault.transcribe.diarize import MonoDiarizer, attribute_words


class WordSource(Protocol):
    def words(self, audio: np.ndarray, speaker: str = "S0") -> Sequence[Word]: ...

    def channel_words(self, channels: Sequence[np.ndarray], speakers: Sequence[str]) -> list[list[Word]]: ...

    def provenance(self) -> dict: ...


@dataclass(frozen=True)
class TurnOptions:
    agent_channel: int | None = None
    max_pause: float = DEFAULT_MAX_PAUSE
    num_speakers: int | None = None  # mono diarization; None = metadata or 2


def transcribe_audio(
    recording: Recording,
    audio: DecodedAudio,
    asr: WordSource,
    diarizer: MonoDiarizer,
    options: TurnOptions = TurnOptions(),
) -> Transcript:
    """Stereo: each channel is one speaker. Mono: words first, then the diarizer says who."""
    if len(audio.channels) > 1:
        # one call for every channel: batched, both sides' speech shares the batches
        speaker_channels: dict[str, int | None] = {f"S{index}": index for index in range(len(audio.channels))}
        by_channel = asr.channel_words(audio.channels, list(speaker_channels))
        words: list[Word] = [w for channel_words in by_channel for w in channel_words]
        diarization = {"method": "channels", "confident": True, "speakers": len(audio.channels)}
    else:
        mono_words = asr.channel_words(audio.channels[:1], ["S0"])[0]
        result = diarizer.diarize(audio.channels[0], audio.sample_rate, mono_words, options.num_speakers)
        words = attribute_words(mono_words, result)
        speaker_channels = {s: None for s in sorted({w.speaker for w in words} | set(result.speakers))}
        diarization = {"method": result.method, "confident": result.confident, "speakers": len(result.speakers), **dict(result.info)}
    turns = words_to_turns(words, max_pause=options.max_pause)
    speakers = assign_roles(turns, speaker_channels, recording.metadata.channel_roles, options.agent_channel)
    return Transcript(
        recording_id=recording.id,
        turns=tuple(with_roles(turns, speakers)),
        speakers=tuple(speakers),
        duration=audio.duration,
        language="en",
        provenance=asr.provenance(),
        diarization=diarization,
    )


def stream_file_words(path, asr, on_block=lambda seconds: None) -> tuple[AudioInfo, list[list[Word]]]:
    """Words per channel of the file at ``path``, decoded block by block: memory bounded for any call length.

    ``on_block`` hears the seconds decoded so far after each block (progress).
    """
    from callvault.recorder.decode import TARGET_RATE, open_stream

    with open_stream(path) as stream:
        speakers = [f"S{index}" for index in range(stream.info.channels)]

        def blocks():
            for block in stream.blocks():
                yield block
                on_block(stream.frames / TARGET_RATE)

        words = asr.stream_words(blocks(), speakers)
        return stream.decoded_info, words
