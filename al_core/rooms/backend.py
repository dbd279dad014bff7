"""What a store must provide so the room's rules are written once: a transaction and a snapshot.

The rules (`store.RoomStore`) run inside `transact(code, rule)`: the rule reads the room through
a `RoomTx`, and every change it makes is buffered in `Writes` and applied at once when the rule
returns. The in-process store runs the rule under a lock; the Redis store runs it under WATCH
and runs it again if another client changed what it read, so no two rules ever interleave.

A room is four plain-JSON parts, kept apart so that 60 students voting never contend:
- the document: classes, the secret's digest, the current question, counters (changed only by
  the teacher's actions);
- the students: token -> number (1, 2, …), added by joins;
- the votes on the current question: student number -> class, one field per student;
- the record: every question that closed, with its votes, in question-id order;
plus the time of the last action, which decides when an idle room expires.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
Rule = Callable[["RoomTx"], T]


class RoomStoreUnavailable(RuntimeError):
    """The shared store cannot be reached; the message is written for the teacher to read."""


def unavailable_message(where: str) -> str:
    """What the teacher reads when the store is gone: what broke, and that the run is safe."""
    return (
        f"The room cannot reach its store ({where}), so votes cannot be collected right now. "
        "Your run and every label it holds are safe in this browser. Try again in a moment, "
        "or close the room and go on labeling yourself."
    )


@dataclass
class Writes:
    """Changes a rule makes, applied together when it returns (or not at all)."""

    doc: dict[str, Any] | None = None
    students: dict[str, int] = field(default_factory=dict)
    votes: dict[int, int] = field(default_factory=dict)
    clear_votes: bool = False
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    touched: float | None = None
    delete: bool = False
    warnings: list[str] = field(default_factory=list)


class RoomTx(ABC):
    """One room seen inside a transaction: reads from the store, writes into `writes`."""

    def __init__(self) -> None:
        self.writes = Writes()

    @abstractmethod
    def doc(self) -> dict[str, Any] | None:
        """The room's document, or None when there is no such room."""

    @abstractmethod
    def seen(self) -> float | None:
        """When anyone last acted in the room."""

    @abstractmethod
    def student(self, token: str) -> int | None:
        """The student's number, or None for a token this room never issued."""

    @abstractmethod
    def n_students(self) -> int:
        """How many students have joined."""

    @abstractmethod
    def votes(self) -> dict[int, int]:
        """The current question's votes: student number -> class."""

    @abstractmethod
    def records(self) -> list[dict[str, Any]]:
        """Every recorded question, in id order."""

    def entry(self, question_id: int) -> dict[str, Any] | None:
        """One recorded question (a store may read just that one)."""
        entries = self.records()
        return entries[question_id - 1] if 1 <= question_id <= len(entries) else None

    def save(self, doc: dict[str, Any]) -> None:
        """Replace the room's document."""
        self.writes.doc = doc

    def add_student(self, token: str, number: int) -> None:
        """Admit a student under the next number."""
        self.writes.students[token] = number

    def set_vote(self, student: int, cls: int) -> None:
        """Record (or replace) a student's vote on the current question."""
        self.writes.votes[student] = cls

    def clear_votes(self) -> None:
        """Start the next question's votes from nothing."""
        self.writes.clear_votes = True

    def put_record(self, entry: dict[str, Any]) -> None:
        """Write a question's record entry (its id says where)."""
        self.writes.records[int(entry["id"])] = entry

    def touch(self, now: float) -> None:
        """Note an action, so the room is not idle."""
        self.writes.touched = now

    def delete(self) -> None:
        """Remove every part of the room, and drop what this transaction wrote so far; writes
        after it start the room afresh (a store applies the deletion first)."""
        self.writes = Writes(delete=True, warnings=self.writes.warnings)

    def warn(self, what: str) -> None:
        """Log a refused input once the transaction has committed (a retry never logs twice)."""
        self.writes.warnings.append(what)


@dataclass(frozen=True)
class Snapshot:
    """One consistent read of a room for a page's poll, fetched in a single round trip."""

    doc: dict[str, Any] | None
    seen: float | None
    n_students: int
    votes: dict[int, int]
    student: int | None = None  # the number of the token asked about, if any
    records: list[dict[str, Any]] | None = None


class Backend(ABC):
    """Where rooms live; `RoomStore` puts the rules on top."""

    @abstractmethod
    def _transact(self, code: str, rule: Rule) -> tuple[Any, Writes]:
        """Run `rule` on room `code` atomically and apply its writes; raise
        RoomStoreUnavailable when the store cannot be reached."""

    @abstractmethod
    def _snapshot(self, code: str, token: str | None = None, records: bool = False) -> Snapshot:
        """Read room `code` for a poll in one round trip (the record only when asked)."""
