"""The room's rules, written once over any backend: who may do what, and what it changes.

Every method takes what a browser sent and never raises for it: a bad code, secret, token,
question id or class is logged as one warning line and answered with None or False. Only the
store itself failing raises, as `RoomStoreUnavailable` (see `backend`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from al_core.rooms import codes
from al_core.rooms.backend import Backend, RoomTx, Rule, Snapshot
from al_core.rooms.codes import as_index, ignored, shown
from al_core.rooms.model import (
    BY_CLASS,
    BY_TEACHER,
    CLOSED,
    IDLE_SECONDS,
    MAX_STUDENTS,
    OPEN,
    WITHDRAWN,
    Answer,
    Question,
    QuestionRecord,
    RoomView,
    StudentView,
    Tally,
    counts_of,
    leaders,
)

FORMAT = 1
MAX_ITEM_CHARS = 40_000  # a small PNG of the plane (about 16 KB as base64); polled often
MAX_CLASS_NAME = 100


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as JSON's own types (what `ask`'s item may carry)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


class RoomStore(Backend):
    """The rooms every session of a deployment shares (see `al_core.rooms` for the API)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock

    # ------------------------------------------------------------ the teacher

    def open_room(self, class_names: Sequence[str]) -> tuple[str, str]:
        """A new room for these classes: (code for the students, secret for the teacher)."""
        names = [str(n)[:MAX_CLASS_NAME] for n in class_names]
        if len(names) < 2:
            raise ValueError("a room needs at least two classes to vote between")
        secret, now = codes.new_secret(), self._clock()
        for _ in range(32):  # 729 million codes: a clash is rare, two in a row rarer still
            code = codes.new_code()
            doc = {
                "v": FORMAT,
                "code": code,
                "secret": codes.digest(secret),
                "classes": names,
                "created": now,
                "rev": 0,
                "next": 1,
                "q": None,
            }
            if self._run(code, lambda tx, doc=doc: self._create(tx, doc, now)):
                return code, secret
        raise RuntimeError("could not draw an unused room code")

    def ask(self, code: Any, secret: Any, point: Any, item: Any = None) -> int | None:
        """Put pool point `point` to the vote (with `item`, what the phones show of it: JSON);
        returns the question's id. An open question it replaces is recorded as withdrawn."""
        pt = as_index(point)
        try:
            text = json.dumps(item or {}, default=_plain)
        except (TypeError, ValueError):
            text = ""
        if pt is None or pt < 0 or not text.startswith("{") or len(text) > MAX_ITEM_CHARS:
            ignored(code, f"a question on point {shown(point)} with an item that is not small JSON")
            return None
        payload = json.loads(text)

        def rule(tx: RoomTx) -> int | None:
            doc, now = self._teacher(tx, secret)
            if doc is None:
                return None
            if doc["q"] is not None and doc["q"]["state"] == OPEN:
                self._end(tx, doc, WITHDRAWN, now)
            qid = doc["next"]
            doc["next"] = qid + 1
            doc["q"] = {"id": qid, "point": pt, "item": payload, "opened": now, "state": OPEN}
            tx.clear_votes()
            self._save(tx, doc, now)
            return qid

        return self._run(code, rule)

    def close_question(self, code: Any, secret: Any) -> Answer | None:
        """Close the open question: its final tally, and the class's label unless it is a tie."""

        def rule(tx: RoomTx) -> Answer | None:
            doc, now = self._teacher(tx, secret)
            if doc is None:
                return None
            if doc["q"] is None or doc["q"]["state"] != OPEN:
                tx.warn("closing a question when none is open")
                return None
            q = self._end(tx, doc, CLOSED, now)
            self._save(tx, doc, now)
            return Answer(q["id"], q["point"], Tally(q["id"], tuple(q["counts"]), tx.n_students()))

        return self._run(code, rule)

    def settle(self, code: Any, secret: Any, question_id: Any, label: Any) -> bool:
        """The teacher's label for a closed question: a tie broken, or the class overruled."""
        return self._amend(code, secret, question_id, label, {"by": BY_TEACHER}, "label")

    def reveal(self, code: Any, secret: Any, question_id: Any, truth: Any) -> bool:
        """Show the phones the true class of a closed question (never of an open one)."""
        return self._amend(code, secret, question_id, truth, {}, "truth")

    def withdraw(self, code: Any, secret: Any, question_id: Any) -> bool:
        """Take a question back (the teacher undid its label, or moved on): the record keeps
        it, marked withdrawn, and it no longer counts as the class's answer."""
        qid = as_index(question_id)

        def rule(tx: RoomTx) -> bool:
            doc, now = self._teacher(tx, secret)
            if doc is None:
                return False
            q = doc["q"]
            if q is not None and q["id"] == qid and q["state"] == OPEN:
                self._end(tx, doc, WITHDRAWN, now)
                self._save(tx, doc, now)
                return True
            return self._change(tx, doc, qid, {"state": WITHDRAWN}, now)

        return bool(self._run(code, rule))

    def close_room(self, code: Any, secret: Any) -> list[QuestionRecord] | None:
        """End the room: its record is returned one last time, then every part is deleted."""

        def rule(tx: RoomTx) -> list[QuestionRecord] | None:
            doc, now = self._teacher(tx, secret)
            if doc is None:
                return None
            if doc["q"] is not None and doc["q"]["state"] == OPEN:
                self._end(tx, doc, WITHDRAWN, now)
            entries = {int(e["id"]): e for e in tx.records()} | tx.writes.records
            tx.delete()
            return [QuestionRecord.from_json(entries[k]) for k in sorted(entries)]

        return self._run(code, rule)

    # ------------------------------------------------------------ the students

    def join(self, code: Any, token: Any = None) -> str | None:
        """Admit a browser: its token for every vote. A token this room issued before comes
        back as it is (a reload keeps its votes); None when the room is unknown or full."""

        def rule(tx: RoomTx) -> str | None:
            doc, now = self._live(tx)
            if doc is None:
                return None
            if token is not None:
                if codes.is_token(token) and tx.student(token) is not None:
                    tx.touch(now)
                    return token
                tx.warn("an unknown student token on joining (a new one was issued)")
            n = tx.n_students()
            if n >= MAX_STUDENTS:
                tx.warn(f"a join to a full room ({MAX_STUDENTS} students)")
                return None
            new = codes.new_token()
            tx.add_student(new, n + 1)
            tx.touch(now)
            return new

        return self._run(code, rule)

    def vote(self, code: Any, token: Any, question_id: Any, cls: Any) -> bool:
        """A student's vote on the open question; a later vote from the same browser replaces
        it. False (and a log line) for a closed or unknown question, a class out of range, or
        a token the room never issued."""
        qid, c = as_index(question_id), as_index(cls)

        def rule(tx: RoomTx) -> bool:
            doc, now = self._live(tx)
            if doc is None:
                return False
            student = tx.student(token) if codes.is_token(token) else None
            q = doc["q"]
            if student is None:
                tx.warn("a vote from an unknown student token")
            elif q is None or q["id"] != qid or q["state"] != OPEN:
                tx.warn(f"a vote on question {shown(question_id)}, which is not open")
            elif c is None or not 0 <= c < len(doc["classes"]):
                tx.warn(f"a vote for class {shown(cls)} of {len(doc['classes'])}")
            else:
                tx.set_vote(student, c)
                tx.touch(now)
                return True
            return False

        return bool(self._run(code, rule))

    # ------------------------------------------------------------ polls (one round trip each)

    def view(self, code: Any, secret: Any) -> RoomView | None:
        """The teacher's poll: the question, its live tally, who joined; None if not theirs."""
        snap = self._read(code)
        if snap is None or not self._owns(code, snap, secret):
            return None
        doc = snap.doc
        q = None if doc["q"] is None else Question.from_json(doc["q"])
        tally = None
        if q is not None:
            counts = (
                q.counts if q.counts is not None else counts_of(snap.votes, len(doc["classes"]))
            )
            tally = Tally(q.id, tuple(counts), snap.n_students)
        seen = snap.seen or doc["created"]
        names = tuple(doc["classes"])
        return RoomView(
            doc["code"], names, snap.n_students, q, tally, doc["rev"], seen + IDLE_SECONDS
        )

    def tally(self, code: Any, secret: Any) -> Tally | None:
        """The current question's votes, for the teacher (students see the answer at close)."""
        v = self.view(code, secret)
        return None if v is None else v.tally

    def student_view(self, code: Any, token: Any) -> StudentView | None:
        """A phone's poll: the question, the student's own vote, the answer once closed; None
        when the room is gone or never issued this token (then `join` again)."""
        snap = self._read(code, token if codes.is_token(token) else None)
        if snap is None:
            return None
        if snap.student is None:
            ignored(code, "a poll from an unknown student token")
            return None
        doc = snap.doc
        q = None if doc["q"] is None else Question.from_json(doc["q"])
        mine = snap.votes.get(snap.student) if q is not None else None
        last = doc.get("last")
        last = None if last is None else Question.from_json(last)
        return StudentView(doc["code"], tuple(doc["classes"]), snap.student, q, mine, last)

    def record(self, code: Any, secret: Any) -> list[QuestionRecord] | None:
        """Every question that closed or was withdrawn, with its votes: for the plane's marks,
        the curve, and the CSV. Keep a copy in the teacher's session after each close."""
        snap = self._read(code, records=True)
        if snap is None or not self._owns(code, snap, secret):
            return None
        return [QuestionRecord.from_json(e) for e in snap.records or []]

    # ------------------------------------------------------------ internals

    def _run(self, raw_code: Any, rule: Rule) -> Any:
        """Run a rule in a transaction and log what it refused; a malformed code never gets
        as far as the store."""
        code = codes.parse_code(raw_code)
        if code is None:
            ignored(raw_code, "a malformed room code")
            return None
        result, writes = self._transact(code, rule)
        for what in writes.warnings:
            ignored(code, what)
        return result

    def _read(self, code: Any, token: str | None = None, records: bool = False) -> Snapshot | None:
        """A poll's snapshot of a live room, or None (logged) for a bad, unknown or idle code."""
        parsed = codes.parse_code(code)
        if parsed is None:
            ignored(code, "a poll with a malformed room code")
            return None
        snap = self._snapshot(parsed, token, records)
        if snap.doc is None or self._idle(snap.doc, snap.seen, self._clock()):
            ignored(parsed, "a poll of an unknown or expired room")
            return None
        return snap

    def _owns(self, code: Any, snap: Snapshot, secret: Any) -> bool:
        if codes.secret_matches(secret, snap.doc["secret"]):
            return True
        ignored(code, "a teacher's request with the wrong secret")
        return False

    @staticmethod
    def _idle(doc: dict, seen: float | None, now: float) -> bool:
        return now - (seen if seen is not None else doc["created"]) > IDLE_SECONDS

    def _create(self, tx: RoomTx, doc: dict, now: float) -> bool:
        old = tx.doc()
        if old is not None and not self._idle(old, tx.seen(), now):
            return False
        tx.delete()  # an expired room's leftovers must not leak into the new one
        tx.save(doc)
        tx.touch(now)
        return True

    def _live(self, tx: RoomTx) -> tuple[dict | None, float]:
        """The room's document if it exists and is not idle; an idle room is deleted."""
        now = self._clock()
        doc = tx.doc()
        if doc is None:
            tx.warn("an unknown room")
            return None, now
        if self._idle(doc, tx.seen(), now):
            tx.warn(f"a room idle for over {IDLE_SECONDS // 3600} hours (now deleted)")
            tx.delete()
            return None, now
        return doc, now

    def _teacher(self, tx: RoomTx, secret: Any) -> tuple[dict | None, float]:
        doc, now = self._live(tx)
        if doc is not None and not codes.secret_matches(secret, doc["secret"]):
            tx.warn("a teacher's request with the wrong secret")
            return None, now
        return doc, now

    @staticmethod
    def _save(tx: RoomTx, doc: dict, now: float) -> None:
        doc["rev"] += 1
        tx.save(doc)
        tx.touch(now)

    @staticmethod
    def _end(tx: RoomTx, doc: dict, state: str, now: float) -> dict:
        """Close or withdraw the open question: freeze its tally, record it with its votes."""
        q = doc["q"]
        votes = tx.votes()
        counts = counts_of(votes, len(doc["classes"]))
        top = leaders(counts)
        q.update(state=state, closed=now, counts=list(counts), label=None, by=None, truth=None)
        if len(top) == 1:
            q.update(label=top[0], by=BY_CLASS)
        tx.put_record({**q, "votes": {str(k): v for k, v in sorted(votes.items())}})
        if state == CLOSED:  # the phones show its answer (and truth) under the next question
            doc["last"] = {**q, "item": {"name": q.get("item", {}).get("name", "")}}
        return q

    def _amend(
        self, code: Any, secret: Any, question_id: Any, value: Any, extra: dict, key: str
    ) -> bool:
        """Set the label or the truth of a closed question, in its record and on the phones."""
        qid, v = as_index(question_id), as_index(value)

        def rule(tx: RoomTx) -> bool:
            doc, now = self._teacher(tx, secret)
            if doc is None:
                return False
            if v is None or not 0 <= v < len(doc["classes"]):
                tx.warn(f"a {key} {shown(value)} out of range")
                return False
            return self._change(tx, doc, qid, {key: v, **extra}, now)

        return bool(self._run(code, rule))

    def _change(self, tx: RoomTx, doc: dict, qid: int | None, change: dict, now: float) -> bool:
        """Change a closed question, in its record and (if it is the current one) on the phones."""
        entry = tx.entry(qid) if qid is not None else None
        if entry is None or entry["state"] != CLOSED:
            tx.warn(f"a change to question {shown(qid)}, which is not closed")
            return False
        entry.update(change)
        tx.put_record(entry)
        for shown_q in (doc["q"], doc.get("last")):
            if shown_q is not None and shown_q["id"] == qid:
                shown_q.update(change)
        self._save(tx, doc, now)
        return True
