"""A lesson over a room: the teacher's loop with a real run, the record's marks and CSV, and the
join link's QR code."""

from __future__ import annotations

import base64
import csv
import io

import numpy as np
import pytest
from PIL import Image

from al_core.formats.share import decode_state, encode_state
from al_core.loop import Learner
from al_core.present.labeling import labels_by_you
from al_core.present.views import oracle_curve
from al_core.rooms import InProcessStore, lesson
from al_core.rooms.qr import DEFAULT_PIXELS, join_link, module_pixels, qr_data_uri, qr_svg
from al_core.rooms.record import CSV_HEADER, plane_marks, votes_csv


@pytest.fixture
def lesson_room():
    store = InProcessStore()
    run = Learner()
    code, secret = store.open_room(run.dataset.class_names)
    tokens = [store.join(code) for _ in range(5)]
    return store, run, code, secret, tokens


def _vote(store, code, tokens, qid, classes):
    for token, cls in zip(tokens, classes):
        assert store.vote(code, token, qid, cls)


def test_the_strategys_top_point_is_asked_with_what_a_phone_shows(lesson_room):
    store, run, code, secret, _ = lesson_room
    qid = lesson.ask_next(store, code, secret, run)
    q = store.view(code, secret).question
    point = int(run.suggest(1).indices[0])
    assert q.id == qid and q.point == point
    assert {k: v for k, v in q.item.items() if k != "picture"} == {
        "name": f"point {point}",
        "x": pytest.approx(run.dataset.X[point, 0], abs=1e-4),
        "y": pytest.approx(run.dataset.X[point, 1], abs=1e-4),
    }
    png = lesson.question_picture(q.item)
    assert png.startswith(b"\x89PNG") and len(png) < 40_000  # small enough to poll from a phone
    assert lesson.question_picture({"picture": "not base64!"}) is None


def test_accepting_teaches_the_majority_as_the_class_and_asks_the_next(lesson_room):
    store, run, code, secret, tokens = lesson_room
    qid = lesson.ask_next(store, code, secret, run)
    point = store.view(code, secret).question.point
    _vote(store, code, tokens, qid, [1, 1, 0, 1, 1])
    before = run.n_labeled
    done = lesson.accept(store, code, secret, run)
    assert done.taught == 1 and done.answer.point == point and done.next_question == qid + 1
    assert run.n_labeled == before + 1 and run.steps[-1].source == "class"
    assert run.steps[-1].queried == (point,) and run.steps[-1].labels == (1,)
    assert store.view(code, secret).question.point == int(run.suggest(1).indices[0])
    assert labels_by_you(run) == 1  # a run the class labeled is kept like one you labeled


def test_a_tie_waits_for_the_teacher_whose_label_is_taught_and_recorded(lesson_room):
    store, run, code, secret, tokens = lesson_room
    qid = lesson.ask_next(store, code, secret, run)
    _vote(store, code, tokens, qid, [0, 1])
    before = run.to_json()
    waiting = lesson.accept(store, code, secret, run)
    assert waiting.taught is None and waiting.answer.tied == (0, 1) and run.to_json() == before
    assert lesson.accept(store, code, secret, run, label=5) is None  # out of range
    assert run.to_json() == before
    done = lesson.accept(store, code, secret, run, label=0)
    assert done.taught == 0 and run.steps[-1].labels == (0,)
    rec = store.record(code, secret)[0].question
    assert (rec.label, rec.decided_by) == (0, "teacher")


def test_undo_takes_back_the_class_label_and_withdraws_its_question(lesson_room):
    store, run, code, secret, tokens = lesson_room
    qid = lesson.ask_next(store, code, secret, run)
    _vote(store, code, tokens, qid, [1, 1, 1])
    lesson.accept(store, code, secret, run)
    n = run.n_labeled
    assert lesson.undo(store, code, secret, run) == 1
    assert run.n_labeled == n - 1
    states = [r.question.state for r in store.record(code, secret)]
    assert states == ["withdrawn", "withdrawn"]  # the taught one, and the next one it replaced
    view = store.view(code, secret)
    assert view.question.is_open and view.question.point == int(run.suggest(1).indices[0])
    assert lesson.undo(store, code, secret, run) == 0  # never past the initial labels


def test_class_labels_travel_in_a_share_link(lesson_room):
    store, run, code, secret, tokens = lesson_room
    qid = lesson.ask_next(store, code, secret, run)
    _vote(store, code, tokens, qid, [0, 0])
    lesson.accept(store, code, secret, run)
    state = decode_state(encode_state(run.to_dict()))
    assert not state.warnings and [s.source for s in state.steps] == ["class"]


def test_the_record_marks_wrong_answers_and_split_votes_and_the_curve_sees_them(lesson_room):
    store, run, code, secret, tokens = lesson_room
    y = run.dataset.y
    asked = []
    for against in (0, 3):  # unanimous for the truth; then three of five against it
        qid = lesson.ask_next(store, code, secret, run)
        point = store.view(code, secret).question.point
        truth = int(y[point])
        _vote(store, code, tokens, qid, [1 - truth] * against + [truth] * (5 - against))
        lesson.accept(store, code, secret, run)
        asked.append(point)
    right, wrong = asked
    marks = plane_marks(store.record(code, secret), y)
    assert list(marks.points) == [right, wrong]
    assert list(marks.differs) == [wrong] and list(marks.split) == [wrong]
    assert marks.agreement.tolist() == [1.0, 0.6]
    assert plane_marks(store.record(code, secret), None).differs.size == 0
    assert list(plane_marks(store.record(code, secret), y, split_below=0.5).split) == []
    n, acc = oracle_curve(run)  # the exact oracle's curve beside the class's
    assert len(n) == len(run.steps) and np.isfinite(acc).all()
    assert run.labels[-1] != y[wrong]


def test_the_votes_csv_has_a_row_per_vote_and_defuses_formulas():
    store = InProcessStore()
    names = ['=HYPERLINK("x")', "@SUM(A1)", "+cmd|' /C calc'!A0"]
    code, secret = store.open_room(names)
    tokens = [store.join(code) for _ in range(3)]
    qid = store.ask(code, secret, 12, {"name": "-2+3"})
    for token, cls in zip(tokens, [0, 1, 1]):
        store.vote(code, token, qid, cls)
    store.close_question(code, secret)
    store.reveal(code, secret, qid, 2)
    store.ask(code, secret, 13)  # asked and withdrawn without a vote: still a row
    store.ask(code, secret, 14)  # (an open question is not in the record yet)
    rows = list(csv.reader(io.StringIO(votes_csv(store.record(code, secret), names, code))))
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == 1 + 3 + 1
    first = dict(zip(CSV_HEADER, rows[1]))
    assert first["vote_name"] == '\'=HYPERLINK("x")' and first["point_name"] == "'-2+3"
    assert first["class_answer_name"] == "'@SUM(A1)" and first["truth_name"] == "'" + names[2]
    assert (first["room"], first["question"], first["agreement"]) == (code, "1", "0.667")
    last = dict(zip(CSV_HEADER, rows[-1]))
    assert (last["state"], last["student"], last["vote"]) == ("withdrawn", "", "")
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_the_join_link_has_the_code_and_no_secret_and_its_qr_is_big():
    store = InProcessStore()
    code, secret = store.open_room(["A", "B"])
    link = join_link("https://asknext.example.org/", code)
    assert link == f"https://asknext.example.org/join?room={code}" and secret not in link
    uri = qr_data_uri(link)
    assert uri.startswith("data:image/png;base64,")
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert img.width == img.height >= DEFAULT_PIXELS
    assert module_pixels(link) >= 14  # big modules: readable from the back of a room
    gray = np.asarray(img.convert("L"))
    assert set(np.unique(gray)) == {0, 255} and gray[: module_pixels(link) * 4].min() == 255
    assert qr_svg(link).startswith("<svg") and qr_data_uri(link, 900) != uri
