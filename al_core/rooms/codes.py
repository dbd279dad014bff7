"""Room codes, teacher secrets and student tokens, and the checks every input passes first.

A room code is read off a projector and typed on a phone, so it uses 30 symbols that cannot be
mistaken for one another (no 0/O, 1/I/L or U/V) and is drawn with `secrets`, never `random`.
The teacher's secret controls the room and never appears in a join link; the store keeps only
its SHA-256, so reading the store does not give control of a room. A student token names one
browser in one room, so a new vote from it replaces the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import operator
import re
import secrets
from typing import Any

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 symbols, none confusable with another
CODE_LENGTH = 6  # 30**6 = 729 million codes
TOKEN_BYTES = 16  # 128 random bits per student token and 192 per teacher secret
SECRET_BYTES = 24
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TYPED_SEPARATORS = re.compile(r"[\s\-_.]")

log = logging.getLogger("al_core.rooms")


def new_code(length: int = CODE_LENGTH) -> str:
    """A fresh room code, cryptographically random, at least CODE_LENGTH symbols long."""
    return "".join(secrets.choice(ALPHABET) for _ in range(max(length, CODE_LENGTH)))


def new_secret() -> str:
    """The teacher's secret: held in the teacher's session only, it is what controls a room."""
    return secrets.token_urlsafe(SECRET_BYTES)


def new_token() -> str:
    """A student's token: names one browser in one room, so its votes replace each other."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """What the store keeps of a secret: its SHA-256, so the store alone cannot steer a room."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: Any, stored_digest: str) -> bool:
    """True when `secret` is the room's, compared in constant time."""
    return isinstance(secret, str) and hmac.compare_digest(digest(secret), stored_digest)


def parse_code(raw: Any) -> str | None:
    """A code as a person types it ("abc 234", "ABC-234") in canonical form, or None.

    Case, spaces and dashes are forgiven; any symbol outside the alphabet, or a wrong length,
    makes it no code at all.
    """
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = _TYPED_SEPARATORS.sub("", raw).upper()
    if len(code) < CODE_LENGTH or len(code) > 12 or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    """The code as a projector shows it: in groups of three ("ABC 234"), easier to read aloud."""
    return " ".join(code[i : i + 3] for i in range(0, len(code), 3))


def is_token(raw: Any) -> bool:
    """True when `raw` has the shape of a student token (its membership is the store's to say)."""
    return isinstance(raw, str) and _TOKEN.fullmatch(raw) is not None


def as_index(raw: Any) -> int | None:
    """A whole number from a caller (a class, a question id), or None: never a bool or a float."""
    if isinstance(raw, bool):
        return None
    try:
        return operator.index(raw)
    except TypeError:
        return None


def shown(value: Any) -> str:
    """A caller's value as a log line may quote it: short, one line, never a secret in full."""
    return repr(value)[:40]


def ignored(code: Any, what: str) -> None:
    """Log one warning line for an input that was refused; the caller returns None or False."""
    log.warning("room %s: ignored %s", shown(code), what)
