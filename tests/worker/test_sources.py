import json
import os
from datetime import datetime, timezone

import pytest

from callvault.models import InputError
from helpers import moto_server
from callvault.worker.sources import Selection, WorkItem, folder_items, iter_items, manifest_items, materialise


def _touch(path, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_folder_recursive_with_globs(tmp_path):
    _touch(tmp_path / "a" / "one.wav")
    _touch(tmp_path / "a" / "two.mp3")
    _touch(tmp_path / "b" / "skip-me.wav")
    _touch(tmp_path / "b" / "notes.txt")
    _touch(tmp_path / ".hidden.wav")
    names = lambda sel: sorted(i.name for i in folder_items(tmp_path, sel))
    assert names(Selection()) == ["one.wav", "skip-me.wav", "two.mp3"]
    assert names(Selection(include=("*.wav",))) == ["one.wav", "skip-me.wav"]
    assert names(Selection(exclude=("skip-*",))) == ["one.wav", "two.mp3"]
    assert names(Selection(include=("a/*",))) == ["one.wav", "two.mp3"]


def test_since_until_by_file_time_and_metadata(tmp_path):
    _touch(tmp_path / "old.wav", mtime=datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
    new = _touch(tmp_path / "new.wav", mtime=datetime(2026, 6, 1, tzinfo=timezone.utc).timestamp())
    since = Selection(since=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert [i.name for i in iter_items([str(tmp_path)], since)] == ["new.wav"]
    until = Selection(until=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert [i.name for i in iter_items([str(tmp_path)], until)] == ["old.wav"]
    # Metadata's started_at beats the file time.
    item = WorkItem(str(new), metadata={"started_at": "2025-12-31T10:00:00Z"}, modified=new.stat().st_mtime)
    assert until.accepts_time(item) and not since.accepts_time(item)


def test_manifests_csv_and_jsonl(tmp_path):
    _touch(tmp_path / "rec" / "c1.wav")
    (tmp_path / "m.csv").write_text("path,call_id,direction,customer_states\nrec/c1.wav,C-1,inbound,CA;WA\ns3://bucket/x/c2.wav,C-2,outbound,\n")
    items = list(manifest_items(tmp_path / "m.csv"))
    assert items[0].uri == str(tmp_path / "rec" / "c1.wav")
    assert items[0].metadata == {"call_id": "C-1", "direction": "inbound", "customer_states": ["CA", "WA"]}
    assert items[1].is_s3 and items[1].metadata == {"call_id": "C-2", "direction": "outbound"}
    (tmp_path / "m.jsonl").write_text(json.dumps({"uri": "rec/c1.wav", "tags": ["vip"]}) + "\n\n")
    assert list(manifest_items(tmp_path / "m.jsonl"))[0].metadata == {"tags": ["vip"]}
    (tmp_path / "bad.jsonl").write_text('{"call_id": "no path"}\n')
    with pytest.raises(InputError, match="no 'path' or 'uri'"):
        list(manifest_items(tmp_path / "bad.jsonl"))


def test_s3_prefix_listed_and_streamed_from_a_real_s3_server(tmp_path):
    import boto3

    with moto_server() as url:
        client = boto3.client(
            "s3", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket="archive")
        client.put_object(Bucket="archive", Key="2026/11/27/a.wav", Body=b"RIFF-a")
        client.put_object(Bucket="archive", Key="2026/11/27/b.txt", Body=b"not audio")
        client.put_object(Bucket="archive", Key="2026/11/28/c.wav", Body=b"RIFF-c")
        items = list(iter_items(["s3://archive/2026/11/27/"], Selection(), lambda: client))
        assert [i.uri for i in items] == ["s3://archive/2026/11/27/a.wav"]
        local = materialise(items[0], tmp_path, client)
        assert local.read_bytes() == b"RIFF-a" and local.parent == tmp_path
