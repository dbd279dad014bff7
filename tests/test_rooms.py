"""The room's rules, run against both stores: the in-process one and Redis.

Every behavioural test takes the `store` fixture, which is parametrised over the two
implementations, so the same lesson must play out the same way on each. Time is an injected
clock; nothing here asserts how long anything took.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter
from types import SimpleNamespace

import pytest

from al_core.rooms import IDLE_SECONDS, MAX_STUDENTS, InProcessStore, auto_accept_due
from al_core.rooms.codes import ALPHABET, CODE_LENGTH, display_code, parse_code

CLASSES = ["Cat", "Dog", "Bird"]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, t: float = 1_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(params=["memory", "redis"])
def make_store(request):
    """Factory for a fresh store of the parametrised kind (Redis: a key prefix of its own)."""

    def make(clock=None):
        clock = clock or Clock()
        if request.param == "memory":
            return InProcessStore(clock)
        from al_core.rooms.redis_store import RedisStore

        url = request.getfixturevalue("redis_url")
        return RedisStore(url, clock, prefix=f"test:{uuid.uuid4().hex}:")

    return make


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(make_store, clock):
    return make_store(clock)


@pytest.fixture
def room(store):
    """A room with three classes and five students, nothing asked yet."""
    code, secret = store.open_room(CLASSES)
    tokens = [store.join(code) for _ in range(5)]
    return SimpleNamespace(code=code, secret=secret, tokens=tokens)


def warned(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "al_core.rooms"]


# ---------------------------------------------------------------- codes


def test_codes_are_long_random_strings_of_the_unambiguous_alphabet(store):
    assert len(ALPHABET) == len(set(ALPHABET)) == 30
    assert not set("01ILOU") & set(ALPHABET)
    codes = [store.open_room(CLASSES)[0] for _ in range(40)]
    assert len(set(codes)) == 40
    for code in codes:
        assert len(code) >= CODE_LENGTH >= 6 and set(code) <= set(ALPHABET)


def test_a_typed_code_is_forgiven_case_spaces_and_dashes_but_nothing_else():
    assert parse_code(" abc-234 ") == "ABC234"
    assert parse_code(display_code("ABC234")) == "ABC234"
    for bad in ["ABC23", "ABC230", "ABCI34", "", None, 123456, "A" * 50, "ABC/234"]:
        assert parse_code(bad) is None, bad


def test_the_secret_never_appears_in_the_code_and_is_not_guessable(store):
    code, secret = store.open_room(CLASSES)
    _, secret2 = store.open_room(CLASSES)
    assert secret != secret2 and len(secret) >= 32 and code not in secret
    assert store.view(code, secret2) is None  # another room's secret does not steer this one


# ---------------------------------------------------------------- a lesson


def test_a_question_collects_one_changeable_vote_per_student_and_closes_on_the_majority(
    store, room
):
    qid = store.ask(room.code, room.secret, 17, {"x": 0.5, "y": -1.0})
    t = room.tokens
    for token, cls in zip(t, [0, 1, 1, 2, 1]):
        assert store.vote(room.code, token, qid, cls)
    assert store.vote(room.code, t[0], qid, 1)  # a new vote replaces the old one
    view = store.view(room.code, room.secret)
    assert view.question.point == 17 and view.question.item == {"x": 0.5, "y": -1.0}
    assert view.tally.counts == (0, 4, 1) and view.n_students == 5 and view.n_voted == 5
    answer = store.close_question(room.code, room.secret)
    assert (answer.question_id, answer.point, answer.label, answer.tied) == (qid, 17, 1, ())
    assert answer.tally.agreement == pytest.approx(0.8)
    assert not store.vote(room.code, t[3], qid, 0)  # closed: no more votes
    assert store.tally(room.code, room.secret).counts == (0, 4, 1)
    [rec] = store.record(room.code, room.secret)
    assert rec.votes == {1: 1, 2: 1, 3: 1, 4: 2, 5: 1}
    assert (rec.question.label, rec.question.decided_by) == (1, "class")


def test_a_phone_sees_the_answer_after_closing_and_the_truth_only_once_revealed(store, room):
    qid = store.ask(room.code, room.secret, 3)
    me = room.tokens[0]
    sv = store.student_view(room.code, me)
    assert sv.can_vote and sv.my_vote is None and sv.student == 1
    assert sv.question.counts is None and sv.question.truth is None
    store.vote(room.code, me, qid, 2)
    store.vote(room.code, room.tokens[1], qid, 0)
    store.vote(room.code, room.tokens[2], qid, 0)
    assert store.student_view(room.code, me).my_vote == 2
    assert not store.reveal(room.code, room.secret, qid, 0)  # never while it is open
    assert store.student_view(room.code, me).question.truth is None
    store.close_question(room.code, room.secret)
    sv = store.student_view(room.code, me)
    assert not sv.can_vote and sv.question.label == 0 and sv.my_vote == 2
    assert sv.question.truth is None
    assert store.reveal(room.code, room.secret, qid, 2)
    assert store.student_view(room.code, me).question.truth == 2
    assert store.record(room.code, room.secret)[0].question.truth == 2


def test_a_tie_or_no_votes_leaves_the_label_to_the_teacher(store, room):
    qid = store.ask(room.code, room.secret, 1)
    store.vote(room.code, room.tokens[0], qid, 0)
    store.vote(room.code, room.tokens[1], qid, 2)
    answer = store.close_question(room.code, room.secret)
    assert answer.label is None and answer.tied == (0, 2) and answer.tally.tied
    assert store.settle(room.code, room.secret, qid, 2)
    q = store.view(room.code, room.secret).question
    assert (q.label, q.decided_by) == (2, "teacher")
    q2 = store.ask(room.code, room.secret, 2)
    silent = store.close_question(room.code, room.secret)
    assert silent.question_id == q2 and silent.label is None and silent.tied == ()


def test_asking_while_a_question_is_open_withdraws_it_with_its_votes(store, room):
    q1 = store.ask(room.code, room.secret, 10)
    store.vote(room.code, room.tokens[0], q1, 1)
    q2 = store.ask(room.code, room.secret, 11)
    assert q2 == q1 + 1
    assert not store.vote(room.code, room.tokens[0], q1, 1)
    assert store.student_view(room.code, room.tokens[0]).my_vote is None  # a fresh question
    [rec] = store.record(room.code, room.secret)
    assert rec.question.state == "withdrawn" and rec.votes == {1: 1}
    assert not store.settle(room.code, room.secret, q1, 1)  # withdrawn is not closed
    store.close_question(room.code, room.secret)
    assert store.withdraw(room.code, room.secret, q2)  # undo after the label was taught
    assert [r.question.state for r in store.record(room.code, room.secret)] == ["withdrawn"] * 2


def test_closing_the_room_hands_back_the_record_and_ends_it(store, room):
    q1 = store.ask(room.code, room.secret, 4)
    store.vote(room.code, room.tokens[0], q1, 0)
    store.close_question(room.code, room.secret)
    store.ask(room.code, room.secret, 5)
    records = store.close_room(room.code, room.secret)
    assert [(r.question.id, r.question.state) for r in records] == [(1, "closed"), (2, "withdrawn")]
    assert store.view(room.code, room.secret) is None
    assert store.join(room.code) is None
    assert store.student_view(room.code, room.tokens[0]) is None


def test_the_view_stamp_changes_exactly_when_something_visible_does(store, room):
    first = store.view(room.code, room.secret).stamp
    assert store.view(room.code, room.secret).stamp == first
    qid = store.ask(room.code, room.secret, 9)
    asked = store.view(room.code, room.secret).stamp
    assert asked != first
    store.vote(room.code, room.tokens[0], qid, 1)
    assert store.view(room.code, room.secret).stamp != asked
    sv = store.student_view(room.code, room.tokens[1]).stamp
    store.vote(room.code, room.tokens[0], qid, 2)  # someone else's vote: this phone is unchanged
    assert store.student_view(room.code, room.tokens[1]).stamp == sv


# ---------------------------------------------------------------- security and limits

FORGED_VOTES = {
    "class out of range": lambda r, q: (r.code, r.tokens[0], q, 3),
    "negative class": lambda r, q: (r.code, r.tokens[0], q, -1),
    "class as text": lambda r, q: (r.code, r.tokens[0], q, "1"),
    "class as bool": lambda r, q: (r.code, r.tokens[0], q, True),
    "class as float": lambda r, q: (r.code, r.tokens[0], q, 1.0),
    "unknown question": lambda r, q: (r.code, r.tokens[0], q + 1, 1),
    "question as text": lambda r, q: (r.code, r.tokens[0], str(q), 1),
    "unknown token": lambda r, q: (r.code, "A" * 22, q, 1),
    "malformed token": lambda r, q: (r.code, "<script>", q, 1),
    "no token": lambda r, q: (r.code, None, q, 1),
    "unknown code": lambda r, q: ("ZZZZZZ" if r.code != "ZZZZZZ" else "YYYYYY", r.tokens[0], q, 1),
    "malformed code": lambda r, q: ("abc", r.tokens[0], q, 1),
    "code as a list": lambda r, q: ([r.code], r.tokens[0], q, 1),
}


@pytest.mark.parametrize("forgery", FORGED_VOTES)
def test_a_forged_vote_is_ignored_with_a_log_line(store, room, forgery, caplog):
    qid = store.ask(room.code, room.secret, 0)
    with caplog.at_level(logging.WARNING, logger="al_core.rooms"):
        assert store.vote(*FORGED_VOTES[forgery](room, qid)) is False
    assert len(warned(caplog)) == 1 and "ignored" in warned(caplog)[0]
    assert store.view(room.code, room.secret).tally.n_votes == 0


def test_a_token_from_another_room_is_unknown_here(store, room):
    other, _ = store.open_room(CLASSES)
    stranger = store.join(other)
    qid = store.ask(room.code, room.secret, 0)
    assert not store.vote(room.code, stranger, qid, 0)
    assert store.student_view(room.code, stranger) is None


@pytest.mark.parametrize("bad_secret", [None, "", "x" * 32, 12345, "student-token"])
def test_only_the_teachers_secret_controls_the_room(store, room, bad_secret, caplog):
    secret = room.tokens[0] if bad_secret == "student-token" else bad_secret
    qid = store.ask(room.code, room.secret, 0)
    store.vote(room.code, room.tokens[0], qid, 1)
    with caplog.at_level(logging.WARNING, logger="al_core.rooms"):
        assert store.ask(room.code, secret, 1) is None
        assert store.close_question(room.code, secret) is None
        assert store.settle(room.code, secret, qid, 0) is False
        assert store.reveal(room.code, secret, qid, 0) is False
        assert store.withdraw(room.code, secret, qid) is False
        assert store.view(room.code, secret) is None
        assert store.tally(room.code, secret) is None
        assert store.record(room.code, secret) is None
        assert store.close_room(room.code, secret) is None
    assert len(warned(caplog)) == 9
    view = store.view(room.code, room.secret)
    assert view.question.id == qid and view.question.is_open and view.n_voted == 1


def test_forged_teacher_arguments_are_ignored(store, room, caplog):
    qid = store.ask(room.code, room.secret, 0)
    store.close_question(room.code, room.secret)
    with caplog.at_level(logging.WARNING, logger="al_core.rooms"):
        assert store.settle(room.code, room.secret, qid, 7) is False
        assert store.settle(room.code, room.secret, qid + 5, 0) is False
        assert store.reveal(room.code, room.secret, "1", 0) is False
        assert store.reveal(room.code, room.secret, 0, 0) is False
        assert store.ask(room.code, room.secret, -1) is None
        assert store.ask(room.code, room.secret, 2, ["not", "a", "dict"]) is None
        assert store.ask(room.code, room.secret, 2, {"text": "x" * 50_000}) is None
        assert store.close_question(room.code, room.secret) is None  # none is open
    assert len(warned(caplog)) == 8


def test_an_item_may_carry_numpy_values(store, room):
    import numpy as np

    qid = store.ask(room.code, room.secret, np.int64(3), {"image": np.arange(4).reshape(2, 2)})
    q = store.view(room.code, room.secret).question
    assert q.id == qid and q.point == 3 and q.item == {"image": [[0, 1], [2, 3]]}


def test_a_room_holds_at_most_200_students_and_a_known_browser_rejoins(store, caplog):
    code, _ = store.open_room(CLASSES)
    tokens = [store.join(code) for _ in range(MAX_STUDENTS)]
    assert None not in tokens and len(set(tokens)) == MAX_STUDENTS
    with caplog.at_level(logging.WARNING, logger="al_core.rooms"):
        assert store.join(code) is None
    assert "full" in warned(caplog)[0]
    assert store.join(code, token=tokens[7]) == tokens[7]  # a reload, even in a full room
    assert store.student_view(code, tokens[7]).student == 8


def test_an_unknown_token_on_joining_gets_a_new_one(store, room, caplog):
    with caplog.at_level(logging.WARNING, logger="al_core.rooms"):
        fresh = store.join(room.code, token="B" * 22)
    assert fresh not in (None, "B" * 22) and len(warned(caplog)) == 1
    assert store.student_view(room.code, fresh).student == 6


def test_a_room_expires_after_three_idle_hours_and_actions_keep_it_alive(store, room, clock):
    qid = store.ask(room.code, room.secret, 0)
    clock.advance(IDLE_SECONDS - 60)
    assert store.vote(room.code, room.tokens[0], qid, 1)  # an action: the idle time restarts
    clock.advance(IDLE_SECONDS - 60)
    assert store.view(room.code, room.secret) is not None  # a poll, which does not count
    expires = store.view(room.code, room.secret).expires_at
    assert expires == pytest.approx(clock() + 60)
    clock.advance(120)
    assert store.view(room.code, room.secret) is None
    assert store.student_view(room.code, room.tokens[1]) is None
    assert not store.vote(room.code, room.tokens[1], qid, 1)
    assert store.join(room.code) is None
    assert store.close_room(room.code, room.secret) is None


# ---------------------------------------------------------------- many phones at once


def _at_once(n: int, work) -> list:
    """Run work(i) for i < n in n threads released together; their results in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except BaseException as exc:  # surfaced below: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:3]
    return results


def test_sixty_students_voting_at_once_lose_no_vote(store):
    code, secret = store.open_room(CLASSES)
    tokens = [store.join(code) for _ in range(60)]
    qid = store.ask(code, secret, 0)
    ok = _at_once(60, lambda i: store.vote(code, tokens[i], qid, i % 3))
    assert all(ok)
    assert store.view(code, secret).tally.counts == (20, 20, 20)
    answer = store.close_question(code, secret)
    assert answer.tally.n_votes == 60
    assert Counter(store.record(code, secret)[0].votes.values()) == {0: 20, 1: 20, 2: 20}


def test_students_changing_their_votes_at_once_keep_their_last_vote(store):
    code, secret = store.open_room(CLASSES)
    tokens = [store.join(code) for _ in range(30)]
    qid = store.ask(code, secret, 0)
    ok = _at_once(30, lambda i: [store.vote(code, tokens[i], qid, c) for c in (0, 1, i % 3)])
    assert all(all(r) for r in ok)
    assert store.view(code, secret).tally.counts == (10, 10, 10)


def test_joins_at_once_never_pass_the_limit(store):
    code, _ = store.open_room(CLASSES)
    tokens = _at_once(MAX_STUDENTS + 20, lambda i: store.join(code))
    admitted = [t for t in tokens if t is not None]
    assert len(admitted) == MAX_STUDENTS == len(set(admitted))
    numbers = sorted(store.student_view(code, t).student for t in admitted)
    assert numbers == list(range(1, MAX_STUDENTS + 1))


def test_closing_amid_votes_counts_exactly_the_votes_that_were_accepted(store):
    code, secret = store.open_room(CLASSES)
    tokens = [store.join(code) for _ in range(41)]
    qid = store.ask(code, secret, 0)
    closing = 20  # thread 20 closes the question while the others vote

    def work(i: int):
        if i == closing:
            return store.close_question(code, secret)
        return store.vote(code, tokens[i], qid, 1)

    results = _at_once(41, work)
    answer = results[closing]
    accepted = sum(r is True for i, r in enumerate(results) if i != closing)
    assert answer.tally.n_votes == accepted
    assert len(store.record(code, secret)[0].votes) == accepted


# ---------------------------------------------------------------- closing by itself


def test_a_question_closes_by_itself_after_n_votes_or_t_seconds_but_never_unanswered(store, room):
    now = 1_000_000.0
    store.ask(room.code, room.secret, 0)
    view = store.view(room.code, room.secret)
    assert not auto_accept_due(view, now + 999, after_votes=1, after_seconds=1)  # no votes yet
    store.vote(room.code, room.tokens[0], view.question.id, 0)
    store.vote(room.code, room.tokens[1], view.question.id, 0)
    view = store.view(room.code, room.secret)
    assert not auto_accept_due(view, now)  # both rules off
    assert not auto_accept_due(view, now, after_votes=3)
    assert auto_accept_due(view, now, after_votes=2)
    assert not auto_accept_due(view, view.question.opened_at + 9, after_seconds=10)
    assert auto_accept_due(view, view.question.opened_at + 10, after_seconds=10)
    store.close_question(room.code, room.secret)
    closed = store.view(room.code, room.secret)
    assert not auto_accept_due(closed, now + 999, after_votes=1, after_seconds=1)
