"""What leaves the app as a table: the labels and the step history as CSV.

The files are for people and spreadsheets, so every text cell is defused against formula
injection (`safe_cell`), the one rule both tables write with.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from al_core.loop.learner import Learner

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text and never runs as a formula.

    Text starting with = + - @ (or a tab / carriage return) gets a leading single quote, the
    usual defence against CSV injection; plain numbers such as -0.5 are left alone because a
    spreadsheet reads them as numbers, not formulas.
    """
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def history_csv(learner: Learner) -> str:
    """One row per step: what was asked, what was answered, by whom, and the metrics after it."""
    ds = learner.dataset
    metric_names = list(learner.steps[0].metrics) if learner.steps else []
    header = ["step", "n_labeled", "source", "queried", "labels", "label_names"]
    if ds.row_ids is not None:
        header.append("csv_rows")  # as a spreadsheet numbers them: the header is row 1
    header += metric_names
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for s in learner.steps:
        row = [
            s.number,
            s.n_labeled,
            s.source,
            " ".join(map(str, s.queried)),
            " ".join(map(str, s.labels)),
            "; ".join(ds.class_names[v] for v in s.labels),
        ]
        if ds.row_ids is not None:
            row.append(" ".join(str(int(ds.row_ids[i]) + 2) for i in s.queried))
        row += [repr(float(s.metrics.get(m, float("nan")))) for m in metric_names]
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def labels_csv(learner: Learner) -> str:
    """One row per labeled point, in the order they were labeled.

    Columns: row_index (the row in the uploaded file, counting data rows from 0; for built-in
    data the pool index), the two plotted features, label (class name), labeled_by (initial,
    oracle, noisy oracle, you, random) and step (0 = the initial labels).
    """
    ds = learner.dataset
    fixed = ("row_index", "label", "labeled_by", "step")
    fx, fy = (f if f not in fixed else f"{f} (feature)" for f in ds.feature_names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in ("row_index", fx, fy, "label", "labeled_by", "step")])
    for step in learner.steps:
        for i, label in zip(step.queried, step.labels):
            row = int(ds.row_ids[i]) if ds.row_ids is not None else int(i)
            x, y = (repr(float(v)) for v in ds.X[i])
            name = safe_cell(ds.class_names[label])
            writer.writerow([row, x, y, name, safe_cell(step.source), step.number])
    return out.getvalue()
