"""The labeled sequence of a run packed into one short, URL-safe string (a link's `q`).

`q` format (version 1): a flag byte (1 = plain, 2 = the rest is zlib-compressed), then unsigned
LEB128 varints: index bit width, label bit width, number of runs, and per run (consecutive steps
with the same batch size and source) its step count, batch size and source code; then the number
of set-aside points. After that a bit stream, most significant bit first: for every labeled point
its pool index and label in those widths, then the set-aside indices; zero-padded to a byte.
Source codes are positions in SOURCE_CODES and never change, so old links keep working.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from al_core.data import MAX_ROWS

# Appended to, never reordered: a link stores a source as its position here (a test holds
# every learner source to have a code).
SOURCE_CODES = ("initial", "oracle", "noisy oracle", "you", "random", "class")
MAX_Q_CHARS = 200_000  # far above any real session; stops a pasted novel from being decoded
_PLAIN, _ZLIB = 1, 2


class SharedStep(NamedTuple):
    """One replayable step: pool indices, the labels given to them, and who gave them."""

    indices: tuple[int, ...]
    labels: tuple[int, ...]
    source: str


def pack_steps(steps: Iterable[SharedStep], skipped: Iterable[int] = ()) -> str:
    """The labeled sequence (and set-aside points) as one short base64url string."""
    steps = [SharedStep(tuple(map(int, s[0])), tuple(map(int, s[1])), str(s[2])) for s in steps]
    skipped = [int(i) for i in skipped]
    for s in steps:
        if len(s.indices) != len(s.labels) or not s.indices:
            raise ValueError("every step needs one label per point, and at least one point")
        if s.source not in SOURCE_CODES:
            raise ValueError(f"cannot share a step from source {s.source!r}")
    idx = np.array([i for s in steps for i in s.indices] + skipped, dtype=np.int64)
    lab = np.array([v for s in steps for v in s.labels], dtype=np.int64)
    if (idx < 0).any() or (lab < 0).any():
        raise ValueError("indices and labels must not be negative")
    wi = int(idx.max()).bit_length() if len(idx) else 0
    wl = int(lab.max()).bit_length() if len(lab) else 0
    runs: list[list[int]] = []
    for s in steps:
        key = [len(s.indices), SOURCE_CODES.index(s.source)]
        if runs and runs[-1][1:] == key:
            runs[-1][0] += 1
        else:
            runs.append([1, *key])
    head = [wi, wl, len(runs), *(v for run in runs for v in run), len(skipped)]
    n_pts = len(lab)
    pairs = np.concatenate([_bits(idx[:n_pts], wi), _bits(lab, wl)], axis=1)
    stream = np.concatenate([pairs.ravel(), _bits(idx[n_pts:], wi).ravel()])
    body = b"".join(_varint(v) for v in head) + np.packbits(stream).tobytes()
    squeezed = zlib.compress(body, 9)
    raw = bytes([_ZLIB]) + squeezed if len(squeezed) < len(body) else bytes([_PLAIN]) + body
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _bits(values: np.ndarray, width: int) -> np.ndarray:
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] >> shifts) & 1).astype(np.uint8)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def unpack_steps(text: str) -> tuple[list[SharedStep], list[int]]:
    """Inverse of pack_steps; raises ValueError with a short reason if the text is damaged."""
    if len(text) > MAX_Q_CHARS:
        raise ValueError("it is too long")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("it holds characters a link never uses")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("it is not valid base64") from exc
    if not raw or raw[0] not in (_PLAIN, _ZLIB):
        raise ValueError("its format is unknown")
    body = raw[1:]
    if raw[0] == _ZLIB:
        inflate = zlib.decompressobj()
        try:
            body = inflate.decompress(body, 4 * MAX_Q_CHARS)
        except zlib.error as exc:
            raise ValueError("it does not decompress") from exc
        if inflate.unconsumed_tail or not inflate.eof:
            raise ValueError("it does not decompress")
    reader = _Reader(body)
    wi, wl = reader.varint(), reader.varint()
    if wi > 24 or wl > 8:
        raise ValueError("its field widths are impossible")
    runs = [(reader.varint(), reader.varint(), reader.varint()) for _ in range(reader.count())]
    n_pts = 0
    for count, batch, code in runs:
        if count < 1 or batch < 1 or code >= len(SOURCE_CODES):
            raise ValueError("a step header is impossible")
        n_pts += count * batch
        if n_pts > MAX_ROWS:
            raise ValueError("it labels more points than any pool holds")
    n_skip = reader.count()
    rest = body[reader.pos :]
    n_bits = n_pts * (wi + wl) + n_skip * wi
    if len(rest) != math.ceil(n_bits / 8):
        raise ValueError("it was cut short or has extra bytes")
    stream = np.unpackbits(np.frombuffer(rest, np.uint8))
    if stream[n_bits:].any():
        raise ValueError("its padding is not zero")
    pairs = stream[: n_pts * (wi + wl)].reshape(n_pts, wi + wl)
    idx, lab = _ints(pairs[:, :wi]), _ints(pairs[:, wi:])
    skipped = _ints(stream[n_pts * (wi + wl) : n_bits].reshape(n_skip, wi)).tolist()
    steps, pos = [], 0
    for count, batch, code in runs:
        for _ in range(count):
            sl = slice(pos, pos + batch)
            steps.append(
                SharedStep(tuple(idx[sl].tolist()), tuple(lab[sl].tolist()), SOURCE_CODES[code])
            )
            pos += batch
    return steps, skipped


def _ints(bits: np.ndarray) -> np.ndarray:
    weights = (1 << np.arange(bits.shape[1] - 1, -1, -1, dtype=np.int64)).astype(np.int64)
    return bits.astype(np.int64) @ weights if bits.shape[1] else np.zeros(len(bits), np.int64)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def varint(self) -> int:
        value = 0
        for shift in range(0, 35, 7):
            if self.pos >= len(self.data):
                raise ValueError("it was cut short")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
        raise ValueError("a number in it is too long")

    def count(self) -> int:
        n = self.varint()
        if n > MAX_ROWS:
            raise ValueError("it lists more items than any pool holds")
        return n
