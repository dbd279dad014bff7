"""The in-process store: one server, nothing to install, shared by every session through
`memory_store()`.

Streamlit runs every session of a server in one process, so one dictionary behind one lock is
a store all of them reach. Parts are kept as JSON text, as Redis keeps them, so both stores hand
the rules fresh, plain values and a value that is not JSON fails here too.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from al_core.rooms.backend import RoomTx, Rule, Snapshot, Writes
from al_core.rooms.model import IDLE_SECONDS
from al_core.rooms.store import RoomStore

SWEEP_EVERY = 60.0  # seconds between sweeps for rooms nobody will touch again


@dataclass
class _Room:
    doc: str = "null"
    students: dict[str, int] = field(default_factory=dict)
    votes: dict[int, int] = field(default_factory=dict)
    records: list[str] = field(default_factory=list)
    seen: float | None = None


class _MemoryTx(RoomTx):
    def __init__(self, room: _Room | None) -> None:
        super().__init__()
        self._room = room or _Room()

    def doc(self) -> dict[str, Any] | None:
        return json.loads(self._room.doc)

    def seen(self) -> float | None:
        return self._room.seen

    def student(self, token: str) -> int | None:
        return self._room.students.get(token)

    def n_students(self) -> int:
        return len(self._room.students)

    def votes(self) -> dict[int, int]:
        return dict(self._room.votes)

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(e) for e in self._room.records]


class InProcessStore(RoomStore):
    """Rooms in this process's memory, safe to use from every session's thread at once."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}
        self._swept = clock()

    def _transact(self, code: str, rule: Rule) -> tuple[Any, Writes]:
        with self._lock:
            self._sweep()
            tx = _MemoryTx(self._rooms.get(code))
            result = rule(tx)
            self._apply(code, tx.writes)
        return result, tx.writes

    def _snapshot(self, code: str, token: str | None = None, records: bool = False) -> Snapshot:
        with self._lock:
            room = self._rooms.get(code) or _Room()
            return Snapshot(
                doc=json.loads(room.doc),
                seen=room.seen,
                n_students=len(room.students),
                votes=dict(room.votes),
                student=room.students.get(token) if token is not None else None,
                records=[json.loads(e) for e in room.records] if records else None,
            )

    def _apply(self, code: str, w: Writes) -> None:
        if w.delete:
            self._rooms.pop(code, None)
        if w.doc is None and code not in self._rooms:
            return  # nothing to write to: rules only change rooms that exist
        room = self._rooms.setdefault(code, _Room())
        if w.doc is not None:
            room.doc = json.dumps(w.doc)
        room.students.update(w.students)
        if w.clear_votes:
            room.votes.clear()
        room.votes.update(w.votes)
        for qid, entry in sorted(w.records.items()):
            text = json.dumps(entry)
            if qid <= len(room.records):
                room.records[qid - 1] = text
            else:
                room.records.append(text)
        if w.touched is not None:
            room.seen = w.touched

    def _sweep(self) -> None:
        """Drop rooms idle for longer than IDLE_SECONDS (at most once a minute)."""
        now = self._clock()
        if now - self._swept < SWEEP_EVERY:
            return
        self._swept = now
        for code in [c for c, r in self._rooms.items() if now - (r.seen or now) > IDLE_SECONDS]:
            del self._rooms[code]


_SHARED: InProcessStore | None = None
_SHARED_LOCK = threading.Lock()


def memory_store() -> InProcessStore:
    """The one in-process store of this server, created on first use."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = InProcessStore()
        return _SHARED
