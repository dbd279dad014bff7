"""The teacher's side of a room, on the Label page: the class is the oracle.

The run stays in the teacher's session; the room (questions and votes) lives in the store every
session reaches (`al_core.rooms.room_store`). Only this browser holds the room's secret. Every
call to the store may find it gone (`RoomStoreUnavailable`): the page says so and the run, with
every label, stays as it was. The rules are in `al_core.rooms.lesson` and `.record`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from al_core.formats.gif import run_gif
from al_core.loop import Learner
from al_core.present.palette import class_color
from al_core.present.safe_text import plain
from al_core.rooms import RoomStoreUnavailable, display_code, lesson, record, room_store
from al_core.rooms.qr import join_link, qr_data_uri
from ui import status
from ui.downloads import download

ss = st.session_state
ROOM, RECORDS = "room", "room_records"  # {"code", "secret", "run"}; the record, kept locally


def is_open(run: Learner) -> bool:
    """True while this browser teaches a room for this run (a new run leaves the room)."""
    room = ss.get(ROOM)
    return room is not None and room["run"] is run


def _call(action: Callable[[], Any]) -> Any:
    """One call to the store; when it is gone, the teacher reads why and nothing changes."""
    try:
        return action()
    except RoomStoreUnavailable as exc:
        status.say(warn=str(exc))
        return None


def _records() -> list:
    """The room's record, as last read (kept so a lost store still shows the marks)."""
    return ss.get(RECORDS, [])


def _refresh_record() -> None:
    room = ss[ROOM]
    got = _call(lambda: room_store().record(room["code"], room["secret"]))
    if got is not None:
        ss[RECORDS] = got


# ---------------------------------------------------------------- actions (button callbacks)


def _open(run: Learner) -> None:
    store = room_store()
    try:
        code, secret = store.open_room(run.dataset.class_names)
        lesson.ask_next(store, code, secret, run)
    except (RoomStoreUnavailable, ValueError) as exc:
        status.say(warn=plain(str(exc)))
        return
    ss[ROOM] = {"code": code, "secret": secret, "run": run}
    ss[RECORDS] = []
    status.say(f"Room {display_code(code)} is open: students join with the code or the QR code.")


def _accept(run: Learner, label: int | None = None) -> None:
    room = ss[ROOM]
    done = _call(lambda: lesson.accept(room_store(), room["code"], room["secret"], run, label))
    if done is None:
        return
    _refresh_record()
    names = run.dataset.class_names
    if done.taught is None:
        status.say(warn="A tie (or no votes): choose the class to teach below.")
    else:
        share = done.answer.tally.agreement
        agreed = "" if share is None else f" ({share:.0%} agreed)"
        status.say(f"Taught {plain(names[done.taught])}{agreed}; the next question is out.")


def _reveal(run: Learner) -> None:
    room = ss[ROOM]
    last = next((r for r in reversed(_records()) if r.question.state == "closed"), None)
    if last is None or run.dataset.y is None:
        status.say(warn="Nothing to reveal: no question has closed yet, or there is no truth.")
        return
    truth = int(run.dataset.y[last.question.point])
    ok = _call(lambda: room_store().reveal(room["code"], room["secret"], last.question.id, truth))
    if ok:
        _refresh_record()
        status.say(f"The phones now show the truth: {plain(run.dataset.class_names[truth])}.")


def _undo(run: Learner) -> None:
    room = ss[ROOM]
    undone = _call(lambda: lesson.undo(room_store(), room["code"], room["secret"], run))
    if undone:
        _refresh_record()
        status.say("Undone: the last label is taken back and the question asked again.")
    elif undone == 0:
        status.say(warn="Nothing to undo: only the starting labels are left.")


def _close() -> None:
    room = ss.pop(ROOM)
    got = _call(lambda: room_store().close_room(room["code"], room["secret"]))
    if got is not None:
        ss[RECORDS] = got
    status.say("The room is closed. Its votes stay below, to download; the run keeps its labels.")


# ---------------------------------------------------------------- drawing


def open_button(run: Learner) -> None:
    """Before a room: what it is, and the one button that opens it."""
    st.markdown(
        "**Let the class answer.** Open a room and students join from their phones; each "
        "point the model asks about is put to the vote, and the model learns the class's answer."
    )
    if run.dataset.n_classes < 2:
        st.warning("A room needs at least two classes to vote between.")
        return
    st.button(
        "Open a room",
        key="room_open",
        type="primary",
        icon=":material/groups:",
        on_click=_open,
        args=(run,),
        help="A room code, a join link and a QR code for the class.",
    )
    if records := _records():  # a closed room's votes stay downloadable
        downloads(run, records)


def question_point(view: Any) -> int | None:
    """The pool point the class is voting on now (drawn selected on the plane)."""
    q = None if view is None else view.question
    return q.point if q is not None and q.is_open else None


def marks(run: Learner) -> record.RecordMarks:
    """The plane's marks from the room's record: crosses come with the run, splits from here."""
    return record.plane_marks(_records(), run.dataset.y)


def poll() -> Any:
    """The teacher's view of the room (one round trip), or None when it cannot be read."""
    room = ss[ROOM]
    try:
        return room_store().view(room["code"], room["secret"])
    except RoomStoreUnavailable as exc:
        st.error(str(exc))
        return None


def join_panel(base_url: str) -> None:
    """The code, the link and a QR code big enough to scan from the back of the room."""
    code = ss[ROOM]["code"]
    link = join_link(base_url, code)
    st.html(
        f'<div style="display:flex;flex-wrap:wrap;gap:0.4rem 1.2rem;align-items:center">'
        f'<img src="{qr_data_uri(link, 300)}" width="200" height="200" alt="QR code: {plain(link, "html")}">'
        f'<div><div style="font-size:0.95rem">Room code</div>'
        f'<div data-testid="room-code" style="font-size:2.3rem;font-weight:700;'
        f'white-space:nowrap;letter-spacing:0.05em">{display_code(code)}</div>'
        f'<div style="font-size:0.8rem;word-break:break-all">{plain(link, "html")}</div>'
        f"</div></div>"
    )
    if st.button("Show it large", key="room_big", icon=":material/fullscreen:"):
        big_code(link, code)


@st.dialog("Join the room", width="large")
def big_code(link: str, code: str) -> None:
    """The QR code and the code as large as the screen allows, both in view at 1280x720."""
    st.html(
        f'<div style="text-align:center"><img src="{qr_data_uri(link)}" alt="QR code" '
        f'style="width:min(56vh,520px);height:auto"><div style="font-size:min(9vh,5rem);'
        f'font-weight:700;letter-spacing:0.05em">{display_code(code)}</div></div>'
    )


def tally_panel(run: Learner, view: Any) -> None:
    """Joined, voted, and one bar per class for the open question."""
    names = run.dataset.class_names
    if view is None:
        return
    q = view.question
    counts = view.tally.counts if view.tally else (0,) * len(names)
    total = max(1, sum(counts))
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:0.5rem;margin:0.2rem 0">'
        f'<span style="width:7rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">'
        f"{plain(name, 'html')}</span>"
        f'<span style="flex:1;background:#EEE;border-radius:4px;height:1.4rem">'
        f'<span style="display:block;height:100%;width:{100 * n / total:.0f}%;'
        f'background:{class_color(c)};border-radius:4px"></span></span>'
        f'<span data-testid="room-count-{c}" style="width:2.5rem;text-align:right;'
        f'font-variant-numeric:tabular-nums">{n}</span></div>'
        for c, (name, n) in enumerate(zip(names, counts))
    )
    asked = f"Question {q.id}: {plain(q.item.get('name', ''), 'html')}" if q else "No question"
    st.html(
        f'<div data-testid="room-tally"><b>{asked}</b> · '
        f'<span data-testid="room-joined">{view.n_students} joined</span> · '
        f'<span data-testid="room-voted">{view.n_voted} voted</span>{rows}</div>'
    )


def auto_accept(run: Learner, view: Any) -> bool:
    """Accept by itself when the teacher's rule says so; True when it did (redraw the page)."""
    if not ss.get("room_auto") or view is None:
        return False
    votes = int(ss.get("room_after_votes", 0)) or None
    seconds = float(ss.get("room_after_seconds", 0)) or None
    if lesson.auto_accept_due(view, time.time(), votes, seconds):
        _accept(run)
        return True
    return False


def controls(run: Learner, view: Any) -> None:
    """Accept, a tie's choice, reveal, undo, close; the auto-accept rule; the downloads."""
    names = run.dataset.class_names
    row = st.container(horizontal=True, gap="small")
    row.button(
        "Accept the majority",
        key="room_accept",
        type="primary",
        on_click=_accept,
        args=(run,),
        disabled=view is None or view.question is None,
        help="Teach the class's answer as the label and put the next point to the vote.",
    )
    row.button(
        "Reveal the truth",
        key="room_reveal",
        on_click=_reveal,
        args=(run,),
        disabled=not run.dataset.has_truth,
        help="Show the phones the true class of the last question answered.",
    )
    row.button("Undo", key="room_undo", on_click=_undo, args=(run,), help="Take back a label.")
    row.button("Close the room", key="room_close", on_click=_close, help="End the vote.")
    q = None if view is None else view.question
    if q is not None and q.state == "closed" and q.label is None:  # a tie: the teacher decides
        st.caption("A tie: teach one of these.")
        pick = st.container(horizontal=True, gap="small")
        for c, name in enumerate(names):
            pick.button(
                plain(name, limit=40), key=f"room_pick_{c}", on_click=_accept, args=(run, c)
            )
    with st.expander("Accept by itself", expanded=False):
        st.toggle("Accept automatically", key="room_auto")
        c = st.columns(2)
        c[0].number_input(
            "after this many votes",
            0,
            200,
            0,
            key="room_after_votes",
            help="0: no vote count rule.",
        )
        c[1].number_input(
            "or after seconds",
            0,
            600,
            0,
            key="room_after_seconds",
            help="0: no time rule. Either rule needs at least one vote.",
        )
    downloads(run, _records())


def downloads(run: Learner, records: list) -> None:
    """The room's votes as CSV and the run as an animated GIF, built only when clicked."""
    code = ss[ROOM]["code"] if ROOM in ss else ""
    c = st.columns(2)
    download(
        c[0],
        "Votes (CSV)",
        lambda: record.votes_csv(records, run.dataset.class_names, code),
        f"room-{code or 'votes'}.csv",
        key="room_csv",
        icon=":material/download:",
        help="One row per vote: question, point, student, vote, the class's answer, the truth.",
        disabled=not records,
    )
    download(
        c[1],
        "Run as GIF",
        lambda: run_gif(run),
        "ask-next-run.gif",
        key="room_gif",
        icon=":material/movie:",
        help="One frame a step, the plane beside the curve: for slides.",
    )
