"""The sealed-object format: known answers, round trips, and every way a stream can be damaged."""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from callvault.models.errors import IntegrityError
from callvault.vault import format as fmt

RK = bytes(range(0, 32))
DK = bytes(range(32, 64))
SALT = bytes(range(64, 80))
WRAP_NONCE = bytes(range(80, 92))
CTX = {"kind": "original", "recording_id": "00" * 32, "tenant": "acme"}
KAT_PLAINTEXT = b"callvault known-answer vector: 3 frames."
KAT_HEX = (
    "43564c54010100000010404142434445464748494a4b4c4d4e4f06726b2d6b61"
    "7400757b226b696e64223a226f726967696e616c222c227265636f7264696e67"
    "5f6964223a223030303030303030303030303030303030303030303030303030"
    "3030303030303030303030303030303030303030303030303030303030303030"
    "303030303030222c2274656e616e74223a2261636d65227d3c50515253545556"
    "5758595a5bb2061457c0759fc1749f174ee1ccadfad31ecfd81644ac151cb0da"
    "e0cc7dab4b556ad176daf8b7dec3381f9034684a3fbf5979d4482c1529bf4ba7"
    "aedc5a4b148c5170b565382adb3dd928c05b08ab15b001c2e37d6fa4cb0f005f"
    "6d003b1685a93e3e8f864d17b967745fc4f4523dab02e4058c40ddca989672cf"
    "97daa7f7fef45984233fabb7c8"
)


class Draws:
    """Injected randomness: hands out the given byte strings in order, checking sizes."""

    def __init__(self, *values: bytes):
        self.values = list(values)

    def __call__(self, n: int) -> bytes:
        value = self.values.pop(0)
        assert len(value) == n
        return value


def sealed(plaintext: bytes, *, frame_size: int = 16, context=CTX, rk: bytes = RK, key_id: str = "rk-kat", dk: bytes = DK, salt: bytes = SALT) -> bytes:
    out = io.BytesIO()
    fmt.seal(
        io.BytesIO(plaintext),
        out,
        recording_key=rk,
        key_id=key_id,
        context=context,
        randbytes=Draws(dk, salt, WRAP_NONCE),
        frame_size=frame_size,
    )
    return out.getvalue()


def opened(blob: bytes, *, context=CTX, rk: bytes = RK) -> bytes:
    out = io.BytesIO()
    fmt.open_sealed(io.BytesIO(blob), out, expected_context=context, recording_key_for=lambda header: rk)
    return out.getvalue()


def split(blob: bytes, frame_size: int = 16) -> tuple[bytes, list[bytes]]:
    header = fmt.read_header(io.BytesIO(blob))
    body = blob[len(header.raw) :]
    step = frame_size + fmt.TAG_BYTES
    return header.raw, [body[i : i + step] for i in range(0, len(body), step)]


# -- known answers -------------------------------------------------------------


def test_known_answer_vector_is_pinned():
    assert sealed(KAT_PLAINTEXT).hex() == KAT_HEX
    assert opened(bytes.fromhex(KAT_HEX)) == KAT_PLAINTEXT


def test_known_answer_vector_matches_the_documented_layout():
    """Rebuild the KAT from the spec with bare primitives, independent of the module."""
    ctx = b'{"kind":"original","recording_id":"' + b"0" * 64 + b'","tenant":"acme"}'
    prefix = b"CVLT" + bytes([1, 1]) + struct.pack(">I", 16) + SALT + bytes([6]) + b"rk-kat" + struct.pack(">H", len(ctx)) + ctx
    wrapped = WRAP_NONCE + AESGCM(RK).encrypt(WRAP_NONCE, DK, prefix)
    header = prefix + bytes([60]) + wrapped
    okm = HKDF(algorithm=hashes.SHA256(), length=39, salt=SALT, info=b"callvault vault v1 frames").derive(DK)
    aead, nonce_prefix, digest = AESGCM(okm[:32]), okm[32:], hashlib.sha256(header).digest()
    chunks = [KAT_PLAINTEXT[i : i + 16] for i in range(0, len(KAT_PLAINTEXT), 16)]
    frames = b""
    for i, chunk in enumerate(chunks):
        tail = struct.pack(">IB", i, int(i == len(chunks) - 1))
        frames += aead.encrypt(nonce_prefix + tail, chunk, digest + tail)
    assert (header + frames).hex() == KAT_HEX


def test_empty_plaintext_is_one_final_frame_of_tag_only():
    blob = sealed(b"")
    header, frames = split(blob)
    assert frames and len(frames) == 1 and len(frames[0]) == fmt.TAG_BYTES
    assert opened(blob) == b""


# -- round trips ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 15, 16, 17, 32, 33, 16 * 7, 1000])
def test_round_trip_at_frame_boundaries(size):
    data = bytes(i % 251 for i in range(size))
    blob = sealed(data)
    frames = split(blob)[1]
    assert len(frames) == max(1, -(-size // 16))
    assert opened(blob) == data


class Trickle(io.RawIOBase):
    """A pipe-like source: short reads, and no readinto on the wrapper below."""

    def __init__(self, data: bytes):
        self.data = data

    def readable(self):
        return True

    def readinto(self, buf):
        n = min(len(buf), 5, len(self.data))
        buf[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


class ReadOnly:
    def __init__(self, data: bytes):
        self._io = io.BytesIO(data)

    def read(self, n=-1):
        return self._io.read(min(n, 7))


@pytest.mark.parametrize("wrap", [Trickle, ReadOnly])
def test_short_reads_give_the_same_bytes(wrap):
    data = bytes(range(200))
    out = io.BytesIO()
    fmt.seal(wrap(data), out, recording_key=RK, key_id="rk-kat", context=CTX, randbytes=Draws(DK, SALT, WRAP_NONCE), frame_size=16)
    assert out.getvalue() == sealed(data)
    got = io.BytesIO()
    fmt.open_sealed(wrap(out.getvalue()), got, expected_context=CTX, recording_key_for=lambda h: RK)
    assert got.getvalue() == data


def test_header_repr_hides_salt_and_wrapped_key():
    header = fmt.read_header(io.BytesIO(sealed(b"x")))
    text = repr(header)
    assert "rk-kat" in text and SALT.hex() not in text and header.wrapped_data_key.hex() not in text
    assert "wrapped_data_key" not in text and "raw" not in text


# -- damage: every failure is the same opaque IntegrityError -------------------

DATA = bytes(range(80))  # five full frames of 16


def assert_opaque(blob: bytes, **kw) -> str:
    with pytest.raises(IntegrityError) as info:
        opened(blob, **kw)
    return str(info.value)


def test_every_single_bit_flip_is_detected_with_one_message():
    blob = sealed(DATA)
    messages = set()
    for pos in range(len(blob)):
        for bit in (0x01, 0x80):
            damaged = bytearray(blob)
            damaged[pos] ^= bit
            messages.add(assert_opaque(bytes(damaged)))
    assert len(messages) == 1
    (message,) = messages
    assert "check" in message.lower()
    assert not any(ch.isdigit() for ch in message), "the message must not point at a byte or frame"


def test_every_truncation_is_detected():
    blob = sealed(DATA)
    for length in range(len(blob)):
        assert_opaque(blob[:length])


def test_truncation_at_a_frame_boundary_is_detected():
    header, frames = split(sealed(DATA))
    for keep in range(len(frames)):
        assert_opaque(header + b"".join(frames[:keep]))


def test_swapped_reordered_dropped_and_duplicated_frames_are_detected():
    header, frames = split(sealed(DATA))
    variants = [
        [frames[1], frames[0], *frames[2:]],  # swap
        [*frames[:2], frames[3], frames[2], frames[4]],  # swap in the middle
        frames[:2] + frames[3:],  # drop one
        frames[:-2] + frames[-1:],  # drop the one before the final
        frames[:3] + frames[2:],  # duplicate
        frames + [frames[-1]],  # final frame twice
        list(reversed(frames)),
    ]
    for variant in variants:
        assert_opaque(header + b"".join(variant))


def test_appended_bytes_and_frames_from_another_object_are_detected():
    blob = sealed(DATA)
    assert_opaque(blob + b"\x00")
    other_header, other_frames = split(sealed(DATA, salt=bytes(16)))
    header, frames = split(blob)
    assert_opaque(header + b"".join(frames[:2] + other_frames[2:]))
    assert_opaque(other_header + b"".join(frames))


def test_wrong_recording_key_is_detected():
    assert_opaque(sealed(DATA), rk=bytes(32))


@pytest.mark.parametrize("field,value", [("kind", "transcript"), ("tenant", "other"), ("recording_id", "11" * 32)])
def test_wrong_expected_context_is_detected(field, value):
    assert_opaque(sealed(DATA), context={**CTX, field: value})


def test_a_rewritten_header_context_is_detected():
    """Relabel an object as another recording's, keeping the header well-formed."""
    blob = sealed(DATA)
    forged = blob.replace(b"0" * 64, b"1" * 64, 1)
    assert forged != blob
    assert_opaque(forged, context={**CTX, "recording_id": "11" * 32})


def test_garbage_and_wrong_format_version_are_opaque():
    assert_opaque(b"")
    assert_opaque(b"not a sealed object at all")
    blob = bytearray(sealed(DATA))
    blob[4] = 2  # format version
    assert_opaque(bytes(blob))
