"""Label: the person is the oracle.

The model's top suggestion is preselected, so one key (1, 2, 3 …) labels it; a click selects any
other point, a box or lasso selects a group, Backspace undoes. "You vs the strategy" races a
person's picks against a strategy's; "Your own data" loads a CSV; sessions download and upload.
Every action is a button callback, so it runs before the page redraws and the chart never lags.
"""

import streamlit as st

from ui import shell

shell.ensure_routed()

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from al_core.datasets import DataError, Dataset, load_csv
from al_core.experiments import full_pool_accuracy
from al_core.figures import CLASS_COLORS, Curve, Style, curve_figure, plane_figure
from al_core.labels_io import csv_columns, labels_csv, read_session, session_json
from al_core.learner import Learner
from al_core.metrics import labels_to_target
from al_core.selection import label_notes, read_selection
from al_core.strategies import STRATEGIES
from al_core.views import oracle_curve, plane_view
from ui import state, style

ss = st.session_state

TITLE = "Label the points the model asks about"
RACE_TITLE = "Your picks: click a point to reveal its label"
SHOWN = 5  # ranked suggestions drawn on the plane
KEYS = "1234567890"  # class shortcuts; 10 classes at most
MODES = ("Label", "You vs the strategy")
OPPONENT = "margin"
TARGET_SHARE = 0.95
NO_LABEL = "(none: I label every point)"
PLANE_CONFIG = {
    "displayModeBar": True,  # the box and lasso tools live there
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
        "toImage",
    ],
}
SELECTED = "#D62728"


@dataclass
class Backup:
    """A run the user put labels into, kept when something replaced it, so nothing is lost."""

    run: Learner
    upload: dict[str, Any] | None
    reason: str


@dataclass
class Race:
    """You and a strategy from the same start; the strategy asks one label per label you pick."""

    you: Learner
    them: Learner
    key: tuple


# ---------------------------------------------------------------- small helpers


def _by_you(run: Learner) -> int:
    return sum(len(s.queried) for s in run.steps if s.source == "you")


def _labels(n: int) -> str:
    return f"{n} label" if n == 1 else f"{n} labels"


def _upload_state() -> dict[str, Any]:
    keys = ("upload_dataset", "upload_bytes", "upload_label_column", "upload_name")
    keys += ("upload_columns", "upload_guess")
    return {k: ss.get(k) for k in keys}


def _keep(run: Learner | None, reason: str) -> None:
    """Remember a run that holds labels by the user before it is replaced."""
    if run is None or _by_you(run) == 0:
        return
    upload = _upload_state() if run.config.dataset == "upload" else None
    ss.lb_backup = Backup(run, upload, reason)


def _clear_selection() -> None:
    """A different run: forget what belonged to the old one (memos are keyed by dataset id)."""
    ss.lb_sel = ()
    for key in ("lb_race", "lb_memo", "lb_targets"):
        ss.pop(key, None)


def _point_name(ds: Dataset, i: int) -> str:
    return f"row {int(ds.row_ids[i])}" if ds.row_ids is not None else f"point {i}"


def _suggested(run: Learner) -> np.ndarray:
    """The strategy's ranked suggestions (empty when nothing is left to ask)."""
    if not len(run.candidates):
        return np.array([], int)
    try:
        return np.asarray(run.suggest(max(SHOWN, run.config.batch_size)).indices, int)
    except ValueError:
        return np.array([], int)


def _selection(run: Learner) -> tuple[tuple[int, ...], bool]:
    """(points a class key labels now, whether they are the automatic top suggestion)."""
    mask = run.labeled_mask
    chosen = tuple(i for i in ss.get("lb_sel", ()) if 0 <= i < len(mask) and not mask[i])
    if chosen:
        return chosen, False
    top = _suggested(run)
    return ((int(top[0]),), True) if len(top) else ((), True)


def _change(run: Learner) -> str:
    """What the last label did to the score, for the status line."""
    metric = "accuracy" if run.dataset.has_truth else "confidence"
    now, before = (run.steps[i].metrics.get(metric) for i in (-1, -2))
    if now is None or before is None:
        return "The model has refitted."
    return f"{metric.capitalize()} {now:.1%} ({now - before:+.1%})."


def _keys(names: tuple[str, ...]) -> list[str]:
    """Class shortcuts: 1, 2, 3 … in order, except that classes named by single digits (digits,
    a CSV labeled 0/1) take their own digit, so the key is the label."""
    if all(len(n) == 1 and n.isdigit() for n in names):
        return list(names)
    return list(KEYS[: len(names)])


def _say(status: str = "", warn: str = "") -> None:
    ss.lb_status, ss.lb_warn = status, warn


# ---------------------------------------------------------------- label mode: actions


def on_pick() -> None:
    """The chart's selection changed: a click, a box or a lasso (see al_core.selection)."""
    run = ss.learner
    prev = ss.get("lb_sel", ())
    sel = read_selection(
        ss.get("pool"),
        run.labeled_mask,
        prev[0] if len(prev) == 1 else None,
        label_notes(run),
    )
    if sel.kind != "none":
        ss.lb_sel = sel.indices
    _say(warn=sel.message)


def give_label(cls: int) -> None:
    run = ss.learner
    points, _ = _selection(run)
    names = run.dataset.class_names
    if not points:
        _say(warn="Nothing to label: every point is labeled or set aside.")
        return
    try:
        run.teach(list(points), [cls] * len(points), "you")
    except ValueError as exc:
        _say(warn=f"That label could not be given: {exc}.")
        return
    ss.lb_sel = ()
    what = (
        _point_name(run.dataset, points[0]).capitalize()
        if len(points) == 1
        else f"{len(points)} points"
    )
    _say(f"{what} labeled {names[cls]}. {_change(run)}")


def do_skip() -> None:
    run = ss.learner
    points, _ = _selection(run)
    if not points:
        _say(warn="Nothing to set aside.")
        return
    for i in points:
        run.skip(i)
    ss.lb_sel = ()
    what = _point_name(run.dataset, points[0]) if len(points) == 1 else f"{len(points)} points"
    _say(f"Set aside {what}: never suggested again (you can still click and label it).")


def do_top() -> None:
    ss.lb_sel = ()
    _say("Back to the model's top suggestion.")


def do_undo() -> None:
    run = ss.learner
    if run.step_number == 0:
        _say(warn="Nothing to undo: only the starting labels are left.")
        return
    last = run.steps[-1]
    run.undo()
    ss.lb_sel = tuple(sorted(last.queried))
    names = run.dataset.class_names
    if len(last.queried) == 1:
        i = last.queried[0]
        what = (
            f"{_point_name(run.dataset, i).capitalize()} ({names[last.labels[0]]} by {last.source})"
        )
        _say(f"Undone: {what} is unlabeled again and selected.")
    else:
        _say(f"Undone: {len(last.queried)} labels by {last.source}; those points are selected.")


def restore_backup() -> None:
    """Bring back the kept run; the current one is kept in its place if it holds your labels."""
    b = ss.pop("lb_backup", None)
    if b is None:
        return
    _keep(ss.get("learner"), "swapped for the run you brought back")
    if b.upload is not None:
        ss.update(b.upload)
        ss.upload_label_pick = _pick_value(b.upload["upload_label_column"], b.upload)
    state.replace_learner(b.run)
    _clear_selection()
    _say(f"Brought back the run with {_labels(_by_you(b.run))} by you.")


def dismiss_backup() -> None:
    ss.pop("lb_backup", None)


# ---------------------------------------------------------------- your own data and sessions


def _upload_initial(ds: Dataset) -> int:
    """Without labels the user starts from zero; with labels, 10% of the pool (at least one per
    class) come from the label column, as with the built-in data."""
    return 0 if ds.y is None else max(ds.n_classes, len(ds) // 10)


def _pick_value(label_column: str | None, upload: dict[str, Any]) -> str:
    """What the label-column picker shows for the column a dataset was loaded with."""
    if label_column == "auto":
        label_column = upload.get("upload_guess")
    return label_column if label_column in (upload.get("upload_columns") or []) else NO_LABEL


def _adopt(ds: Dataset, data: bytes, name: str, label_column: str | None, initial: int) -> str:
    """Start a run on an uploaded dataset; returns an error message, or "" when it worked."""
    try:
        config = state.with_config(
            dataset="upload", initial=initial, n_classes=None, imbalance=0.0
        ).validated()
        run = Learner(config, ds)
    except ValueError as exc:
        return f"The file loaded, but no run can start on it: {exc}."
    _keep(ss.get("learner"), f"replaced by {name}")
    columns, guess = csv_columns(data)
    ss.upload_dataset, ss.upload_bytes, ss.upload_name = ds, data, name
    ss.upload_label_column, ss.upload_columns, ss.upload_guess = label_column, columns, guess
    ss.upload_label_pick = _pick_value(label_column, _upload_state())
    state.replace_learner(run)
    _clear_selection()
    return ""


def on_csv() -> None:
    """A CSV was dropped on the uploader (removing it keeps the data and the run)."""
    ss.pop("lb_upload_error", None)
    f = ss.get("csv_file")
    if f is None:
        return
    data = f.getvalue()
    try:
        ds = load_csv(data, f.name, "auto")
    except DataError as exc:
        ss.lb_upload_error = f"{f.name} was not loaded. {exc} Your current session is kept."
        return
    error = _adopt(ds, data, f.name, "auto", _upload_initial(ds))
    if error:
        ss.lb_upload_error = error
        return
    classes = f"{ds.n_classes} classes" if ds.has_truth else "no label column"
    _say(f"Loaded {f.name}: {len(ds)} points to label, {classes}.")


def on_label_pick() -> None:
    """A different label column (or none) was picked for the uploaded CSV."""
    ss.pop("lb_upload_error", None)
    pick = ss.upload_label_pick
    column = None if pick == NO_LABEL else pick
    try:
        ds = load_csv(ss.upload_bytes, ss.upload_name, column)
    except DataError as exc:
        ss.upload_label_pick = _pick_value(ss.upload_label_column, _upload_state())
        ss.lb_upload_error = f"'{pick}' cannot be the label column. {exc} Nothing was changed."
        return
    error = _adopt(ds, ss.upload_bytes, ss.upload_name, column, _upload_initial(ds))
    if error:
        ss.upload_label_pick = _pick_value(ss.upload_label_column, _upload_state())
        ss.lb_upload_error = error
        return
    _say(
        "Label column: none. Every label is yours." if column is None else f"Label column: {pick}."
    )


def on_session() -> None:
    """A session file was uploaded: rebuild the run exactly, or say why not and keep this one."""
    ss.pop("lb_session_error", None)
    f = ss.get("session_file")
    if f is None:
        return
    try:
        session = read_session(f.getvalue())
    except ValueError as exc:
        ss.lb_session_error = f"{f.name} was not loaded. {exc} Your current session is kept."
        return
    except Exception:  # read_session promises ValueError; a traceback must never reach the page
        ss.lb_session_error = (
            f"{f.name} could not be read as an Ask Next session. Your current session is kept."
        )
        return
    _keep(ss.get("learner"), f"replaced by the session in {f.name}")
    run = session.learner
    if session.dataset is not None:
        columns, guess = csv_columns(session.csv_bytes)
        ss.upload_dataset, ss.upload_bytes = session.dataset, session.csv_bytes
        ss.upload_name, ss.upload_label_column = session.dataset.name, session.label_column
        ss.upload_columns, ss.upload_guess = columns, guess
        ss.upload_label_pick = _pick_value(session.label_column, _upload_state())
    state.replace_learner(run)
    _clear_selection()
    _say(
        f"Session restored: {run.n_labeled} labels ({_by_you(run)} by you), step {run.step_number}."
    )


# ---------------------------------------------------------------- you vs the strategy


def _race(run: Learner, opponent: str) -> Race:
    """The race for the current configuration, restarted when it or the opponent changes."""
    key = (repr(run.config), id(run.dataset), opponent)
    race = ss.get("lb_race")
    if race is None or race.key != key:
        exact = replace(run.config, oracle_noise=0.0, random_mix=0.0)
        you = Learner(exact, run.dataset)
        them = Learner(replace(exact, strategy=opponent, strategy_params={}), run.dataset)
        race = ss.lb_race = Race(you, them, key)
    return race


def on_race_pick() -> None:
    """A click in the race reveals the true label at once; the strategy then asks as many."""
    race = ss.get("lb_race")
    if race is None:
        return
    sel = read_selection(ss.get("race"), race.you.labeled_mask, None, label_notes(race.you))
    if sel.kind == "none":
        _say(warn=sel.message)
        return
    idx = list(sel.indices)
    truth = race.you.dataset.y[idx]
    race.you.teach(idx, truth, "you")
    k = min(len(idx), len(race.them.candidates))
    if k:
        race.them.step(k)
    names = race.you.dataset.class_names
    what = (
        f"{_point_name(race.you.dataset, idx[0]).capitalize()} is {names[truth[0]]}"
        if len(idx) == 1
        else f"{len(idx)} points revealed"
    )
    _say(f"{what}. {STRATEGIES[race.them.config.strategy].label} asked {k} too.")


def race_undo() -> None:
    race = ss.get("lb_race")
    if race is None or race.you.step_number == 0:
        _say(warn="Nothing to undo: the race is at its start.")
        return
    race.you.undo()
    race.them.undo()
    _say("Took back your last pick and the strategy's answer to it.")


def race_restart() -> None:
    ss.pop("lb_race", None)
    _say("The race starts again.")


def fair_race() -> None:
    """Few starting labels and a flexible model: where picking well can pay off."""
    k = ss.learner.dataset.n_classes
    state.set_config(state.with_config(initial=2 * k, model="svm_rbf", model_params={}))
    ss.pop("lb_race", None)


def _target(run: Learner) -> float | None:
    """95% of the accuracy the model reaches with every pool point labeled (None if unknown)."""
    c = run.config
    upload = c.dataset == "upload"
    key = (repr(replace(c, strategy="random", strategy_params={})), id(run.dataset))
    memo = ss.setdefault("lb_targets", {})
    if key not in memo:
        try:
            memo[key] = full_pool_accuracy(c, run.dataset if upload else None)
        except ValueError:
            memo[key] = None
    full = memo[key]
    return None if full is None else TARGET_SHARE * full


# ---------------------------------------------------------------- drawing


def _group_marks(fig: go.Figure, X: np.ndarray, group: tuple[int, ...], s: Style) -> None:
    """Red squares on a box or lasso selection (PlaneView.selected draws one point only)."""
    idx = np.asarray(group, int)
    fig.add_trace(
        go.Scatter(
            x=X[idx, 0],
            y=X[idx, 1],
            mode="markers",
            name=f"Selected ({len(idx)})",
            customdata=idx,
            marker=dict(
                symbol="square-open",
                size=15 * s.marker,
                color=SELECTED,
                line=dict(width=2 * s.line),
            ),
            hovertemplate="point %{customdata}<extra>selected</extra>",
        )
    )


def _class_css(names: tuple[str, ...]) -> None:
    """Each class button carries its class colour, as on the chart."""
    rules = [
        f".st-key-label_{c} button {{border-left: 0.5rem solid {CLASS_COLORS[c % len(CLASS_COLORS)]};}}"
        for c in range(len(names))
    ]
    st.html("<style>" + "\n".join(rules) + "</style>")


def metrics(run: Learner) -> None:
    s = run.steps[-1]
    m = st.columns(4)
    m[0].metric("Labeled", run.n_labeled, help="Labels the model has learned from.")
    acc = s.metrics.get("accuracy")
    if acc is None:
        m[1].metric(
            "Confidence",
            f"{s.metrics['confidence']:.1%}",
            help="There is no label column, so no accuracy: the model's mean top-class "
            "probability over your data.",
        )
    else:
        # no delta arrow: it would come and go and move the chart below by a line
        m[1].metric("Accuracy", f"{acc:.1%}", help="On a held-out test set, never the pool.")
    m[2].metric("By you", _by_you(run), help="Labels you gave on this page.")
    if run.dataset.has_truth:
        m[3].metric(
            "Differ from truth",
            len(run.disagreements()),
            help="Labels that differ from the dataset's true class; crossed out on the chart.",
        )
    else:
        m[3].metric("Set aside", len(run.skipped), help="Points skipped: never suggested again.")


def selected_panel(run: Learner, points: tuple[int, ...], auto: bool, ranked: np.ndarray) -> None:
    ds = run.dataset
    if not points:
        st.markdown("**Every point is labeled or set aside.**")
        return
    if len(points) > 1:
        st.markdown(f"**{len(points)} points selected.** One class key labels all of them.")
        return
    i = points[0]
    rank = np.flatnonzero(ranked == i)
    where = (
        "the model's top suggestion"
        if auto
        else f"suggestion {rank[0] + 1}"
        if len(rank)
        else "your pick"
    )
    p = run.proba(ds.X[[i]])[0]
    order = np.argsort(p)[::-1][:2]
    guess = " · ".join(f"{ds.class_names[c]} {p[c]:.0%}" for c in order)
    st.markdown(f"**{_point_name(ds, i).capitalize()}**, {where}  \nThe model says: {guess}")


def label_buttons(run: Learner, points: tuple[int, ...]) -> None:
    names = run.dataset.class_names
    _class_css(names)
    keys = _keys(names)
    per_row = 5 if len(names) > 3 else len(names)
    for start in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for c in range(start, min(start + per_row, len(names))):
            cols[c - start].button(
                names[c],
                key=f"label_{c}",
                shortcut=keys[c],
                on_click=give_label,
                args=(c,),
                disabled=not points,
                width="stretch",
                help=f"Label the selected point{'s' if len(points) > 1 else ''} as "
                f"{names[c]} (key {keys[c]}).",
            )
    b = st.container(horizontal=True)
    b.button(
        "Skip",
        key="label_skip",
        shortcut="K",
        on_click=do_skip,
        disabled=not points,
        help="Set the selected point aside: it is never suggested again (K).",
    )
    b.button(
        "Top pick",
        key="label_top",
        shortcut="S",
        on_click=do_top,
        help="Select the model's top suggestion again (S).",
    )
    b.button(
        "Undo",
        key="label_undo",
        shortcut="Backspace",
        on_click=do_undo,
        disabled=run.step_number == 0,
        help="Take back the last label (Backspace), any number of times.",
    )


def status() -> None:
    if warn := ss.pop("lb_warn", ""):
        st.warning(warn)
    if text := ss.pop("lb_status", ""):
        st.caption(text)


def backup_notice() -> None:
    b = ss.get("lb_backup")
    if b is None:
        return
    with st.container(border=True):
        st.markdown(
            f"Your previous run, with **{_labels(_by_you(b.run))} by you**, was kept ({b.reason})."
        )
        c = st.columns(2)
        c[0].button("Bring it back", key="lb_restore", on_click=restore_backup, width="stretch")
        c[1].button("Forget it", key="lb_dismiss", on_click=dismiss_backup, width="stretch")


def label_curve(run: Learner) -> None:
    s = style.chart_style()
    if run.step_number == 0:
        st.markdown("**Learning curve**")
        st.caption("It starts with your first label: accuracy (or confidence) after every one.")
        return
    if not run.dataset.has_truth:
        n, conf = run.curve("confidence")
        st.markdown("**Confidence vs labels**")
        fig = curve_figure([Curve("Your labels", n, conf)], y_title="Mean confidence", style=s)
        st.plotly_chart(fig, key="label_curve", width="stretch", config={"displayModeBar": False})
        return
    n, acc = run.curve()
    on, oacc = oracle_curve(run, ss.setdefault("lb_memo", {}))
    curves = [
        Curve("Your labels", n, acc),
        Curve("Exact oracle, same points", on, oacc, color="#5A5A5A", dash="dash"),
    ]
    st.markdown("**Accuracy vs labels**")
    st.plotly_chart(
        curve_figure(curves, style=s),
        key="label_curve",
        width="stretch",
        config={"displayModeBar": False},
    )
    wrong = len(run.disagreements())
    st.caption(
        "The dashed curve asks the same points but takes the true labels: the gap is what "
        f"the {wrong} label{'s' if wrong != 1 else ''} that differ from the truth cost."
        if wrong
        else "All labels match the truth, so the two curves coincide."
    )


def history(run: Learner) -> None:
    ds = run.dataset
    names = ds.class_names
    rows = []
    for s in reversed(run.steps):
        for i, c in zip(s.queried, s.labels):
            row = {
                "Step": s.number,
                "Point": int(ds.row_ids[i]) if ds.row_ids is not None else int(i),
                "Label": names[c],
                "By": s.source,
            }
            if ds.y is not None:
                row["Truth"] = "✓" if ds.y[i] == c else f"✗ {names[ds.y[i]]}"
            rows.append(row)
    st.markdown("**Labels given** (newest first)")
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        height=240,
        width="stretch",
        column_config={
            "Point": st.column_config.NumberColumn(
                "Row" if ds.row_ids is not None and run.config.dataset == "upload" else "Point",
                help="For your CSV: the data row, counting from 0.",
                format="%d",
            )
        },
    )


def captions(run: Learner) -> None:
    notes = []
    if run.classes_seen < 2 and len(run.candidates):
        notes.append(
            "Fewer than two classes are labeled, so there is no model yet: the suggestions are "
            "random until a second class turns up."
        )
    if run.dataset.projected:
        notes.append(
            "More than two features: points and boundary are drawn in the first two principal "
            "components, which is where the model learns."
        )
    if not run.dataset.has_truth:
        notes.append(
            "Your data has no label column, so there is no accuracy to measure: the model's "
            "mean confidence is shown instead."
        )
    if run.skipped:
        notes.append(f"{len(run.skipped)} point(s) set aside; they stay unlabeled and unasked.")
    for n in notes:
        st.caption(n)


def label_mode(run: Learner) -> None:
    points, auto = _selection(run)
    ranked = _suggested(run)
    metrics(run)
    left, right = st.columns([5, 3], gap="medium")
    with left:
        view = plane_view(
            run,
            band=tuple(ss.band),
            selected=points[0] if len(points) == 1 else None,
            title=TITLE,
        )
        view = replace(view, candidates=ranked)
        s = style.chart_style()
        fig = plane_figure(view, s)
        if len(points) > 1:
            _group_marks(fig, run.dataset.X, points, s)
        st.plotly_chart(
            fig,
            key="pool",
            on_select=on_pick,
            selection_mode=("points", "box", "lasso"),
            width="stretch",
            config=PLANE_CONFIG,
        )
        captions(run)
    with right:
        backup_notice()
        selected_panel(run, points, auto, ranked)
        label_buttons(run, points)
        status()
        label_curve(run)
        history(run)


def race_mode(run: Learner) -> None:
    if not run.dataset.has_truth:
        st.info(
            "The race needs the true labels, and your CSV has no label column. Upload a CSV "
            "with one (or pick a built-in dataset in the sidebar) to race a strategy."
        )
        return
    top = st.columns([2, 1, 1, 1.6], vertical_alignment="bottom")
    top[0].selectbox(
        "Opponent",
        [k for k in STRATEGIES if k != "random"],
        index=list(k for k in STRATEGIES if k != "random").index(OPPONENT),
        key="vs_opponent",
        format_func=lambda k: STRATEGIES[k].label,
        help="The strategy you race.",
    )
    race = _race(run, ss.vs_opponent)
    them_label = STRATEGIES[ss.vs_opponent].label
    top[1].button(
        "Undo",
        key="race_undo",
        shortcut="Backspace",
        on_click=race_undo,
        disabled=race.you.step_number == 0,
        width="stretch",
    )
    top[2].button("Restart", key="race_restart", on_click=race_restart, width="stretch")
    st.markdown(f"### Can you beat {them_label} sampling?")
    target = _target(run)
    start = race.you.steps[0].n_labeled
    st.caption(
        f"Both start from the same {start} labels. Click any point: its true label is revealed "
        f"and your model learns from it; {them_label} then picks one point of its own. "
        + (
            f"Target: {TARGET_SHARE:.0%} of the accuracy with the whole pool labeled "
            f"({target:.1%})."
            if target is not None
            else ""
        )
    )
    yn, yacc = race.you.curve()
    tn, tacc = race.them.curve()
    reached_at_start = target is not None and yacc[0] >= target
    if target is None or reached_at_start:
        you_hit = them_hit = float("nan")
    else:
        you_hit = labels_to_target(yn, yacc, target)
        them_hit = labels_to_target(tn, tacc, target)
    m = st.columns(4)
    m[0].metric("Your picks", race.you.n_labeled - start)
    m[1].metric("Your accuracy", f"{yacc[-1]:.1%}")
    m[2].metric(f"{them_label}'s accuracy", f"{tacc[-1]:.1%}")
    m[3].metric(
        "Labels to target",
        f"{_fmt(you_hit)} vs {_fmt(them_hit)}",
        help="Labels (counting the starting ones) each needed to reach the target: you vs "
        f"{them_label}. — means not yet.",
    )
    left, right = st.columns([5, 3], gap="medium")
    s = style.chart_style()
    with left:
        view = replace(plane_view(race.you, band=tuple(ss.band), title=RACE_TITLE), candidates=[])
        st.plotly_chart(
            plane_figure(view, s),
            key="race",
            on_select=on_race_pick,
            selection_mode=("points", "box", "lasso"),
            width="stretch",
            config=PLANE_CONFIG,
        )
    with right:
        status()
        st.markdown(f"**You vs {them_label}**")
        curves = [
            Curve("You", yn, yacc, color=CLASS_COLORS[0]),
            Curve(them_label, tn, tacc, color=CLASS_COLORS[1]),
        ]
        st.plotly_chart(
            curve_figure(curves, target=target, style=s),
            key="race_curve",
            width="stretch",
            config={"displayModeBar": False},
        )
        picks = race.you.n_labeled - start
        if reached_at_start:
            st.markdown(
                f"The {start} starting labels already reach the target, so only the curves "
                "can tell you apart."
            )
        else:
            st.markdown(verdict(you_hit, them_hit, them_label, picks, yacc[-1], tacc[-1]))
        if run.config.initial > 10 or run.config.model == "logreg":
            st.caption(
                "With many starting labels or a straight-line model both curves stay flat. "
                "The race is more telling from a cold start with a flexible model."
            )
            st.button(
                "Start cold: 2 labels per class, RBF SVM",
                key="race_fair",
                on_click=fair_race,
                icon=":material/ac_unit:",
                help="Sets Initial labels to 2 per class and Model to RBF SVM in the sidebar.",
            )
        if st.toggle(f"Show where {them_label} asked", key="race_show_them"):
            view = replace(
                plane_view(race.them, band=tuple(ss.band), title=f"{them_label}'s picks"),
                candidates=[],
            )
            fig = plane_figure(view, replace(s, height=360, font=max(s.font - 2, 10)))
            st.plotly_chart(fig, key="race_them", width="stretch", config={"displayModeBar": False})


def _fmt(n: float) -> str:
    return "—" if np.isnan(n) else f"{n:.0f}"


def verdict(you: float, them: float, name: str, picks: int, acc: float, their: float) -> str:
    """Who got to the target with fewer labels (NaN: not yet)."""
    if picks == 0:
        return "Pick a point to start."
    if np.isnan(you) and np.isnan(them):
        return f"Neither has reached the target yet: you {acc:.1%}, {name} {their:.1%}."
    if np.isnan(them):
        return f"**You reached the target first**, with {you:.0f} labels. {name} has not yet."
    if np.isnan(you):
        return f"**{name} reached the target first**, with {them:.0f} labels. Keep going."
    if you < them:
        return f"**You win**: {you:.0f} labels against {name}'s {them:.0f}."
    if you > them:
        return f"**{name} wins**: {them:.0f} labels against your {you:.0f}."
    return f"**A tie**: both needed {you:.0f} labels."


def data_section(run: Learner, saving: bool) -> None:
    st.divider()
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("#### Your own data")
        st.caption(
            "A CSV with a header row, two or more numeric feature columns and, optionally, a "
            "label column (label, class, target or y is found automatically). 20 to 20,000 rows."
        )
        st.file_uploader("Upload a CSV", key="csv_file", on_change=on_csv)
        if err := ss.get("lb_upload_error"):
            st.error(err)
        if run.config.dataset == "upload" and ss.get("upload_dataset") is run.dataset:
            ds = run.dataset
            what = (
                f"{ds.n_classes} classes from its label column"
                if ds.has_truth
                else "no label column: two classes, Class A and Class B, labeled by you"
            )
            st.markdown(
                f"Labeling **{ss.get('upload_name', 'your CSV')}**: {len(ds)} points, {what}."
            )
            if ds.projected:
                st.caption(
                    "It has more than two features: they are projected to their first two "
                    "principal components (PC 1, PC 2), where the model learns."
                )
            if ss.get("upload_columns"):
                st.selectbox(
                    "Label column",
                    [NO_LABEL, *ss.upload_columns],
                    key="upload_label_pick",
                    on_change=on_label_pick,
                    help="The column that holds the class. Pick none to label everything "
                    "yourself. Changing it starts a new run.",
                )
    if not saving:
        return
    with right:
        st.markdown("#### Save your work")
        uploaded = run.config.dataset == "upload"
        data = ss.get("upload_bytes") if uploaded else None
        column = ss.get("upload_label_column", "auto")
        c = st.columns(2)
        c[0].download_button(
            "Labels (CSV)",
            data=lambda: labels_csv(run),
            file_name="ask-next-labels.csv",
            mime="text/csv",
            key="dl_labels",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            help="One row per label: row index, features, label, who labeled it, step.",
        )
        c[1].download_button(
            "Session (JSON)",
            data=lambda: session_json(run, data, column),
            file_name="ask-next-session.json",
            mime="application/json",
            key="dl_session",
            on_click="ignore",
            icon=":material/download:",
            width="stretch",
            disabled=uploaded and data is None,
            help="The whole run (and your CSV): upload it below to continue where you stopped.",
        )
        st.file_uploader(
            "Continue a saved session (JSON)", key="session_file", on_change=on_session
        )
        if err := ss.get("lb_session_error"):
            st.error(err)


# ---------------------------------------------------------------- the page

ss.setdefault("lb_sel", ())
_before = ss.get("learner")
run = state.learner()
if _before is not None and run is not _before:
    _keep(_before, "the configuration changed")
    _clear_selection()

mode = st.segmented_control(
    "Mode",
    MODES,
    default=MODES[0],
    required=True,
    key="label_mode",
    label_visibility="collapsed",
    help="Label: you are the oracle. You vs the strategy: pick points yourself and race a "
    "strategy to the target accuracy.",
)
if mode == MODES[0]:
    st.caption(
        "The model's top suggestion is selected (red square): press its class key (**1**, "
        "**2** …, shown on each button) to label it. "
        "Click any other point to select it, or use the box or lasso tool (top right of the "
        "chart) to label a group. **Backspace** undoes."
    )
    label_mode(run)
else:
    race_mode(run)
data_section(run, saving=mode == MODES[0])
