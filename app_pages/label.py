"""Label: the person is the oracle.

The model's top suggestion is preselected, so one key (1, 2, 3 …) labels it; a click selects any
other point, a box or lasso selects a group, Backspace undoes. "You vs the strategy" races a
person's picks against a strategy's; "Your own data" loads a CSV; sessions download and upload.
Every action is a button callback, so it runs before the page redraws and the chart never lags.
The rules live in al_core.labeling; the race in ui.race_mode (rules: al_core.race); files in
ui.label_files; kept runs in ui.backup and ui.kept_runs.
"""

from dataclasses import replace
from urllib.parse import urlsplit

import streamlit as st

from al_core.loop import Learner, cost
from al_core.present import labeling as lab
from al_core.present.chart_events import label_notes, read_selection
from al_core.present.figures import Curve, curve_spec, plane_spec
from al_core.present.items import hover_thumbs, item_html
from al_core.present.palette import (
    ORACLE_COLOR,
    SELECT_CONFIG,
    STATIC_CONFIG,
    YOU_COLOR,
    class_color,
)
from al_core.present.safe_text import plain
from al_core.present.views import oracle_curve, plane_view
from ui import chart, kept_runs, label_files, race_mode, room, state, status, stop_meter, style

ss = st.session_state

TITLE = "Label the points the model asks about"
MODES = ("Label", "You vs the strategy", "Class room")


def _selection(run: Learner) -> tuple[tuple[int, ...], bool]:
    """What a class key labels now: the person's selection, else the top suggestion."""
    return lab.current_selection(run, ss.get("lb_sel", ()))


# ---------------------------------------------------------------- label mode: actions


def on_pick() -> None:
    """The chart's selection changed: a click, a box or a lasso (see al_core.selection)."""
    run = ss.learner
    prev = ss.get("lb_sel", ())
    previous = prev[0] if len(prev) == 1 else None
    event = chart.event("pool", "select")
    sel = read_selection(event, run.labeled_mask, previous, label_notes(run))
    if sel.kind != "none":
        ss.lb_sel = sel.indices
    status.say(warn=sel.message)


def give_label(cls: int) -> None:
    """A class button or key: label the selection (a group goes in as one step)."""
    run = ss.learner
    points, _ = _selection(run)
    if not points:
        status.say(warn="Nothing to label: every point is labeled or set aside.")
        return
    if problem := cost.too_costly(
        run.config,
        run.n_labeled + len(points),
        len(run.dataset),
        run.dataset.n_classes,
        cost.learned_dims(run.config, run.dataset),
    ):
        status.say(warn=f"That label was not given: {problem}.")
        return
    try:
        run.teach(list(points), [cls] * len(points), lab.YOU)
    except ValueError as exc:
        status.say(warn=f"That label could not be given: {plain(exc)}.")
        return
    ss.lb_sel = ()
    status.say(lab.labeled_message(run, points, cls))


def do_skip() -> None:
    """K: set the selection aside, so the strategy stops asking about a point nobody can label."""
    run = ss.learner
    points, _ = _selection(run)
    if not points:
        status.say(warn="Nothing to set aside.")
        return
    for i in points:
        run.skip(i)
    ss.lb_sel = ()
    status.say(lab.skipped_message(run, points))


def do_top() -> None:
    """S: drop a clicked selection and go back to the model's top suggestion."""
    ss.lb_sel = ()
    status.say("Back to the model's top suggestion.")


def do_undo() -> None:
    """Backspace: take back the last label and select its points, to label them again."""
    run = ss.learner
    if run.step_number == run.start_step:
        status.say(warn="Nothing to undo: only the starting labels are left.")
        return
    last = run.steps[-1]
    run.undo()
    ss.lb_sel = tuple(sorted(last.queried))  # a corrected label is one key away
    status.say(lab.undone_message(run, last))


# ---------------------------------------------------------------- label mode: drawing


def _class_css(names: tuple[str, ...]) -> None:
    """Each class button carries its class colour, as on the chart."""
    rules = [
        f".st-key-label_{c} button {{border-left: 0.5rem solid {class_color(c)};}}"
        for c in range(len(names))
    ]
    st.html("<style>" + "\n".join(rules) + "</style>")


def metrics(run: Learner) -> None:
    """The counts a person labels by: labels, the score, theirs, and the mistakes (or skips)."""
    s = run.steps[-1]
    m = st.columns([1, 1, 1, 1, 1.8])
    stop_meter.draw(m[4], run)
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
    m[2].metric("By you", lab.labels_by_you(run), help="Labels you gave on this page.")
    if run.dataset.has_truth:
        m[3].metric(
            "Differ from truth",
            len(run.disagreements()),
            help="Labels that differ from the dataset's true class; crossed out on the chart.",
        )
    else:
        m[3].metric("Set aside", len(run.skipped), help="Points skipped: never suggested again.")


def label_buttons(run: Learner, points: tuple[int, ...]) -> None:
    """One button per class, each with its key, then Skip, Top pick and Undo."""
    names = run.dataset.class_names
    _class_css(names)
    keys = lab.class_keys(names)
    row = st.container(horizontal=True, gap="small")  # wraps: every name stays whole
    for c, name in enumerate(names):
        shown = plain(name, limit=40)  # a CSV's class names are a stranger's words
        row.button(
            shown,
            key=f"label_{c}",
            shortcut=keys[c],
            on_click=give_label,
            args=(c,),
            disabled=not points,
            help=f"Label the selected point{'s' if len(points) > 1 else ''} as "
            f"{shown} (key {keys[c]}).",
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
        disabled=run.step_number == run.start_step,
        help="Take back the last label (Backspace), any number of times.",
    )


def label_curve(run: Learner, who: str = "Your labels") -> None:
    """Accuracy after every label, beside the exact oracle's on the same points: the gap is
    what the labels that differ from the truth cost (confidence alone without ground truth)."""
    s = style.chart_style()
    if run.step_number == 0:
        st.markdown("**Learning curve**")
        st.caption("It starts with your first label: accuracy (or confidence) after every one.")
        return
    if not run.dataset.has_truth:
        n, conf = run.curve("confidence")
        st.markdown("**Confidence vs labels**")
        fig = curve_spec([Curve(who, n, conf, color=YOU_COLOR)], y_title="Mean confidence", style=s)
        chart.curve("label_curve", fig, STATIC_CONFIG)
        return
    n, acc = run.curve()
    on, oacc = oracle_curve(run, ss.setdefault("lb_memo", {}))
    curves = [
        Curve(who, n, acc, color=YOU_COLOR),
        Curve("Exact oracle, same points", on, oacc, color=ORACLE_COLOR, dash="dash"),
    ]
    st.markdown("**Accuracy vs labels**")
    chart.curve("label_curve", curve_spec(curves, style=s), STATIC_CONFIG)
    wrong = len(run.disagreements())
    st.caption(
        "The dashed curve asks the same points but takes the true labels: the gap is what "
        f"the {wrong} label{'s' if wrong != 1 else ''} that differ from the truth cost."
        if wrong
        else "All labels match the truth, so the two curves coincide."
    )


def history(run: Learner) -> None:
    """Every label given, newest first: where a mistake is spotted before it is undone."""
    ds = run.dataset
    st.markdown("**Labels given** (newest first)")
    st.dataframe(
        lab.labels_table(run),
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


def label_mode() -> None:
    """The plane with the selection on the left; the kept run, the selection, the buttons, the
    status, the curve and the history on the right. A fragment: a label redraws only this."""
    state.full_rerun_if_asked()
    run = ss.learner
    points, auto = _selection(run)
    ranked = lab.suggestions(run)
    metrics(run)
    left, right = st.columns([5, 3], gap="medium")
    with left:
        view = plane_view(run, band=tuple(ss.band), title=TITLE)
        view = replace(view, candidates=ranked, selected=points or None)
        chart.plane(
            "pool",
            plane_spec(view, style.chart_style()),
            run.dataset.X,
            run.dataset.key,
            SELECT_CONFIG,
            step=run.step_number,
            on_select=on_pick,
            fit=True,
            thumbs=hover_thumbs(run.dataset),
        )
        for note in lab.caveats(run):
            st.caption(note)
    with right:
        kept_runs.notice(say=status.say)
        st.markdown(lab.selection_summary(run, points, auto, ranked))
        if shown := item_html(run.dataset, points):
            st.html(shown)  # escaped in al_core: a CSV's texts are never markup here
        label_buttons(run, points)
        status.show()
        label_curve(run)
        with st.expander("When to stop"):
            stop_meter.settings()
        history(run)


# ---------------------------------------------------------------- class room mode


def room_mode(run: Learner) -> None:
    """The class is the oracle: the question on the plane (with the class's split answers
    marked), the join code and QR, the live tally, the teacher's buttons, the two curves."""
    if not room.is_open(run):
        room.open_button(run)
        status.show()
        return
    view = room.poll()
    marks = room.marks(run)
    left, right = st.columns([5, 3], gap="medium")
    with left:
        plane = plane_view(run, band=tuple(ss.band), title="Class, which class is this point?")
        point = room.question_point(view)
        plane = replace(
            plane,
            candidates=plane.candidates[:0],
            selected=point,
            split=marks.split,
            split_share=marks.split_share,
        )
        chart.plane(
            "room_plane",
            plane_spec(plane, style.chart_style()),
            run.dataset.X,
            run.dataset.key,
            STATIC_CONFIG,
            step=run.step_number,
            fit=True,
        )
    with right:
        room.join_panel(_base_url())
        if point is not None and (shown := item_html(run.dataset, [point])):
            st.html(shown)  # the item itself: a digit's image, a text
        st.fragment(_live_tally, run_every=0.5)(run)
        room.controls(run, view)
        status.show()
        label_curve(run, who="The class's labels")


def _live_tally(run: Learner) -> None:
    """Polled twice a second: the votes as they arrive, and the auto-accept rule."""
    view = room.poll()
    if room.auto_accept(run, view):
        st.rerun()  # a label was taught: the whole page (plane, curve) redraws
    room.tally_panel(run, view)


def _base_url() -> str:
    """The app's address as this browser reaches it: what the join link starts with."""
    url = urlsplit(st.context.url or "http://localhost:8501")
    return f"{url.scheme}://{url.netloc}"


# ---------------------------------------------------------------- the page

ss.setdefault("lb_sel", ())
run = state.learner()  # a run it replaces is kept (ui.backup) if it held labels by you
if ss.get("lb_run") is not run:  # a different run: forget the selection, race and memos
    ss.lb_sel = ()
    for key in ("lb_race", "lb_memo", "lb_targets"):
        ss.pop(key, None)
    ss.lb_run = run

mode = st.segmented_control(
    "Mode",
    MODES,
    default=MODES[0],
    required=True,
    key="label_mode",
    label_visibility="collapsed",
    help="Label: you are the oracle. You vs the strategy: pick points yourself and race a "
    "strategy to the target accuracy. Class room: students vote each label from their phones.",
)
if mode == MODES[0]:
    st.caption(
        "The red square is the model's top suggestion: press its class key (**1**, **2** …) "
        "to label it. Click another point, or box or lasso a group (top right of the chart). "
        "**Backspace** undoes."
    )
    st.fragment(label_mode)()
elif mode == MODES[1]:
    race_mode.draw(run)
else:
    room_mode(run)
label_files.section(run, saving=mode == MODES[0])
