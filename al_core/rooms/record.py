"""The room's record as the pages show it: marks on the plane and the votes as CSV.

The plane marks the points where the class's answer differs from the truth and the points
where the class was split, with the agreement as a share; the CSV has one row per vote, every
cell defused against formula injection with the same `safe_cell` as the other exports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from al_core.formats.spreadsheet import safe_cell
from al_core.rooms.model import CLOSED, QuestionRecord

CSV_HEADER = (
    "room",
    "question",
    "point",
    "point_name",
    "state",
    "student",
    "vote",
    "vote_name",
    "class_answer",
    "class_answer_name",
    "decided_by",
    "agreement",
    "truth",
    "truth_name",
)


def taught(records: Sequence[QuestionRecord]) -> list[QuestionRecord]:
    """The questions whose answer counts: closed (not withdrawn) with a label, the latest one
    for each point."""
    latest: dict[int, QuestionRecord] = {}
    for r in records:
        if r.question.state == CLOSED and r.question.label is not None:
            latest[r.question.point] = r
    return list(latest.values())


@dataclass(frozen=True)
class RecordMarks:
    """What the plane marks: every taught point's agreement, and the two groups to draw."""

    points: np.ndarray  # every point the class answered
    agreement: np.ndarray  # the leading class's share there (NaN: the teacher decided unasked)
    differs: np.ndarray  # points where the class's answer is not the truth
    split: np.ndarray  # points where the class agreed less than `split_below`
    split_share: np.ndarray  # the agreement at each of those points, in the same order


def plane_marks(
    records: Sequence[QuestionRecord], truth: np.ndarray | None = None, split_below: float = 1.0
) -> RecordMarks:
    """Marks for the plane from the record; without a truth nothing differs. By default any
    disagreement at all counts as split."""
    answered = taught(records)
    points = np.array([r.question.point for r in answered], int)
    labels = np.array([r.question.label for r in answered], int)
    share = np.array([np.nan if r.agreement is None else r.agreement for r in answered], float)
    differs = points[truth[points] != labels] if truth is not None and len(points) else points[:0]
    low = np.nan_to_num(share, nan=1.0) < split_below
    return RecordMarks(points, share, differs, points[low], share[low])


def votes_csv(records: Sequence[QuestionRecord], class_names: Sequence[str], code: str = "") -> str:
    """One row per vote (a question nobody voted on still gets a row), for a spreadsheet."""

    def name(c: int | None) -> str:
        return "" if c is None else class_names[c]

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in records:
        q = r.question
        share = "" if r.agreement is None else f"{r.agreement:.3f}"
        rows = list(r.votes.items()) or [(None, None)]
        for student, vote in rows:
            row = (
                code,
                q.id,
                q.point,
                q.item.get("name", ""),
                q.state,
                "" if student is None else student,
                "" if vote is None else vote,
                name(vote),
                "" if q.label is None else q.label,
                name(q.label),
                q.decided_by or "",
                share,
                "" if q.truth is None else q.truth,
                name(q.truth),
            )
            writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
