"""Explore: the live active-learning view. Step with Space, play, undo, scrub the history."""

from dataclasses import replace

import streamlit as st

from al_core.experiments.jobs import ExperimentJob
from al_core.formats.script import python_script
from al_core.formats.spreadsheet import history_csv
from al_core.loop import cold_start, cost
from al_core.present.comparison import experiment_curves
from al_core.present.figures import Curve, curve_spec, plane_spec
from al_core.present.items import hover_thumbs, item_html
from al_core.present.labeling import projection_note
from al_core.present.palette import RANDOM_COLOR, STATIC_CONFIG, strategy_color
from al_core.present.safe_text import markdown_table, plain
from al_core.present.views import catch_up, plane_view, value_at, why_table
from al_core.strategies import STRATEGIES
from ui import backup, chart, jobs, kept_runs, state, stop_meter, style
from ui.downloads import download
from ui.state import SPEEDS

ss = st.session_state
run = state.learner()


# ---------------------------------------------------------------- actions (button callbacks)


def do_step(times: int = 1) -> None:
    ss.pop("history", None)
    if problem := cost.next_step_problem(run, times):  # a few seconds at most, for everyone
        ss.playing = False
        ss.action_error = problem
        return
    try:
        run.advance(run.n_labeled + times * run.config.batch_size)
    except ValueError as exc:
        ss.playing = False
        ss.action_error = str(exc)
        return
    if not len(run.candidates):
        st.toast("Every point is labeled: nothing left to ask.", icon=":material/check_circle:")
        ss.playing = False


def do_undo() -> None:
    ss.pop("history", None)
    if run.undo() == 0:
        st.toast("Nothing to undo: the run is at its initial labels.", icon=":material/undo:")


def do_reset() -> None:
    if backup.keep(run, "you pressed Reset"):  # labels by you are never lost
        needs_full_rerun()  # the notice is drawn outside the fragment
    ss.pop("history", None)
    ss.playing = False
    run.restart()  # back to the start, a lesson's own start included
    if ss.get("twin") is not None:
        ss.twin.restart()


def toggle_play() -> None:
    ss.playing = not ss.playing


def on_tick() -> None:
    """The chart drew step `seq` and asks for the next one (autoplay, paced by the browser)."""
    if ss.playing and chart.event("plane", "tick") == run.step_number:
        do_step()


def needs_full_rerun() -> None:
    state.ask_full_rerun()  # pollers are set up on a full run


# ---------------------------------------------------------------- the live view


def live() -> None:
    """Controls, metrics, chart and curve in one fragment, so a Step redraws only these."""
    state.full_rerun_if_asked()  # a new configuration: the whole page redraws
    if err := ss.pop("action_error", None):
        st.error(f"That step could not run: {plain(err)}")
    twin = ss.get("twin")
    # The random baseline takes its steps within a small budget before drawing; a slow model
    # that needs more continues after drawing, and the chart asks for another run until done.
    behind = twin is not None and not catch_up(twin, run.n_labeled, budget_s=0.03)
    controls()
    latest = run.step_number
    seen = (id(run), latest)
    if ss.get("history_seen") != seen:  # steps added or undone elsewhere (Label page, a link)
        ss.pop("history", None)
    ss.history_seen = seen
    ss.setdefault("history", latest)
    viewed = min(ss.history, latest)
    metrics(viewed)
    view = plane_view(
        run, step=viewed, band=tuple(ss.band), utility=ss.show_utility, ghost=ss.show_ghost
    )
    look = style.chart_style()
    plane = chart.plane_panel(
        plane_spec(view, look),
        run.dataset.X,
        run.dataset.key,
        STATIC_CONFIG,
        width=5,
        fit=True,
        thumbs=hover_thumbs(run.dataset),
    )
    chart.live(
        "plane",
        [plane, chart.curve_panel(curve_spec(**curve_args(viewed), style=look), STATIC_CONFIG, 3)],
        step=latest,
        play={"on": ss.playing, "interval": 1000 * SPEEDS[ss.speed], "seq": latest},
        on_tick=on_tick,
        refresh=behind,
    )
    left, right = st.columns([5, 3], gap="medium")
    with left:
        captions(viewed, latest)
        if latest > 0:
            st.slider(
                "History",
                0,
                latest,
                key="history",
                help="Scrub back through the steps.",
                format="step %d",
            )
    with right:
        if behind:  # the chart asks for another run once drawn, until random has caught up
            st.caption("The random baseline is catching up…")
        why(viewed)
    if behind:
        catch_up(twin, run.n_labeled, budget_s=0.15)  # after drawing: never delays a Step
    state.sync_url()  # a fragment rerun skips the router, so keep the address current here too


def controls() -> None:
    """One row that wraps rather than truncates: the step buttons, then the speed of Play."""
    simulated = run.dataset.has_truth  # without truth, only a person can answer (Label page)
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
    row.button(
        "Step",
        key="step",
        type="primary",
        shortcut="Space",
        on_click=do_step,
        disabled=not simulated,
        help="Ask the next batch and learn from the answers (Space).",
    )
    row.button(
        "Step ×10",
        key="step10",
        shortcut="T",
        on_click=do_step,
        args=(10,),
        disabled=not simulated,
        help="Ten steps at once (T).",
    )
    row.button(
        "Pause" if ss.playing else "Play",
        key="play",
        shortcut="P",
        on_click=toggle_play,
        disabled=not simulated,
        icon=":material/pause:" if ss.playing else ":material/play_arrow:",
        help="Step by itself at the chosen speed (P).",
    )
    row.button(
        "Undo", key="undo", shortcut="Backspace", on_click=do_undo, help="Take back the last step."
    )
    row.button("Reset", key="reset", on_click=do_reset, help="Back to the initial labels.")
    row.segmented_control("Speed", list(SPEEDS), key="speed", help="How fast Play steps.")
    if not simulated:
        st.caption(
            "Your data has no label column, so no simulated oracle can answer: label the "
            "points yourself on the Label page."
        )


def view_options() -> None:
    """What the plane shows besides the model: the band, the utility, the previous boundary."""
    st.slider(
        "Uncertainty band",
        0.0,
        1.0,
        key="band",
        step=0.01,
        help="Shade where the model's probability lies in this range (two classes), or where "
        "the top two classes are closer than its width.",
    )
    row = st.container(horizontal=True, gap="medium")
    row.toggle(
        "Utility surface",
        key="show_utility",
        disabled=not STRATEGIES[run.config.strategy].surface,
        help="Colour the plane by the strategy's utility instead of the model's probabilities.",
    )
    row.toggle("Previous boundary", key="show_ghost", help="Dashed: the boundary one step earlier.")


def metrics(viewed: int) -> None:
    """Four numbers for the viewed step; the delta is always there, so nothing moves."""
    s = run.steps[viewed]
    acc = s.metrics.get("accuracy")
    prev = run.steps[viewed - 1].metrics.get("accuracy") if viewed > 0 else None
    twin = ss.get("twin")
    base = value_at(twin, s.n_labeled) if twin is not None else None
    m = st.columns([1, 1, 1, 1, 1.8])
    stop_meter.draw(m[4], run, viewed)
    m[0].metric("Labeled", s.n_labeled, help="Labels the model has learned from.")
    if acc is None:
        m[1].metric(
            "Confidence",
            f"{s.metrics['confidence']:.1%}",
            "no labels to test",
            delta_color="off",
            delta_arrow="off",
            help="No ground truth: mean top-class probability.",
        )
    else:
        change = acc - prev if prev is not None else 0.0
        moved = prev is not None and abs(change) >= 0.0005
        m[1].metric(
            "Accuracy",
            f"{acc:.1%}",
            f"{change:+.1%}" if moved else "no change",
            delta_color="normal" if moved else "off",
            delta_arrow="auto" if moved else "off",
            help="On a held-out test set, never the pool. Below: the change from the step before.",
        )
    if acc is not None and base is not None:
        m[2].metric(
            "vs random",
            f"{acc - base:+.1%}",
            help="Accuracy minus random sampling's at the same number of labels.",
        )
    else:
        m[2].metric(
            "vs random", "—", help="Random sampling on the same pool and seed, computed as you go."
        )
    m[3].metric("Step", f"{viewed} / {run.step_number}")


def exports() -> None:
    """The run as a standalone script (scikit-learn + numpy) and as a step-by-step CSV."""
    c = st.columns(2)
    items = run.dataset.items
    if items is not None and items.kind == "text":
        c[0].caption("No Python script for a run on texts yet: download its history instead.")
    else:
        download(
            c[0],
            "Python script",
            lambda: python_script(run),
            "ask_next_run.py",
            key="export_script",
            icon=":material/code:",
            help="Reproduces this run's learning curve with scikit-learn and numpy alone.",
        )
    download(
        c[1],
        "History (CSV)",
        lambda: history_csv(run),
        "ask_next_history.csv",
        key="export_history",
        icon=":material/table:",
        help="One row per step: points asked, labels, metrics.",
    )


def captions(viewed: int, latest: int) -> None:
    notes = []
    if viewed < latest:
        notes.append(
            f"Viewing step {viewed} of {latest}: the rings show what it asked next. Step continues from the latest."
        )
    if run.steps[viewed].note:
        notes.append(run.steps[viewed].note)
    elif viewed == latest and run.classes_seen < 2:
        notes.append(
            "Fewer than two classes are labeled, so the model cannot be trained yet: it asks at random."
        )
    if note := projection_note(run):
        notes.append(note)
    if ss.show_utility and viewed < latest:
        notes.append("The utility surface is shown for the latest step only.")
    for n in notes:
        st.caption(n)


def curve_args(viewed: int) -> dict:
    """The learning curve beside the plane: this strategy, random and the 5-seed bands, with a
    dotted line at the viewed step (confidence instead, without ground truth)."""
    label = STRATEGIES[run.config.strategy].label
    if not run.dataset.has_truth:
        n, conf = run.curve("confidence")
        return {
            "curves": [Curve(label, n, conf, color=strategy_color(run.config.strategy))],
            "y_title": "Mean confidence",
            "title": "Confidence vs labels",
        }
    n, acc = run.curve()
    curves = [*seed_bands(), Curve(label, n, acc, color=strategy_color(run.config.strategy))]
    twin = ss.get("twin")
    if twin is not None:
        tn, tacc = twin.curve()
        curves.append(Curve("Random", tn, tacc, color=RANDOM_COLOR, dash="dash"))
    return {
        "curves": curves,
        "marker_x": run.steps[viewed].n_labeled,
        "title": "Accuracy vs labels",
    }


def seed_band_toggle() -> None:
    if run.dataset.has_truth and run.config.dataset != "upload":
        st.toggle(
            "Band over 5 seeds",
            key="seed_band",
            on_change=needs_full_rerun,
            help="Run this strategy and random on 5 seeds in the background and shade where "
            "their mean lies (95%). One run can be lucky.",
        )


def seed_bands() -> list[Curve]:
    """The 5-seed bands for the strategy and random, from a background job (empty until done)."""
    if not ss.get("seed_band"):
        return []
    budget = max(run.n_labeled - run.steps[0].n_labeled, 20)
    key = (run.config, budget)
    job = ss.get("band_job")
    if job is None or ss.get("band_key") != key:
        if job is not None and job.running:
            job.cancel()
        seeds = list(range(run.config.seed, run.config.seed + 5))
        ss.band_job = job = jobs.start(
            ExperimentJob(run.config, [run.config.strategy], seeds, budget)
        )
        ss.band_key = key
    if job.running:
        st.caption(f"5 seeds in the background: {job.status()}")
        return []
    if job.result is None:
        return []
    return [
        replace(c, name=f"{c.name}, 5 seeds", dash="dot") for c in experiment_curves(job.result)
    ]


def cold_start_hint() -> None:
    """The default start (60 labels) already saturates every model: offer where savings show."""
    if run.dataset.has_truth and run.config.initial >= 30 and run.config.dataset != "upload":
        st.caption(
            f"With {run.config.initial} labels the model has already learned most of what it can: "
            "this start shows the mechanics. Savings show from a cold start with a flexible model."
        )
        st.button(
            "Start cold",
            key="cold_start",
            on_click=start_cold,
            icon=":material/ac_unit:",
            help="2 labels per class and an RBF SVM: where uncertainty sampling pays off.",
        )


def start_cold() -> None:
    state.set_config(cold_start(state.current_config(), run.dataset.n_classes))


def why(viewed: int) -> None:
    """The viewed step's next picks, ranked by each uncertainty measure (it follows the history
    slider, as the rings on the plane do)."""
    with st.expander("Why this point?", expanded=not ss.presenter):
        table = why_table(run, viewed)
        if table.empty:
            st.caption("No model yet: the next points are drawn at random.")
            return
        label = STRATEGIES[run.config.strategy].label
        # records, not iterrows: a row as a Series turns the point numbers into floats
        rows = [
            {f"{label} rank": rank, **row}
            for rank, row in zip(table.index, table.to_dict("records"))
        ]
        st.markdown(markdown_table(rows))
        if shown := item_html(run.dataset, list(table["Point"])[:6]):
            st.html(shown)  # the items behind the picks, escaped in al_core
        note = (
            " With two classes the three measures rank every point the same way."
            if run.dataset.n_classes == 2
            else ""
        )
        st.caption(
            f"The points {label} asks for next, and the rank each measure gives them among all "
            f"unlabeled points (1 = most wanted).{note}"
        )


def poll_band_job() -> None:
    """Redraw the page once the 5-seed job is done (it runs outside any rerun)."""
    if not ss.band_job.running:
        st.rerun()


def settings() -> None:
    """Below the live view, drawn on full runs only (a Step need not send them again): what the
    plane shows, the 5-seed band, the cold start and the downloads."""
    st.divider()
    c = st.columns([5, 3], gap="medium")
    with c[0]:
        view_options()
        exports()
    with c[1]:
        seed_band_toggle()
        cold_start_hint()
        stop_meter.settings()


kept_runs.notice()  # runs with your labels that a change or Reset replaced
st.fragment(live)()
settings()
if ss.get("seed_band") and ss.get("band_job") is not None and ss.band_job.running:
    st.fragment(poll_band_job, run_every=1.0)()
