"""The teacher's Class room on the Label page, headless: opening a room, accepting the class's
answer, and losing the shared store mid-lesson without losing a label."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from al_core.rooms import REDIS_URL_SETTING, room_store


def open_room(monkeypatch, redis_url: str | None = None) -> AppTest:
    if redis_url:
        monkeypatch.setenv(REDIS_URL_SETTING, redis_url)
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.switch_page("app_pages/label.py")
    at.session_state["label_mode"] = "Class room"
    at.run()
    at.button(key="room_open").click().run()
    assert not at.exception, at.exception
    return at


def _vote_all(at: AppTest, cls: int, n: int = 3) -> None:
    room = at.session_state["room"]
    store = room_store()
    qid = store.view(room["code"], room["secret"]).question.id
    for _ in range(n):
        assert store.vote(room["code"], store.join(room["code"]), qid, cls)


def test_accepting_teaches_the_class_answer_as_a_class_label(monkeypatch):
    at = open_room(monkeypatch)
    run = at.session_state["learner"]
    before = run.n_labeled
    point = room_store().view(at.session_state["room"]["code"], at.session_state["room"]["secret"])
    _vote_all(at, 1)
    at.button(key="room_accept").click().run()
    assert not at.exception, at.exception
    run = at.session_state["learner"]
    assert run.n_labeled == before + 1
    assert run.steps[-1].source == "class" and run.labels[-1] == 1
    assert run.labeled[-1] == point.question.point
    assert any("Taught Class B (100% agreed)" in c.value for c in at.caption)


def test_losing_redis_mid_lesson_says_so_and_keeps_every_label(monkeypatch, private_redis):
    at = open_room(monkeypatch, private_redis.url)
    _vote_all(at, 0)
    at.button(key="room_accept").click().run()
    run = at.session_state["learner"]
    labels = (list(run.labeled), list(run.labels))
    private_redis.kill()
    at.button(key="room_accept").click().run()
    assert not at.exception, at.exception
    messages = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any("cannot reach its store" in m and "safe" in m for m in messages), messages
    run = at.session_state["learner"]
    assert (list(run.labeled), list(run.labels)) == labels
    at.button(key="room_undo").click().run()  # every button: a message, never a traceback
    assert not at.exception, at.exception
    assert (list(run.labeled), list(run.labels)) == labels


@pytest.mark.parametrize("key", ["room_reveal", "room_close"])
def test_every_teacher_button_works_before_any_answer(monkeypatch, key):
    at = open_room(monkeypatch)
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def open_phone(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.query_params.update(query)
    at.switch_page("app_pages/join.py")
    return at.run()


def test_a_phone_joins_by_link_votes_and_changes_its_vote(monkeypatch):
    teacher = open_room(monkeypatch)
    room = teacher.session_state["room"]
    phone = open_phone({"room": room["code"]})
    assert not phone.exception, phone.exception
    qid = room_store().view(room["code"], room["secret"]).question.id
    phone.button(key=f"vote_{qid}_0").click().run()
    phone.button(key=f"vote_{qid}_1").click().run()  # a new vote replaces the old
    tally = room_store().view(room["code"], room["secret"]).tally
    assert tally.counts == (0, 1)
    assert phone.button(key=f"vote_{qid}_1").label.startswith("✓")
    assert phone.query_params["me"] == phone.session_state["join_token"]  # a reload keeps it


@pytest.mark.parametrize("code", ["<script>", "ZZZZZZ", "x" * 500])
def test_a_bad_or_unknown_code_gets_words_not_a_traceback(code):
    phone = open_phone({"room": code})
    assert not phone.exception, phone.exception
    said = " ".join(w.value for w in phone.warning)
    assert "not a room code" in said or "no open room" in said
