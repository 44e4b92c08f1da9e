"""Durability of renames, the call-folder swap under kill -9, and private modes."""

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from callvault import fsutil
from callvault.fsutil import atomic_write_json, private_tempdir


def _fsynced_inodes(monkeypatch) -> list[int]:
    synced: list[int] = []
    real = os.fsync

    def spy(fd):
        synced.append(os.fstat(fd).st_ino)
        return real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    return synced


def test_an_atomic_write_fsyncs_the_folder_after_the_rename(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    synced = _fsynced_inodes(monkeypatch)
    atomic_write_json(folder / "doc.json", {"a": 1})
    assert folder.stat().st_ino in synced, "the new name is not durable until its folder is fsynced"


def test_keyring_json_writes_fsync_the_key_folder(tmp_path, monkeypatch):
    from helpers import StepClock

    from callvault.vault.keyring import LocalKeyring

    keyring = LocalKeyring(tmp_path / "keys" / "keyring.json", clock=StepClock())
    synced = _fsynced_inodes(monkeypatch)
    keyring.current_key_id()  # creates the key file
    keyring.rotate()
    assert (tmp_path / "keys").stat().st_ino in synced


def test_outputs_are_private(tmp_path):
    target = atomic_write_json(tmp_path / "new" / "deeper" / "doc.json", {})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "deeper").stat().st_mode) == 0o700


def test_private_tempdir_is_inside_callvault_s_own_folder(tmp_path):
    root = tmp_path / "data" / "tmp"
    with private_tempdir(root) as work:
        assert work.parent == root
        assert stat.S_IMODE(work.stat().st_mode) == 0o700 and stat.S_IMODE(root.stat().st_mode) == 0o700
    assert not work.exists()


# Every rename the swap makes is followed, in a child process, by a real kill -9;
# after each kill the call folder must be there, whole: the old or the new.
_SWAP_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from callvault import fsutil
    from callvault.pipeline import write_call_folder

    folder, tmp_root, kill_after = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    seen = [0]

    def killing(real):
        def wrapper(*args, **kwargs):
            result = real(*args, **kwargs)
            seen[0] += 1
            if seen[0] == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return wrapper

    os.replace = killing(os.replace)
    os.rename = killing(os.rename)
    fsutil.exchange_paths = killing(fsutil.exchange_paths)
    write_call_folder(folder, {"transcript.txt": "new", "events.json": ["new"]}, tmp_root)
    print("finished")
    """
)


def test_the_call_folder_swap_never_loses_the_folder(tmp_path):
    from callvault.pipeline import write_call_folder

    folder, tmp_root = tmp_path / "calls" / "CALL-1__0123456789ab", tmp_path / "tmp"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(fsutil.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    for kill_after in range(1, 12):
        write_call_folder(folder, {"transcript.txt": "old", "events.json": ["old"]}, tmp_root)
        run = subprocess.run([sys.executable, "-c", _SWAP_SCRIPT, str(folder), str(tmp_root), str(kill_after)], env=env, capture_output=True, text=True)
        assert folder.is_dir(), f"killed after rename {kill_after}: the call folder is gone"
        text = (folder / "transcript.txt").read_text()
        assert text in ("old", "new") and json.loads((folder / "events.json").read_text()) == [text]
        if run.returncode == 0:
            assert "finished" in run.stdout and text == "new"
            break
    else:
        pytest.fail("the swap never finished")


def test_the_call_folder_is_private_and_replaced_whole(tmp_path):
    from callvault.pipeline import write_call_folder

    folder = tmp_path / "calls" / "CALL-1__0123456789ab"
    write_call_folder(folder, {"a.txt": "1", "b.json": {"x": 1}}, tmp_path / "tmp")
    write_call_folder(folder, {"a.txt": "2"}, tmp_path / "tmp")
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE((folder / "a.txt").stat().st_mode) == 0o600
    assert list((tmp_path / "tmp").iterdir()) == []
