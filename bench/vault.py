"""Vault benchmark: seal vs raw AES-GCM, peak RSS for a big stream, put/get against moto.

    .venv/bin/python bench/vault.py                      # 512 MiB throughput, 256 MiB RSS, 64 MiB S3
    .venv/bin/python bench/vault.py --rss-size 2G        # the 2 GB peak-RSS case (writes 2 GB of ciphertext to --tmp)
    .venv/bin/python bench/vault.py --only rss --rss-size 2G --rss-store s3   # through multipart S3 (moto)

Plaintext is generated on the fly (a repeating random block), never written
to disk. Peak RSS is measured in a fresh subprocess (ru_maxrss) that runs the
full recipe: ``seal_and_put`` to a local store (spool, store, read back and
verify) then ``open_to`` a null sink.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

MiB = 1 << 20


def parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


class PatternStream(io.RawIOBase):
    """``size`` bytes of a repeating 1 MiB random block, produced as they are read."""

    def __init__(self, size: int, seed: int = 7):
        import random

        self.block = memoryview(random.Random(seed).randbytes(MiB))
        self.left = size
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        n = min(len(buf), self.left, MiB - self.pos)
        buf[:n] = self.block[self.pos : self.pos + n]
        self.pos = (self.pos + n) % MiB
        self.left -= n
        return n


class NullSink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_throughput(size: int, frame_size: int, runs: int) -> dict:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from callvault.vault.format import seal
    from callvault.vault.vault import _HashingWriter

    key = os.urandom(32)
    ctx = {"kind": "original", "recording_id": "0" * 64, "tenant": "bench"}

    def raw() -> None:
        aead = AESGCM(key)
        nonce = os.urandom(12)
        src = PatternStream(size)
        buf = memoryview(bytearray(frame_size))
        out = memoryview(bytearray(frame_size + 16))
        sink = NullSink()
        while n := src.readinto(buf):
            # fill the frame like seal does (the pattern source hands out <= 1 MiB per read)
            while n < frame_size and (m := src.readinto(buf[n:])):
                n += m
            aead.encrypt_into(nonce, buf[:n], None, out[: n + 16])
            sink.write(out[: n + 16])

    def sealed(hashing: bool):
        def run() -> None:
            sink = _HashingWriter(NullSink()) if hashing else NullSink()
            seal(PatternStream(size), sink, recording_key=key, key_id="rk-bench", context=ctx, randbytes=os.urandom, frame_size=frame_size)

        return run

    t_raw, t_seal, t_hash = [], [], []
    for _ in range(runs):  # interleaved, best of each
        t_raw.append(best_of(1, raw))
        t_seal.append(best_of(1, sealed(False)))
        t_hash.append(best_of(1, sealed(True)))
    gbps = lambda t: size / min(t) / 1e9  # noqa: E731
    return {
        "size": size,
        "frame_size": frame_size,
        "raw_aesgcm_GBps": round(gbps(t_raw), 3),
        "seal_GBps": round(gbps(t_seal), 3),
        "seal_over_raw": round(min(t_raw) / min(t_seal), 3),
        "seal_plus_sha256_GBps": round(gbps(t_hash), 3),
    }


def rss_child(size: int, tmp: str, endpoint: str | None) -> None:
    """Runs in a fresh process: seal_and_put + open_to of a generated stream; prints JSON."""
    from callvault.config import AppConfig
    from callvault.vault import open_vault

    def peak_mib() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    with tempfile.TemporaryDirectory(dir=tmp, prefix="callvault-bench-") as data_dir:
        table = {"store": "s3", "s3_bucket": "bench", "s3_endpoint": endpoint} if endpoint else {}
        with open_vault(AppConfig(data_dir=Path(data_dir), tables={"vault": table})) as vault:
            vault.keyring.current_key_id()  # create the key file before the baseline
            base = peak_mib()
            start = time.perf_counter()
            ref = vault.seal_and_put("0" * 64, "original", PatternStream(size))
            t_put = time.perf_counter() - start
            after_seal = peak_mib()
            start = time.perf_counter()
            sink = NullSink()
            vault.open_to(ref, sink)
            t_open = time.perf_counter() - start
            assert sink.size == size
    print(
        json.dumps(
            {
                "size": size,
                "store": "s3 (moto)" if endpoint else "local",
                "baseline_peak_rss_MiB": round(base, 1),
                "after_seal_and_put_peak_rss_MiB": round(after_seal, 1),
                "after_open_peak_rss_MiB": round(peak_mib(), 1),
                "seal_and_put_verify_s": round(t_put, 2),
                "open_s": round(t_open, 2),
            }
        )
    )


def bench_rss(size: int, tmp: str, store: str) -> dict:
    def child(endpoint: str | None) -> dict:
        cmd = [sys.executable, __file__, "--rss-child", str(size), "--tmp", tmp]
        out = subprocess.run(cmd + (["--endpoint", endpoint] if endpoint else []), check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    if store == "local":
        return child(None)
    with moto_server() as url:
        s3_client(url).create_bucket(Bucket="bench")
        return child(url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server():
    """A moto S3 server in its own process on 127.0.0.1 (so it does not share our GIL or RSS)."""
    port = free_port()
    creds = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(creds)
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def s3_client(url: str):
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=url, config=Config(s3={"addressing_style": "path"}))


def bench_s3(size: int, runs: int) -> dict:
    from callvault.config import AppConfig
    from callvault.vault import open_vault

    with moto_server() as url:
        s3 = s3_client(url)
        s3.create_bucket(Bucket="bench")
        with tempfile.TemporaryDirectory(prefix="callvault-bench-") as data_dir:
            config = AppConfig(data_dir=Path(data_dir), tables={"vault": {"store": "s3", "s3_bucket": "bench", "s3_endpoint": url}})
            with open_vault(config) as vault:
                holder = {}

                def put() -> None:
                    holder["ref"] = vault.seal_and_put("1" * 64, "original", PatternStream(size), verify=False)

                def get() -> None:
                    vault.open_to(holder["ref"], NullSink())

                t_put = best_of(runs, put)
                t_get = best_of(runs, get)
                full_key = vault.store.prefix + holder["ref"].key

        def raw_put() -> None:  # the same byte count, straight through boto3, same part size
            upload = s3.create_multipart_upload(Bucket="bench", Key="raw")["UploadId"]
            parts, src, number = [], io.BufferedReader(PatternStream(size), 16 * MiB), 1
            while chunk := src.read(16 * MiB):
                etag = s3.upload_part(Bucket="bench", Key="raw", UploadId=upload, PartNumber=number, Body=chunk)["ETag"]
                parts.append({"ETag": etag, "PartNumber": number})
                number += 1
            s3.complete_multipart_upload(Bucket="bench", Key="raw", UploadId=upload, MultipartUpload={"Parts": parts})

        def raw_get() -> None:
            body = s3.get_object(Bucket="bench", Key=full_key)["Body"]
            while body.read(MiB):
                pass

        t_raw_put = best_of(runs, raw_put)
        t_raw_get = best_of(runs, raw_get)
    return {
        "size": size,
        "put_MBps": round(size / t_put / 1e6, 1),
        "get_MBps": round(size / t_get / 1e6, 1),
        "raw_boto3_put_MBps": round(size / t_raw_put / 1e6, 1),
        "raw_boto3_get_MBps": round(size / t_raw_get / 1e6, 1),
        "note": "put = seal + spool + multipart upload (16 MiB parts); get = download + sha256 + open; "
        "raw = the same bytes through boto3 alone; moto server in a subprocess on 127.0.0.1",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=parse_size, default=512 * MiB, help="bytes for seal vs raw AES-GCM (default 512M)")
    ap.add_argument("--frame-size", type=parse_size, default=MiB)
    ap.add_argument("--rss-size", type=parse_size, default=256 * MiB, help="bytes for the peak-RSS run (2G for the issue's case)")
    ap.add_argument("--s3-size", type=parse_size, default=64 * MiB)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tmp", default=tempfile.gettempdir(), help="where the RSS run's local store lives (needs --rss-size free)")
    ap.add_argument("--only", choices=("throughput", "rss", "s3"), action="append")
    ap.add_argument("--rss-store", choices=("local", "s3"), default="local", help="store for the peak-RSS run")
    ap.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child is not None:
        rss_child(args.rss_child, args.tmp, args.endpoint)
        return
    only = set(args.only or ("throughput", "rss", "s3"))
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    if "throughput" in only:
        results["throughput"] = bench_throughput(args.size, args.frame_size, args.runs)
        print(json.dumps({"throughput": results["throughput"]}), flush=True)
    if "rss" in only:
        results["rss"] = bench_rss(args.rss_size, args.tmp, args.rss_store)
        print(json.dumps({"rss": results["rss"]}), flush=True)
    if "s3" in only:
        results["s3"] = bench_s3(args.s3_size, args.runs)
        print(json.dumps({"s3": results["s3"]}), flush=True)


if __name__ == "__main__":
    main()
