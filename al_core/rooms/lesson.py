"""The teacher's loop over a room: put the strategy's point to the vote, teach the class's
answer, undo. The run stays in the teacher's session; the store holds only questions and votes.

Each function talks to the store before it changes the run, so when the store is gone
(`RoomStoreUnavailable`) the run is exactly as it was, with every label it holds.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from al_core.formats.gif import question_png
from al_core.loop import Learner
from al_core.present.items import item_html
from al_core.rooms.model import CLOSED, Answer, auto_accept_due
from al_core.rooms.store import RoomStore

CLASS = "class"  # the step source of a label the class voted
MAX_ITEM_HTML = 20_000  # a long text stays on the teacher's screen, not in every phone's poll
__all__ = [
    "CLASS",
    "Accepted",
    "accept",
    "ask_next",
    "auto_accept_due",
    "question_item",
    "question_picture",
    "undo",
]


def question_item(run: Learner, point: int) -> dict[str, Any]:
    """What a phone shows of a pool point: its name, where it lies, and the plane as it is now
    with the point ringed (a small PNG, base64, drawn once per question), and the item itself
    where the data has one (a digit's image, a text), as the Label page shows it."""
    x, y = (float(v) for v in run.dataset.X[point])
    picture = base64.b64encode(question_png(run, point)).decode("ascii")
    item = {"name": run.dataset.point_name(point), "x": round(x, 4), "y": round(y, 4)}
    shown = item_html(run.dataset, [point], caption=False)  # a digit, a text: escaped HTML
    if shown and len(shown) <= MAX_ITEM_HTML:
        item["html"] = shown
    return {**item, "picture": picture}


def question_picture(item: dict[str, Any]) -> bytes | None:
    """The PNG a question carries, or None (an item without one, or a garbled one)."""
    try:
        return base64.b64decode(str(item["picture"]), validate=True)
    except (KeyError, ValueError):
        return None


def ask_next(store: RoomStore, code: str, secret: str, run: Learner) -> int | None:
    """Put the strategy's top suggestion to the vote; its question id, or None when the pool
    is used up (an open question it replaces is recorded as withdrawn)."""
    if not len(run.candidates):
        return None
    point = int(run.suggest(1).indices[0])
    return store.ask(code, secret, point, question_item(run, point))


@dataclass(frozen=True)
class Accepted:
    """What `accept` did: the closed question's answer, the label taught (None while the
    teacher still has to pick one) and the next question's id."""

    answer: Answer
    taught: int | None
    next_question: int | None


def accept(
    store: RoomStore, code: str, secret: str, run: Learner, label: int | None = None
) -> Accepted | None:
    """Close the open question and teach the class's majority, then ask the next point.

    On a tie (or with no votes) nothing is taught: `taught` is None, and the page asks the
    teacher, then calls again with `label`, which also overrules a majority. None when there
    is nothing to accept (no question, a withdrawn one, or a label out of range).
    """
    view = store.view(code, secret)
    q = None if view is None else view.question
    if q is None or not (q.is_open or q.state == CLOSED):
        return None
    answer = store.close_question(code, secret) if q.is_open else Answer(q.id, q.point, view.tally)
    if answer is None:
        return None
    if run.labeled_mask[answer.point]:  # taught already (a second click, or labeled by hand)
        return Accepted(answer, None, None)
    chosen = answer.label if label is None else label
    if chosen is None:
        return Accepted(answer, None, None)
    if chosen != answer.label and not store.settle(code, secret, answer.question_id, chosen):
        return None
    run.teach([answer.point], [chosen], CLASS)
    return Accepted(answer, chosen, ask_next(store, code, secret, run))


def undo(store: RoomStore, code: str, secret: str, run: Learner) -> int:
    """Undo the run's last step as everywhere; when the class gave that label, its question
    is withdrawn in the room's record. The next question is asked from the state undone to.
    Returns how many steps were undone (0 at the initial labels)."""
    if run.step_number == 0:
        return 0
    last = run.steps[-1]
    if last.source == CLASS:
        records = store.record(code, secret) or []
        asked = [
            r.question.id
            for r in records
            if r.question.state == CLOSED and r.question.point in last.queried
        ]
        if asked:
            store.withdraw(code, secret, asked[-1])
    undone = run.undo(1)
    ask_next(store, code, secret, run)
    return undone
