"""What only the Redis store has: the setting that picks it, plain JSON in Redis, and a clear
error when Redis goes away mid-lesson (the behaviour both stores share is in test_rooms.py)."""

from __future__ import annotations

import json

import pytest

from al_core.rooms import (
    REDIS_URL_SETTING,
    InProcessStore,
    RoomStoreUnavailable,
    memory_store,
    room_store,
)


def test_the_setting_picks_the_store(monkeypatch, redis_url):
    from al_core.rooms.redis_store import RedisStore

    monkeypatch.delenv(REDIS_URL_SETTING, raising=False)
    assert room_store() is memory_store() is room_store()
    assert isinstance(room_store(), InProcessStore)
    monkeypatch.setenv(REDIS_URL_SETTING, redis_url)
    shared = room_store()
    assert isinstance(shared, RedisStore) and room_store() is shared
    code, secret = shared.open_room(["A", "B"])
    assert room_store().view(code, secret).code == code  # every session reaches the same room


def test_redis_holds_plain_json_the_secrets_digest_and_no_student_tokens(redis_url):
    import redis

    from al_core.rooms.redis_store import RedisStore

    store = RedisStore(redis_url, prefix="layout:")
    code, secret = store.open_room(["A", "B"])
    token = store.join(code)
    qid = store.ask(code, secret, 4, {"x": 1.5})
    store.vote(code, token, qid, 1)
    store.close_question(code, secret)
    raw = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = sorted(raw.keys(f"layout:{{{code}}}:*"))
    assert [k.rsplit(":", 1)[1] for k in keys] == ["doc", "record", "seen", "students", "votes"]
    doc = json.loads(raw.get(f"layout:{{{code}}}:doc"))
    assert doc["code"] == code and secret not in json.dumps(doc) and len(doc["secret"]) == 64
    [entry] = [json.loads(e) for e in raw.lrange(f"layout:{{{code}}}:record", 0, -1)]
    assert entry["votes"] == {"1": 1} and token not in json.dumps(entry)
    assert raw.hgetall(f"layout:{{{code}}}:votes") == {"1": "1"}
    assert all(0 < raw.pttl(k) <= 24 * 3600 * 1000 for k in keys)  # a backstop, beyond the rules
    store.close_room(code, secret)
    assert raw.keys(f"layout:{{{code}}}:*") == []


def test_losing_redis_mid_lesson_raises_one_clear_error_and_the_run_keeps_its_labels(
    private_redis,
):
    from al_core.loop import Learner
    from al_core.rooms import lesson
    from al_core.rooms.redis_store import RedisStore

    store = RedisStore(private_redis.url)
    run = Learner()
    code, secret = store.open_room(run.dataset.class_names)
    token = store.join(code)
    qid = lesson.ask_next(store, code, secret, run)
    store.vote(code, token, qid, 1)
    lesson.accept(store, code, secret, run)
    taught = (run.n_labeled, list(run.labels), run.to_json())
    assert run.steps[-1].source == "class" and run.steps[-1].labels == (1,)

    private_redis.kill()
    calls = {
        "open_room": lambda: store.open_room(["A", "B"]),
        "join": lambda: store.join(code),
        "vote": lambda: store.vote(code, token, qid + 1, 0),
        "view": lambda: store.view(code, secret),
        "student_view": lambda: store.student_view(code, token),
        "record": lambda: store.record(code, secret),
        "accept": lambda: lesson.accept(store, code, secret, run),
        "ask_next": lambda: lesson.ask_next(store, code, secret, run),
        "close_room": lambda: store.close_room(code, secret),
    }
    for name, call in calls.items():
        with pytest.raises(RoomStoreUnavailable) as caught:
            call()
        message = str(caught.value)
        assert "cannot reach" in message and "safe" in message and "127.0.0.1" in message, name
    assert (run.n_labeled, list(run.labels), run.to_json()) == taught
