"""Live rooms: the class is the oracle. The teacher opens a room, students join from their
phones and vote each suggested point's label, and the run learns the class's answer.

Which store. `room_store()` is the one to call from every page: the in-process store (one
server, nothing to install) unless the setting `ASK_NEXT_REDIS_URL` (e.g.
`redis://127.0.0.1:6390/0`) names a Redis that every replica shares. Any call on a store may
raise `RoomStoreUnavailable` (Redis went away): show `str(exc)` to the teacher, keep the run.
Nothing else ever raises for what a browser sends: a bad code, secret, token, question id or
class is logged (logger `al_core.rooms`) and answered with None or False.

The teacher's page (the secret lives in the teacher's session state, never in a link):

    from al_core.rooms import lesson, record, room_store
    from al_core.rooms.qr import join_link, qr_data_uri

    store = room_store()
    code, secret = store.open_room(run.dataset.class_names)
    link = join_link(base_url, code)          # base_url: the app's address as students reach it
    qr = qr_data_uri(link)                    # st.image(qr) or an <img>, big enough for the room
    lesson.ask_next(store, code, secret, run)              # the strategy's top point, to the vote
    view = store.view(code, secret)           # poll (one round trip): question, tally, joined
    if lesson.auto_accept_due(view, time.time(), after_votes=N, after_seconds=T): ...
    done = lesson.accept(store, code, secret, run)         # close, teach the majority, ask next
    if done and done.taught is None:          # a tie (or no votes): the teacher picks a class
        lesson.accept(store, code, secret, run, label=picked)   # (also overrules a majority)
    lesson.undo(store, code, secret, run)     # undo the last class label, withdraw its question
    store.reveal(code, secret, question_id, truth)         # phones now show the true class
    records = store.record(code, secret)      # keep in session state after every accept
    marks = record.plane_marks(records, run.dataset.y)     # crosses and split points
    csv_text = record.votes_csv(records, run.dataset.class_names)
    records = store.close_room(code, secret)  # the record, one last time
    # The curve: `present.views.oracle_curve(run)` beside `run.curve()`; class labels are steps
    # with source "class", so undo, links, session files and kept runs treat them as yours.

A student's page (`/join?room=CODE`, or a code typed there):

    token = store.join(code, token=kept_token)  # None: no such room, or it is full
    sv = store.student_view(code, token)        # poll (one round trip); None: join again
    store.vote(code, token, sv.question.id, cls)  # True when counted; pressing again changes it

`kept_token` is the token this browser was given before (session state; to survive a reload,
a cookie or a `me=` query parameter): it is what makes a new vote replace the old one, so a
reload does not vote twice. The token is not a secret of the teacher's and controls nothing.

For slides, `al_core.formats.gif.run_gif(run)` is the run as an animated GIF (bytes).

Poll with `st.fragment(run_every=0.5)` on both pages: `view` and `student_view` are one round
trip each, and their `stamp` tells whether anything changed since the last poll, so a page can
skip redrawing. Rooms expire after 3 hours without an action (joins, votes, the teacher's
steps; polls do not count) and hold at most 200 students.
"""

from __future__ import annotations

import os
import threading

from al_core.rooms.backend import RoomStoreUnavailable
from al_core.rooms.codes import display_code, parse_code
from al_core.rooms.memory import InProcessStore, memory_store
from al_core.rooms.model import (
    IDLE_SECONDS,
    MAX_STUDENTS,
    Answer,
    Question,
    QuestionRecord,
    RoomView,
    StudentView,
    Tally,
    auto_accept_due,
)
from al_core.rooms.store import RoomStore

REDIS_URL_SETTING = "ASK_NEXT_REDIS_URL"
_REDIS: dict[str, RoomStore] = {}
_REDIS_LOCK = threading.Lock()


def room_store() -> RoomStore:
    """The store this deployment's rooms live in: Redis if `ASK_NEXT_REDIS_URL` is set (one
    client per URL, shared by every session), otherwise this server's in-process store."""
    url = os.environ.get(REDIS_URL_SETTING, "").strip()
    if not url:
        return memory_store()
    with _REDIS_LOCK:
        if url not in _REDIS:
            from al_core.rooms.redis_store import RedisStore

            _REDIS[url] = RedisStore(url)
        return _REDIS[url]


__all__ = [
    "IDLE_SECONDS",
    "MAX_STUDENTS",
    "REDIS_URL_SETTING",
    "Answer",
    "InProcessStore",
    "Question",
    "QuestionRecord",
    "RoomStore",
    "RoomStoreUnavailable",
    "RoomView",
    "StudentView",
    "Tally",
    "auto_accept_due",
    "display_code",
    "memory_store",
    "parse_code",
    "room_store",
]
