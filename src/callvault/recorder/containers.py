"""Opening a recording with ffmpeg's audio demuxers only, and reading local files only.

ffmpeg guesses a file's format from its bytes, whatever its name: a ".wav"
holding an ffconcat script would open the concat demuxer, which reads the
files the script names (another caller's recording, any file on the host).
So the demuxers are an allow-list of audio containers, and the only protocol
is the local file.
"""

from __future__ import annotations

from pathlib import Path

from callvault.models.errors import InputError

# ffmpeg demuxer names of the containers in intake.AUDIO_SUFFIXES.
AUDIO_DEMUXERS = (
    "wav", "w64", "mp3", "flac", "ogg", "mov", "mp4", "m4a", "aac", "asf",
    "matroska", "webm", "au", "aiff", "amr", "gsm", "nistsphere",
)
OPEN_OPTIONS = {"format_whitelist": ",".join(AUDIO_DEMUXERS), "protocol_whitelist": "file"}


def open_container(path: Path):
    """``av.open`` restricted to audio demuxers and local files; a clear InputError otherwise."""
    import av

    try:
        return av.open(str(path), options=dict(OPEN_OPTIONS), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise InputError(
            path,
            f"not a readable audio file ({exc.strerror or type(exc).__name__}); callvault opens "
            f"audio containers only ({', '.join(AUDIO_DEMUXERS)})",
        ) from None
