"""An s3:// source is listed AND downloaded through --s3-endpoint (a real moto S3 server)."""

import json

import pytest
from click.testing import CliRunner

from callvault.cli import cli
from helpers import isolate_aws, moto_server

pytestmark = pytest.mark.slow


def test_listing_and_download_use_the_same_endpoint(tmp_path, monkeypatch, short_calls):
    import boto3

    isolate_aws(monkeypatch, tmp_path)
    with moto_server() as url:
        client = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        client.create_bucket(Bucket="archive")
        client.put_object(Bucket="archive", Key="in/call-5.wav", Body=short_calls[5].read_bytes())
        result = CliRunner().invoke(
            cli, ["--data-dir", str(tmp_path / "data"), "process", "--json", "--retries", "0", "--cpu-threads", "1",
                  "--s3-endpoint", url, "s3://archive/in/"],
            catch_exceptions=False,
        )
    summary = json.loads(result.stdout)
    assert summary["processed"] == 1, summary["failures"]
