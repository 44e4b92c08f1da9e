"""Speech to speaker-attributed transcript: asr, diarize, align, weights."""
