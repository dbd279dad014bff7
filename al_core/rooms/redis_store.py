"""The Redis store: rooms that every replica reaches, chosen by setting `ASK_NEXT_REDIS_URL`.

A rule runs under WATCH: it reads the keys it depends on, its writes go out in one MULTI/EXEC,
and if any watched key changed in between, Redis refuses the EXEC and the rule runs again on
fresh values. What is watched is chosen so that the class never contends with itself: a vote
watches only the room's document (which only the teacher changes) and writes one field of the
votes hash, so 60 students voting at once never undo each other's votes; closing a question
also watches the votes, so a vote lands either in the tally or not at all. Every key is plain
JSON or text, and every key of a room shares the hash tag `{CODE}`.

A lost connection raises `RoomStoreUnavailable` within about a second (two quick reconnects,
two-second socket timeouts), never a hang.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from al_core.rooms.backend import (
    RoomStoreUnavailable,
    RoomTx,
    Rule,
    Snapshot,
    Writes,
    unavailable_message,
)
from al_core.rooms.store import RoomStore

BACKSTOP_MS = 24 * 3600 * 1000  # Redis forgets a key nobody wrote for a day (rules expire at 3 h)
MAX_TRIES = 200
MAX_CONNECTIONS = 32
PARTS = ("doc", "students", "votes", "record", "seen")


class _Keys:
    def __init__(self, prefix: str, code: str) -> None:
        for part in PARTS:
            setattr(self, part, f"{prefix}{{{code}}}:{part}")

    def all(self) -> list[str]:
        return [getattr(self, p) for p in PARTS]


class _RedisTx(RoomTx):
    def __init__(self, pipe: Any, keys: _Keys) -> None:
        super().__init__()
        self._pipe, self._keys = pipe, keys
        self._loaded: tuple[str | None, str | None] | None = None

    def _load(self) -> tuple[str | None, str | None]:
        if self._loaded is None:
            self._pipe.watch(self._keys.doc)
            self._loaded = tuple(self._pipe.mget(self._keys.doc, self._keys.seen))
        return self._loaded

    def doc(self) -> dict[str, Any] | None:
        text = self._load()[0]
        return json.loads(text) if text else None

    def seen(self) -> float | None:
        text = self._load()[1]
        return float(text) if text else None

    def student(self, token: str) -> int | None:
        # Not watched: while the room lives a student is never removed, and the room's
        # deletion changes its document, which every rule watches.
        number = self._pipe.hget(self._keys.students, token)
        return int(number) if number else None

    def n_students(self) -> int:
        self._pipe.watch(self._keys.students)
        return int(self._pipe.hlen(self._keys.students))

    def votes(self) -> dict[int, int]:
        self._pipe.watch(self._keys.votes)
        return {int(k): int(v) for k, v in self._pipe.hgetall(self._keys.votes).items()}

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(e) for e in self._pipe.lrange(self._keys.record, 0, -1)]

    def entry(self, question_id: int) -> dict[str, Any] | None:
        text = self._pipe.lindex(self._keys.record, question_id - 1) if question_id > 0 else None
        return json.loads(text) if text else None


class RedisStore(RoomStore):
    """Rooms in Redis, for several replicas serving one class."""

    def __init__(
        self, url: str, clock: Callable[[], float] = time.time, prefix: str = "asknext:room:"
    ) -> None:
        import redis
        from redis.backoff import ExponentialBackoff
        from redis.retry import Retry

        super().__init__(clock)
        self._errors = redis.exceptions
        self._prefix = prefix
        parts = urlsplit(url)
        self.where = f"Redis at {parts.hostname or 'localhost'}:{parts.port or 6379}"
        # A bounded pool that makes a burst of callers wait for a connection instead of
        # failing: a server's 200 sessions share a few dozen connections.
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=5.0,
            decode_responses=True,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
        )
        self._redis = redis.Redis(connection_pool=pool)

    def _transact(self, code: str, rule: Rule) -> tuple[Any, Writes]:
        keys = _Keys(self._prefix, code)
        for attempt in range(MAX_TRIES):
            try:
                with self._redis.pipeline(transaction=True) as pipe:
                    tx = _RedisTx(pipe, keys)
                    result = rule(tx)
                    self._commit(pipe, keys, tx.writes)
                    return result, tx.writes
            except self._errors.WatchError:
                time.sleep(random.uniform(0, 0.001 * min(attempt + 1, 20)))
            except self._errors.RedisError as exc:
                raise RoomStoreUnavailable(unavailable_message(self.where)) from exc
        raise RoomStoreUnavailable(unavailable_message(f"{self.where}, too busy to answer"))

    def _commit(self, pipe: Any, keys: _Keys, w: Writes) -> None:
        fresh = []  # the keys this transaction writes, which get a fresh backstop
        if w.doc is not None:
            fresh.append(keys.doc)
        if w.students:
            fresh.append(keys.students)
        if w.votes:
            fresh.append(keys.votes)
        if w.records:
            fresh.append(keys.record)
        if w.touched is not None:
            fresh.append(keys.seen)
        if not (fresh or w.delete or w.clear_votes):
            return  # a refused input: nothing to write, and the pipeline's reset unwatches
        stored = int(pipe.llen(keys.record)) if w.records and not w.delete else 0
        pipe.multi()
        if w.delete:
            pipe.delete(*keys.all())
        if w.doc is not None:
            pipe.set(keys.doc, json.dumps(w.doc))
        if w.students:
            pipe.hset(keys.students, mapping=w.students)
        if w.clear_votes:
            pipe.delete(keys.votes)
        if w.votes:
            pipe.hset(keys.votes, mapping={str(k): v for k, v in w.votes.items()})
        for qid, entry in sorted(w.records.items()):
            if qid <= stored:
                pipe.lset(keys.record, qid - 1, json.dumps(entry))
            else:
                pipe.rpush(keys.record, json.dumps(entry))
        if w.touched is not None:
            pipe.set(keys.seen, repr(w.touched))
        # Touching the document's expiry from a vote would count as a change to it and make
        # every other vote run again, so only the keys written here get a fresh backstop.
        for key in fresh:
            pipe.pexpire(key, BACKSTOP_MS)
        pipe.execute()

    def _snapshot(self, code: str, token: str | None = None, records: bool = False) -> Snapshot:
        keys = _Keys(self._prefix, code)
        try:
            with self._redis.pipeline(transaction=True) as pipe:
                pipe.get(keys.doc).get(keys.seen).hlen(keys.students).hgetall(keys.votes)
                if token is not None:
                    pipe.hget(keys.students, token)
                if records:
                    pipe.lrange(keys.record, 0, -1)
                out = pipe.execute()
        except self._errors.RedisError as exc:
            raise RoomStoreUnavailable(unavailable_message(self.where)) from exc
        doc, seen, n, votes = out[:4]
        rest = out[4:]
        student = rest.pop(0) if token is not None else None
        return Snapshot(
            doc=json.loads(doc) if doc else None,
            seen=float(seen) if seen else None,
            n_students=int(n),
            votes={int(k): int(v) for k, v in votes.items()},
            student=int(student) if student else None,
            records=[json.loads(e) for e in rest[0]] if records else None,
        )
