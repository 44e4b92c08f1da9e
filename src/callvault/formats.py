"""Transcript <-> JSON, plain text and WebVTT. Pure: strings and dicts in and out."""

from __future__ import annotations

from typing import Any, Mapping

from callvault.models.errors import InputError
from callvault.models.transcript import SCHEMA_VERSION, Speaker, Transcript, Turn, Word


def _word_dict(word: Word) -> dict:
    return {
        "start": round(word.start, 3),
        "end": round(word.end, 3),
        "text": word.text,
        "probability": round(word.probability, 4),
        "speaker": word.speaker,
    }


def transcript_to_dict(transcript: Transcript, extra: Mapping[str, Any] | None = None) -> dict:
    """The transcript JSON document (schema ``SCHEMA_VERSION``); ``extra`` adds top-level keys."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "recording_id": transcript.recording_id,
        "duration": round(transcript.duration, 3),
        "language": transcript.language,
        **dict(extra or {}),
        "provenance": dict(transcript.provenance),
        "diarization": dict(transcript.diarization),
        "speakers": [
            {
                "id": s.id,
                "role": s.role,
                "channel": s.channel,
                "role_confidence": round(s.role_confidence, 3),
                "role_reason": s.role_reason,
            }
            for s in transcript.speakers
        ],
        "words": [_word_dict(w) for w in transcript.words],
        "turns": [
            {
                "speaker": t.speaker,
                "role": t.role,
                "start": round(t.start, 3),
                "end": round(t.end, 3),
                "text": t.text,
                "word_count": len(t.words),
            }
            for t in transcript.turns
        ],
    }
    return doc


def transcript_from_dict(doc: Mapping[str, Any], source: str = "transcript") -> Transcript:
    """Rebuild a Transcript from its JSON document; clear error when it is not one."""
    try:
        version = doc["schema_version"]
        if version != SCHEMA_VERSION:
            raise InputError(source, f"transcript schema version {version} is not supported (expected {SCHEMA_VERSION})")
        words = [Word(float(w["start"]), float(w["end"]), str(w["text"]), float(w.get("probability", 1.0)), str(w.get("speaker", "S0"))) for w in doc["words"]]
        turns, pos = [], 0
        for t in doc["turns"]:
            count = int(t["word_count"])
            turns.append(Turn(str(t["speaker"]), str(t["role"]), tuple(words[pos : pos + count])))
            pos += count
        if pos != len(words):
            raise InputError(source, "turn word counts do not add up to the word list")
        speakers = tuple(
            Speaker(s["id"], s.get("role", "unknown"), s.get("channel"), float(s.get("role_confidence", 0.0)), s.get("role_reason", ""))
            for s in doc.get("speakers", [])
        )
        return Transcript(
            recording_id=str(doc["recording_id"]),
            turns=tuple(turns),
            speakers=speakers,
            duration=float(doc.get("duration", 0.0)),
            language=str(doc.get("language", "en")),
            provenance=dict(doc.get("provenance", {})),
            diarization=dict(doc.get("diarization", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(source, f"not a callvault transcript JSON ({type(exc).__name__}: {exc})") from None


def clock(seconds: float, millis: bool = False) -> str:
    total_ms = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}" if millis else f"{hours:02d}:{minutes:02d}:{secs:02d}"


def _label(turn: Turn) -> str:
    return (turn.role if turn.role != "unknown" else turn.speaker).upper()


def transcript_to_text(transcript: Transcript) -> str:
    """One turn a line: ``[00:01:02] AGENT: ...``."""
    return "".join(f"[{clock(t.start)}] {_label(t)}: {t.text}\n" for t in transcript.turns)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def transcript_to_vtt(transcript: Transcript) -> str:
    """WebVTT, one cue a turn, the speaker as a voice tag: ``<v AGENT S0>``."""
    cues = ["WEBVTT", ""]
    for index, turn in enumerate(transcript.turns, 1):
        end = max(turn.end, turn.start + 0.001)
        cues += [
            str(index),
            f"{clock(turn.start, True)} --> {clock(end, True)}",
            f"<v {_label(turn)} {turn.speaker}>{_vtt_escape(turn.text)}",
            "",
        ]
    return "\n".join(cues)
