"""Clearing a killed run's temp files touches callvault's own temp folders only, and never a call folder."""

import os
import tempfile
from pathlib import Path

from callvault.config import AppConfig
from callvault.tempnames import tag
from callvault.worker.runner import clear_leftovers

NEVER_ALIVE = 2**22 + 7  # above Linux's largest pid_max


def _dead(prefix: str) -> str:
    return tag(prefix).replace(f".{os.getpid()}.", f".{NEVER_ALIVE}.", 1)


def test_a_call_id_with_pid_in_it_keeps_its_folder(tmp_path):
    data = tmp_path / "data"
    folder = data / "calls" / "ACME-pid999999-0042__0123456789ab"
    folder.mkdir(parents=True)
    (folder / "transcript.json").write_text("{}")
    clear_leftovers(AppConfig(data_dir=data))
    assert (folder / "transcript.json").exists()


def test_other_programs_files_in_the_system_temp_folder_are_left_alone(tmp_path, monkeypatch):
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    others = [system_tmp / f"callvault-pid{NEVER_ALIVE}.x", system_tmp / f"build-pid{NEVER_ALIVE}-cache", system_tmp / f"{_dead('work-')}abc"]
    for path in others:
        path.mkdir()
    clear_leftovers(AppConfig(data_dir=tmp_path / "data"))
    assert all(p.exists() for p in others)


def test_a_dead_process_s_private_temp_folder_is_cleared(tmp_path):
    data = tmp_path / "data"
    dead = data / "tmp" / f"{_dead('work-')}abc"
    dead.mkdir(parents=True)
    (dead / "download.wav").write_bytes(b"RIFF")
    alive = data / "tmp" / f"{tag('work-')}def"
    alive.mkdir()
    assert clear_leftovers(AppConfig(data_dir=data)) == [dead]
    assert not dead.exists() and alive.exists()
