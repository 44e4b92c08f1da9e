"""The sealed-object format, version 1: framed AES-256-GCM with an envelope header.

A sealed object is a header followed by frames. All integers are big-endian.

Header::

    offset  size  field
    0       4     magic b"CVLT"
    4       1     format version = 1
    5       1     suite = 1 (AES-256-GCM frames, HKDF-SHA256 frame key)
    6       4     F: plaintext bytes per frame (1 .. 16 MiB)
    10      16    salt, random per object
    26      1+n   key id: u8 n, then n ASCII bytes (the recording key's id)
    ..      2+m   context: u16 m, then m bytes of canonical JSON
    ..      1+60  wrapped data key: u8 60, then nonce(12) || ciphertext(32) || tag(16)

* The context is ``{"kind", "recording_id", "tenant"}`` as canonical JSON
  (sorted keys, no spaces, ASCII). ``open`` compares it with the context the
  caller expects before anything is decrypted.
* The data key (32 random bytes, fresh per object) is wrapped with AES-256-GCM
  under the recording key; its associated data is every header byte before
  the wrapped-key field, so the version, frame size, salt, key id and context
  are all bound to it.

Frames: ``frame_key || nonce_prefix = HKDF-SHA256(ikm=data key, salt=salt,
info=b"callvault vault v1 frames", length=39)`` (32-byte key, 7-byte prefix).
Frame ``i`` (from 0) is::

    nonce_i = nonce_prefix || u32(i) || u8(final)
    aad_i   = SHA-256(header) || u32(i) || u8(final)
    frame_i = AES-256-GCM(frame_key, nonce_i, plaintext_i, aad_i)   (ciphertext || 16-byte tag)

Every frame but the last carries exactly F plaintext bytes; the last carries
0..F bytes and is the only one with ``final = 1``. An empty plaintext is one
final frame of 16 bytes (the tag alone). Because the index and the final flag
are in both nonce and associated data, a reordered, swapped, dropped,
duplicated or appended frame and a truncation at any byte all fail to open.

Every failure to open raises :class:`IntegrityError`, with one message that
never says which byte or check failed. Nothing here logs or prints.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from callvault.models.errors import IntegrityError, VaultError

MAGIC = b"CVLT"
VERSION = 1
SUITE_AES256GCM_HKDF = 1
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7
WRAPPED_KEY_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES
DEFAULT_FRAME_SIZE = 1 << 20
MAX_FRAME_SIZE = 16 << 20
MAX_FRAMES = 1 << 32
MAX_CONTEXT_BYTES = 4096
FRAME_INFO = b"callvault vault v1 frames"
CONTEXT_FIELDS = ("kind", "recording_id", "tenant")

_FIXED = struct.Struct(">4sBBI16s")  # magic, version, suite, frame size, salt


def canonical_context(context: Mapping[str, str]) -> bytes:
    """The context as canonical JSON bytes: sorted keys, no spaces, ASCII only."""
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in context.items()):
        raise VaultError("encryption context keys and values must be strings")
    return json.dumps(dict(context), sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


@dataclass(frozen=True)
class Header:
    """A parsed (or freshly built) header. The wrapped key and raw bytes stay out of reprs."""

    frame_size: int
    salt: bytes = field(repr=False)
    key_id: str
    context: Mapping[str, str]
    wrapped_data_key: bytes = field(repr=False)
    raw: bytes = field(repr=False)

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.raw).digest()


def _canonical_or_none(context: Any) -> bytes | None:
    try:
        return canonical_context(context)
    except VaultError:
        return None


def _check_frame_size(frame_size: int) -> None:
    if not isinstance(frame_size, int) or not 1 <= frame_size <= MAX_FRAME_SIZE:
        raise VaultError(f"frame size must be 1..{MAX_FRAME_SIZE} bytes, got {frame_size!r}")


def _header_prefix(frame_size: int, salt: bytes, key_id: str, context: Mapping[str, str]) -> bytes:
    _check_frame_size(frame_size)
    if len(salt) != SALT_BYTES:
        raise VaultError(f"salt must be {SALT_BYTES} bytes")
    kid = key_id.encode("ascii")
    if not 1 <= len(kid) <= 255:
        raise VaultError("key id must be 1..255 ASCII characters")
    ctx = canonical_context(context)
    if len(ctx) > MAX_CONTEXT_BYTES:
        raise VaultError(f"encryption context over {MAX_CONTEXT_BYTES} bytes")
    return b"".join(
        (
            _FIXED.pack(MAGIC, VERSION, SUITE_AES256GCM_HKDF, frame_size, salt),
            struct.pack(">B", len(kid)),
            kid,
            struct.pack(">H", len(ctx)),
            ctx,
        )
    )


def build_header(
    *,
    recording_key: bytes,
    key_id: str,
    context: Mapping[str, str],
    data_key: bytes,
    salt: bytes,
    wrap_nonce: bytes,
    frame_size: int = DEFAULT_FRAME_SIZE,
) -> Header:
    """A header with ``data_key`` wrapped under ``recording_key``. Deterministic in its inputs."""
    if len(recording_key) != KEY_BYTES or len(data_key) != KEY_BYTES or len(wrap_nonce) != NONCE_BYTES:
        raise VaultError("recording key and data key must be 32 bytes, the wrap nonce 12")
    prefix = _header_prefix(frame_size, salt, key_id, context)
    wrapped = wrap_nonce + AESGCM(recording_key).encrypt(wrap_nonce, data_key, prefix)
    raw = prefix + struct.pack(">B", len(wrapped)) + wrapped
    return Header(frame_size, salt, key_id, dict(context), wrapped, raw)


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = src.read(n - len(data))
        if not chunk:
            raise IntegrityError()
        data += chunk
    return bytes(data)


def read_header(src: BinaryIO) -> Header:
    """Parse the header at the start of ``src``; anything malformed is an IntegrityError."""
    fixed = _read_exact(src, _FIXED.size)
    magic, version, suite, frame_size, salt = _FIXED.unpack(fixed)
    if magic != MAGIC or version != VERSION or suite != SUITE_AES256GCM_HKDF or not 1 <= frame_size <= MAX_FRAME_SIZE:
        raise IntegrityError()
    (kid_len,) = _read_exact(src, 1)
    kid = _read_exact(src, kid_len) if kid_len else b""
    (ctx_len,) = struct.unpack(">H", _read_exact(src, 2))
    if not kid or ctx_len > MAX_CONTEXT_BYTES:
        raise IntegrityError()
    ctx_raw = _read_exact(src, ctx_len)
    (wrapped_len,) = _read_exact(src, 1)
    if wrapped_len != WRAPPED_KEY_BYTES:
        raise IntegrityError()
    wrapped = _read_exact(src, wrapped_len)
    try:
        key_id = kid.decode("ascii")
        context = json.loads(ctx_raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise IntegrityError() from None
    if not isinstance(context, dict) or _canonical_or_none(context) != ctx_raw:
        raise IntegrityError()
    raw = fixed + bytes((kid_len,)) + kid + struct.pack(">H", ctx_len) + ctx_raw + bytes((wrapped_len,)) + wrapped
    return Header(frame_size, salt, key_id, context, wrapped, raw)


def unwrap_data_key(header: Header, recording_key: bytes) -> bytes:
    """The object's data key; IntegrityError when the recording key or header is wrong."""
    prefix = header.raw[: -(1 + WRAPPED_KEY_BYTES)]
    nonce, body = header.wrapped_data_key[:NONCE_BYTES], header.wrapped_data_key[NONCE_BYTES:]
    try:
        return AESGCM(recording_key).decrypt(nonce, body, prefix)
    except (InvalidTag, ValueError):
        raise IntegrityError() from None


class _FrameCipher:
    """Frame key, nonce prefix and header digest for one object."""

    def __init__(self, header: Header, data_key: bytes):
        okm = HKDF(
            algorithm=hashes.SHA256(), length=KEY_BYTES + NONCE_PREFIX_BYTES, salt=header.salt, info=FRAME_INFO
        ).derive(data_key)
        self.aead = AESGCM(okm[:KEY_BYTES])
        self.prefix = okm[KEY_BYTES:]
        self.digest = header.digest

    def nonce_aad(self, index: int, final: bool) -> tuple[bytes, bytes]:
        if index >= MAX_FRAMES:
            raise VaultError("object too large for its frame size; raise [vault] frame_size")
        tail = struct.pack(">IB", index, 1 if final else 0)
        return self.prefix + tail, self.digest + tail

    def __repr__(self) -> str:
        return "<_FrameCipher>"


def _fill(src: BinaryIO, view: memoryview) -> int:
    """Read until ``view`` is full or the stream ends; returns the bytes read."""
    readinto = getattr(src, "readinto", None)
    got = 0
    while got < len(view):
        if readinto is not None:
            n = readinto(view[got:])
        else:
            chunk = src.read(len(view) - got)
            n = len(chunk) if chunk else 0
            view[got : got + n] = chunk or b""
        if not n:
            break
        got += n
    return got


def seal_stream(src: BinaryIO, dst: BinaryIO, header: Header, data_key: bytes) -> int:
    """Write ``header`` and the frames of ``src`` to ``dst``; returns ciphertext bytes written.

    Memory: two frame buffers and one output buffer, whatever the stream's length.
    """
    cipher = _FrameCipher(header, data_key)
    size = header.frame_size
    cur, nxt = memoryview(bytearray(size)), memoryview(bytearray(size))
    out = memoryview(bytearray(size + TAG_BYTES))
    dst.write(header.raw)
    written = len(header.raw)
    n = _fill(src, cur)
    index = 0
    while True:
        m = _fill(src, nxt) if n == size else 0
        final = m == 0
        nonce, aad = cipher.nonce_aad(index, final)
        cipher.aead.encrypt_into(nonce, cur[:n], aad, out[: n + TAG_BYTES])
        dst.write(out[: n + TAG_BYTES])
        written += n + TAG_BYTES
        if final:
            return written
        cur, nxt, n = nxt, cur, m
        index += 1


def open_stream(src: BinaryIO, dst: BinaryIO | None, header: Header, data_key: bytes) -> int:
    """Authenticate and decrypt the frames after ``header``; returns plaintext bytes.

    Only authenticated frames reach ``dst`` (None: check only, write nothing).
    """
    cipher = _FrameCipher(header, data_key)
    size = header.frame_size + TAG_BYTES
    cur, nxt = memoryview(bytearray(size)), memoryview(bytearray(size))
    out = memoryview(bytearray(header.frame_size))
    n = _fill(src, cur)
    index = total = 0
    while True:
        if n < TAG_BYTES:
            raise IntegrityError()
        m = _fill(src, nxt) if n == size else 0
        final = m == 0
        nonce, aad = cipher.nonce_aad(index, final)
        plain = n - TAG_BYTES
        try:
            cipher.aead.decrypt_into(nonce, cur[:n], aad, out[:plain])
        except (InvalidTag, ValueError):
            raise IntegrityError() from None
        if dst is not None:
            dst.write(out[:plain])
        total += plain
        if final:
            return total
        cur, nxt, n = nxt, cur, m
        index += 1


def seal(
    src: BinaryIO,
    dst: BinaryIO,
    *,
    recording_key: bytes,
    key_id: str,
    context: Mapping[str, str],
    randbytes: Callable[[int], bytes],
    frame_size: int = DEFAULT_FRAME_SIZE,
) -> int:
    """Seal ``src`` into ``dst`` under a fresh data key drawn from ``randbytes``.

    Draw order (pinned by the known-answer test): data key (32), salt (16), wrap nonce (12).
    """
    data_key = randbytes(KEY_BYTES)
    salt = randbytes(SALT_BYTES)
    wrap_nonce = randbytes(NONCE_BYTES)
    header = build_header(
        recording_key=recording_key,
        key_id=key_id,
        context=context,
        data_key=data_key,
        salt=salt,
        wrap_nonce=wrap_nonce,
        frame_size=frame_size,
    )
    return seal_stream(src, dst, header, data_key)


def open_sealed(
    src: BinaryIO,
    dst: BinaryIO | None,
    *,
    expected_context: Mapping[str, str],
    recording_key_for: Callable[[Header], bytes],
) -> int:
    """Open a sealed stream: check the context, get the recording key, then the frames."""
    header = read_header(src)
    if canonical_context(header.context) != canonical_context(expected_context):
        raise IntegrityError()
    data_key = unwrap_data_key(header, recording_key_for(header))
    return open_stream(src, dst, header, data_key)
