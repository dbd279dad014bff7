"""Join: a student's phone in a room. The question, one big button per class, the class's
answer once it closes and the truth once the teacher reveals it.

This page holds no run and no secret: only this browser's token (session state, and `me=` in
the address, so a reload keeps its vote instead of voting twice). It polls the room once a
second; a vote is a fragment rerun, so the press shows at once.
"""

import streamlit as st

from al_core.present.palette import class_color
from al_core.present.safe_text import plain
from al_core.rooms import RoomStoreUnavailable, display_code, parse_code, room_store
from al_core.rooms.lesson import question_picture

ss = st.session_state
POLL_SECONDS = 1.0

PHONE_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stHeader"], footer {display: none !important;}
.block-container {padding: 0.8rem 0.9rem 1rem 0.9rem !important; max-width: 34rem;}
div[data-testid="stButton"] button {min-height: 3.4rem; width: 100%;}
div[data-testid="stButton"] button p {font-size: 1.3rem; font-weight: 600;}
</style>
"""


def _vote(code: str, question_id: int, cls: int) -> None:
    try:
        ok = room_store().vote(code, ss.join_token, question_id, cls)
    except RoomStoreUnavailable:
        ok = False
    ss.join_note = "" if ok else "That vote did not count: the question has closed."


def _leave() -> None:
    for key in ("join_code", "join_token"):
        ss.pop(key, None)
    st.query_params.clear()


def _enter(code_typed: str) -> None:
    code = parse_code(code_typed)
    if code is None:
        ss.join_note = "That is not a room code: six letters and digits, as on the screen."
        return
    ss.join_code, ss.join_note = code, ""


def ask_for_code() -> None:
    """No room yet: a box for the code on the screen."""
    st.markdown("## Join a room")
    with st.form("join_form", border=False):
        typed = st.text_input("Room code", max_chars=12, placeholder="ABC 234")
        if st.form_submit_button("Join", type="primary", width="stretch"):
            _enter(typed)
            st.rerun()
    if note := ss.pop("join_note", ""):
        st.warning(note)


def question(code: str) -> None:
    """The room as this phone sees it, polled once a second."""
    try:
        sv = room_store().student_view(code, ss.join_token)
    except RoomStoreUnavailable:
        st.warning("The room cannot be reached right now; trying again…")
        return
    if sv is None:
        st.warning("This room has closed, or it is full.")
        st.button("Join another room", on_click=_leave, width="stretch")
        return
    st.caption(f"Room {display_code(code)} · you are student {sv.student}")
    q = sv.question
    names = sv.class_names
    if sv.last is not None and sv.last.state == "closed" and (q is None or q.id != sv.last.id):
        answered(sv.last, names, "Last question")
    if q is None:
        st.markdown("### Waiting for the first question…")
        return
    st.markdown(f"### Which class is {plain(q.item.get('name', 'this point'))}?")
    if shown := q.item.get("html"):  # a digit's image or a text, escaped where it was made
        st.html(str(shown))
    if picture := question_picture(q.item):
        st.image(picture, width="stretch", caption="The point in the red square, as on the screen.")
    if sv.can_vote:
        for c, name in enumerate(names):
            mine = sv.my_vote == c
            st.button(
                ("✓ " if mine else "") + plain(name, limit=40),
                key=f"vote_{q.id}_{c}",
                type="primary" if mine else "secondary",
                on_click=_vote,
                args=(code, q.id, c),
                width="stretch",
            )
        st.caption("You can change your vote until the teacher closes the question.")
    else:
        answered(q, names, "This question")
        st.caption("Waiting for the next question…")
    if note := ss.pop("join_note", ""):
        st.warning(note)


def answered(q, names: tuple[str, ...], which: str) -> None:
    """A closed question: the class's answer, and the truth once the teacher revealed it."""
    answer = "a tie, the teacher decides" if q.label is None else names[q.label]
    line = f"{which} ({q.item.get('name', '')}): the class answered <b>{plain(answer, 'html')}</b>"
    if q.truth is not None:
        verdict = "right" if q.label == q.truth else "wrong"
        line += f". The truth: <b>{plain(names[q.truth], 'html')}</b>, the class was {verdict}"
    color = class_color(q.truth if q.truth is not None else (q.label or 0))
    st.html(
        f'<div data-testid="join-answer" style="font-size:1.05rem;border-left:0.5rem solid '
        f'{color};padding:0.2rem 0.6rem;margin-bottom:0.4rem">{line}.</div>'
    )


st.html(PHONE_CSS)
if "join_code" not in ss and (raw := st.query_params.get("room")):
    _enter(raw)
code = ss.get("join_code")
if code is None:
    ask_for_code()
else:
    try:
        token = room_store().join(code, token=ss.get("join_token") or st.query_params.get("me"))
    except RoomStoreUnavailable:
        token = None
        st.warning("The room cannot be reached right now. Reload the page in a moment.")
    if token is None:
        st.warning(f"There is no open room {plain(display_code(code))}, or it is full.")
        st.button("Try another code", on_click=_leave, width="stretch")
    else:
        ss.join_token = token
        st.query_params.update(room=code, me=token)
        st.fragment(question, run_every=POLL_SECONDS)(code)
