"""Intake: find recordings, read sidecar metadata, decode audio."""
