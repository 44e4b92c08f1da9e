"""Helpers for tests in any folder (tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """A reference recording from ../shared/data, or skip with the reason."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"reference recording {path} is absent (see ../shared/data/README.md)")
    return path


def need_tool(name: str) -> None:
    if not shutil.which(name):
        pytest.skip(f"{name} is not installed (make setup installs it)")
