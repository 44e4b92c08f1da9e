import os
import socket

from callvault.tempnames import clear_stale, tag

NEVER_ALIVE = 2**22 + 7  # above Linux's largest pid_max: no such process can exist


def _dead_tag(prefix: str) -> str:
    """What ``tag(prefix)`` gives in a process of this host whose pid is NEVER_ALIVE."""
    return tag(prefix).replace(f".{os.getpid()}.", f".{NEVER_ALIVE}.", 1)


def test_only_a_dead_process_s_temp_files_are_cleared(tmp_path):
    dead_file = tmp_path / f"{_dead_tag('.transcript.json.')}x.part"
    dead_file.write_text("half written")
    dead_folder = tmp_path / f"{_dead_tag('.call__abc.')}z.part"
    dead_folder.mkdir()
    (dead_folder / "events.json").write_text("[]")
    mine = tmp_path / f"{tag('.findings.json.')}y.part"
    mine.write_text("being written")
    plain = tmp_path / "transcript.json"
    plain.write_text("{}")
    removed = clear_stale([tmp_path, tmp_path / "missing"])
    assert sorted(removed) == sorted([dead_file, dead_folder])
    assert mine.exists() and plain.exists()


def test_a_call_folder_or_another_program_s_file_is_never_cleared(tmp_path):
    # Names that the old unanchored ``[.-]pid<N>[.-]`` pattern took for callvault's own.
    call_folder = tmp_path / f"ACME-pid{NEVER_ALIVE}-0042__0123456789ab"
    call_folder.mkdir()
    (call_folder / "transcript.json").write_text("{}")
    others = [tmp_path / f"build-pid{NEVER_ALIVE}-log.txt", tmp_path / f"x.pid{NEVER_ALIVE}.sock"]
    for path in others:
        path.write_text("not ours")
    assert clear_stale([tmp_path]) == []
    assert call_folder.is_dir() and all(p.exists() for p in others)


def test_another_host_s_temp_files_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(socket, "gethostname", lambda: "other-host.example")
    theirs = tmp_path / f"{_dead_tag('.seal-')}q.cvlt"
    monkeypatch.undo()
    theirs.write_text("another host's live spool file on shared storage")
    assert clear_stale([tmp_path]) == []
    assert theirs.exists()
