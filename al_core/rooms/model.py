"""What a room holds and shows, as frozen values built from the store's plain JSON.

A store keeps a room as JSON documents; these classes are what the pages read. The rules that
need no store live here too, as pure functions: the tally and its majority (a tie has none), the
agreement of the class, and when a question should close by itself (`auto_accept_due`, which a
page calls with the time it polls at).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

IDLE_SECONDS = 3 * 3600  # a room nobody acted in for 3 hours is gone
MAX_STUDENTS = 200
OPEN, CLOSED, WITHDRAWN = "open", "closed", "withdrawn"
BY_CLASS, BY_TEACHER = "class", "teacher"


def counts_of(votes: Mapping[Any, int], n_classes: int) -> tuple[int, ...]:
    """Votes per class, from one vote per student."""
    counts = [0] * n_classes
    for cls in votes.values():
        counts[int(cls)] += 1
    return tuple(counts)


def leaders(counts: Sequence[int]) -> tuple[int, ...]:
    """The classes with the most votes: one is a majority, two or more a tie, none no votes."""
    top = max(counts, default=0)
    return tuple(c for c, n in enumerate(counts) if n == top) if top > 0 else ()


def agreement(counts: Sequence[int]) -> float | None:
    """The share of votes the leading class got: 1.0 is a unanimous class, None no votes."""
    total = sum(counts)
    return max(counts) / total if total else None


@dataclass(frozen=True)
class Tally:
    """The votes on one question: one bar per class, and who has joined and voted."""

    question_id: int
    counts: tuple[int, ...]
    n_students: int

    @property
    def n_votes(self) -> int:
        """Students who voted on this question (a changed vote counts once)."""
        return sum(self.counts)

    @property
    def leaders(self) -> tuple[int, ...]:
        """The classes with the most votes (empty before the first vote)."""
        return leaders(self.counts)

    @property
    def majority(self) -> int | None:
        """The class's answer, or None on a tie or with no votes: then the teacher decides."""
        top = self.leaders
        return top[0] if len(top) == 1 else None

    @property
    def tied(self) -> bool:
        """True when two or more classes share the most votes."""
        return len(self.leaders) > 1

    @property
    def agreement(self) -> float | None:
        """The leading class's share of the votes (None with no votes)."""
        return agreement(self.counts)

    @property
    def shares(self) -> tuple[float, ...]:
        """Each class's share of the votes, for bars that keep their scale as votes arrive."""
        total = self.n_votes
        return tuple(n / total if total else 0.0 for n in self.counts)


@dataclass(frozen=True)
class Question:
    """One question put to the class: the point, what to show of it, and how it ended.

    `truth` is set only once the teacher reveals it, and `counts` only once it closes, so a
    student's view never holds either too early.
    """

    id: int
    point: int
    item: dict[str, Any]
    opened_at: float
    state: str = OPEN
    closed_at: float | None = None
    counts: tuple[int, ...] | None = None
    label: int | None = None
    decided_by: str | None = None
    truth: int | None = None

    @property
    def is_open(self) -> bool:
        """True while students may vote (and change their votes)."""
        return self.state == OPEN

    @classmethod
    def from_json(cls, q: Mapping[str, Any]) -> Question:
        """A question from the store's JSON."""
        counts = q.get("counts")
        return cls(
            id=int(q["id"]),
            point=int(q["point"]),
            item=dict(q.get("item") or {}),
            opened_at=float(q["opened"]),
            state=str(q["state"]),
            closed_at=None if q.get("closed") is None else float(q["closed"]),
            counts=None if counts is None else tuple(int(n) for n in counts),
            label=q.get("label"),
            decided_by=q.get("by"),
            truth=q.get("truth"),
        )


@dataclass(frozen=True)
class Answer:
    """A closed question: the final tally and the class's label (None on a tie or no votes)."""

    question_id: int
    point: int
    tally: Tally

    @property
    def label(self) -> int | None:
        """The label to teach, or None when the teacher has to decide (`settle`)."""
        return self.tally.majority

    @property
    def tied(self) -> tuple[int, ...]:
        """The classes the teacher chooses between on a tie; empty with a majority, and with no
        votes at all (then the teacher may pick any class)."""
        top = self.tally.leaders
        return top if len(top) != 1 else ()


@dataclass(frozen=True)
class QuestionRecord:
    """A question as the record keeps it: how it ended plus every vote, by student number."""

    question: Question
    votes: dict[int, int] = field(default_factory=dict)  # student number -> class

    @property
    def agreement(self) -> float | None:
        """The leading class's share of the votes: below 1 the class was split."""
        return agreement(self.question.counts or ())

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> QuestionRecord:
        """A record entry from the store's JSON (its vote keys are strings there)."""
        votes = {int(k): int(v) for k, v in (entry.get("votes") or {}).items()}
        return cls(Question.from_json(entry), dict(sorted(votes.items())))


@dataclass(frozen=True)
class RoomView:
    """Everything the teacher's page draws, from one round trip to the store."""

    code: str
    class_names: tuple[str, ...]
    n_students: int
    question: Question | None
    tally: Tally | None  # the current question's votes, live while it is open
    revision: int
    expires_at: float

    @property
    def n_voted(self) -> int:
        """Students who voted on the current question."""
        return self.tally.n_votes if self.tally else 0

    @property
    def stamp(self) -> tuple:
        """Equal between two polls exactly when nothing the teacher sees has changed."""
        return (self.revision, self.n_students, self.tally.counts if self.tally else None)


@dataclass(frozen=True)
class StudentView:
    """Everything a phone draws: the question, the student's own vote, the answer when closed."""

    code: str
    class_names: tuple[str, ...]
    student: int  # the student's number in the room, from 1
    question: Question | None
    my_vote: int | None
    last: Question | None = None  # the question answered before this one, with its answer

    @property
    def can_vote(self) -> bool:
        """True while the current question is open."""
        return self.question is not None and self.question.is_open

    @property
    def stamp(self) -> tuple:
        """Equal between two polls exactly when nothing the phone shows has changed."""

        def key(q: Question | None) -> tuple | None:
            return None if q is None else (q.id, q.state, q.label, q.truth)

        return (key(self.question), self.my_vote, key(self.last))


def auto_accept_due(
    view: RoomView,
    now: float,
    after_votes: int | None = None,
    after_seconds: float | None = None,
) -> bool:
    """True when the open question should close by itself: `after_votes` votes are in, or
    `after_seconds` have passed since it opened. Either needs at least one vote, so a question
    nobody has answered yet never closes on its own; None turns a rule off."""
    q, t = view.question, view.tally
    if q is None or not q.is_open or t is None or t.n_votes == 0:
        return False
    if after_votes is not None and t.n_votes >= after_votes:
        return True
    return after_seconds is not None and now - q.opened_at >= after_seconds
