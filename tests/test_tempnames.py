from callvault.tempnames import clear_stale, tag

NEVER_ALIVE = 2**22 + 7  # above Linux's largest pid_max: no such process can exist


def test_only_a_dead_process_s_temp_files_are_cleared(tmp_path):
    dead_file = tmp_path / f".transcript.json.pid{NEVER_ALIVE}.x.part"
    dead_file.write_text("half written")
    dead_folder = tmp_path / f".call__abc.pid{NEVER_ALIVE}.z.part"
    dead_folder.mkdir()
    (dead_folder / "events.json").write_text("[]")
    mine = tmp_path / f"{tag('.findings.json.')}y.part"
    mine.write_text("being written")
    plain = tmp_path / "transcript.json"
    plain.write_text("{}")
    removed = clear_stale([tmp_path, tmp_path / "missing"])
    assert sorted(removed) == sorted([dead_file, dead_folder])
    assert mine.exists() and plain.exists()
