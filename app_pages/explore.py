"""Explore: the live active-learning view. Step with Space, play, undo, scrub the history."""

from dataclasses import replace

import streamlit as st

from al_core.experiments.jobs import ExperimentJob
from al_core.formats.script import python_script
from al_core.formats.spreadsheet import history_csv
from al_core.loop import cold_start
from al_core.present.comparison import experiment_curves
from al_core.present.figures import Curve, curve_spec, plane_spec
from al_core.present.palette import RANDOM_COLOR, STATIC_CONFIG
from al_core.present.views import catch_up, plane_view, value_at, why_table
from al_core.strategies import STRATEGIES
from ui import backup, chart, kept_runs, state, style
from ui.downloads import download
from ui.state import SPEEDS

ss = st.session_state
run = state.learner()


# ---------------------------------------------------------------- actions (button callbacks)


def do_step(times: int = 1) -> None:
    ss.pop("history", None)
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
    run.reset()
    if ss.get("twin") is not None:
        ss.twin.reset()


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
        st.error(f"That step could not run: {err}")
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
    left, right = st.columns([5, 3], gap="medium")
    with left:
        view = plane_view(
            run,
            step=viewed,
            band=tuple(ss.band),
            utility=ss.show_utility,
            ghost=ss.show_ghost,
        )
        chart.plane(
            "plane",
            plane_spec(view, style.chart_style()),
            run.dataset.X,
            run.dataset.key,
            STATIC_CONFIG,
            step=latest,
            play={"on": ss.playing, "interval": 1000 * SPEEDS[ss.speed], "seq": latest},
            on_tick=on_tick,
            refresh=behind,
        )
        captions(viewed, latest)
        exports()
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
        curve(viewed)
        cold_start_hint()
        why()
        if behind:  # the chart asks for another run once drawn, until random has caught up
            st.caption("The random baseline is catching up…")
    if behind:
        catch_up(twin, run.n_labeled, budget_s=0.15)  # after drawing: never delays a Step
    state.sync_url()  # a fragment rerun skips the router, so keep the address current here too


def controls() -> None:
    c = st.columns([1, 1.15, 1.1, 1.35, 1, 3], vertical_alignment="bottom")
    c[0].button(
        "Step",
        key="step",
        type="primary",
        shortcut="Space",
        on_click=do_step,
        help="Ask the next batch and learn from the answers (Space).",
    )
    c[1].button("Step ×10", key="step10", shortcut="T", on_click=do_step, args=(10,))
    c[2].button(
        "Pause" if ss.playing else "Play",
        key="play",
        shortcut="P",
        on_click=toggle_play,
        icon=":material/pause:" if ss.playing else ":material/play_arrow:",
    )
    c[3].button(
        "Undo", key="undo", shortcut="Backspace", on_click=do_undo, help="Take back the last step."
    )
    c[4].button("Reset", key="reset", on_click=do_reset, help="Back to the initial labels.")
    t = st.columns([1.1, 1.3, 1.5, 2.3], vertical_alignment="center")
    t[0].toggle(
        "Utility surface",
        key="show_utility",
        disabled=not STRATEGIES[run.config.strategy].surface,
        help="Colour the plane by the strategy's utility instead of the model's probabilities.",
    )
    t[1].toggle(
        "Previous boundary", key="show_ghost", help="Dashed: the boundary one step earlier."
    )
    t[2].segmented_control(
        "Speed",
        list(SPEEDS),
        key="speed",
        on_change=needs_full_rerun,
        label_visibility="collapsed",
        help="How fast Play steps.",
    )
    t[3].slider(
        "Uncertainty band",
        0.0,
        1.0,
        key="band",
        step=0.01,
        label_visibility="collapsed",
        help="Uncertainty band: shade where the model's probability lies in this range.",
    )


def exports() -> None:
    """The run as a standalone script (scikit-learn + numpy) and as a step-by-step CSV."""
    c = st.columns([1, 1, 2])
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


def metrics(viewed: int) -> None:
    s = run.steps[viewed]
    acc = s.metrics.get("accuracy")
    prev = run.steps[viewed - 1].metrics.get("accuracy") if viewed > 0 else None
    twin = ss.get("twin")
    base = value_at(twin, s.n_labeled) if twin is not None else None
    m = st.columns(4)
    m[0].metric("Labeled", s.n_labeled, help="Labels the model has learned from.")
    if acc is None:
        m[1].metric(
            "Confidence",
            f"{s.metrics['confidence']:.1%}",
            help="No ground truth: mean top-class probability.",
        )
    else:
        delta = f"{acc - prev:+.1%}" if prev is not None and abs(acc - prev) >= 0.0005 else None
        m[1].metric("Accuracy", f"{acc:.1%}", delta, help="On a held-out test set, never the pool.")
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
    if run.dataset.projected:
        notes.append(
            "More than two features: points and boundary are drawn in the first two principal components, which is where the model learns."
        )
    if ss.show_utility and viewed < latest:
        notes.append("The utility surface is shown for the latest step only.")
    for n in notes:
        st.caption(n)


def curve(viewed: int) -> None:
    n, acc = run.curve()
    label = STRATEGIES[run.config.strategy].label
    curves = seed_bands()
    curves.append(Curve(label, n, acc))
    twin = ss.get("twin")
    if twin is not None:
        tn, tacc = twin.curve()
        curves.append(Curve("Random", tn, tacc, color=RANDOM_COLOR, dash="dash"))
    if run.dataset.has_truth:
        st.markdown("**Accuracy vs labels**")
        fig = curve_spec(curves, marker_x=run.steps[viewed].n_labeled, style=style.chart_style())
    else:
        st.markdown("**Confidence vs labels**")
        n, conf = run.curve("confidence")
        fig = curve_spec(
            [Curve(label, n, conf)], y_title="Mean confidence", style=style.chart_style()
        )
    chart.curve("curve", fig, STATIC_CONFIG)
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
        ss.band_job = job = ExperimentJob(run.config, [run.config.strategy], seeds, budget).start()
        ss.band_key = key
    if job.running or job.result is None:
        st.caption(f"Running 5 seeds in the background… {job.done}/{job.total or '…'}")
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


def why() -> None:
    with st.expander("Why this point?", expanded=not ss.presenter):
        table = why_table(run)
        if table.empty:
            st.caption("No model yet: the next points are drawn at random.")
            return
        label = STRATEGIES[run.config.strategy].label
        st.caption(
            f"The next points **{label}** asks for. Each column is the rank that measure gives "
            "the point among all unlabeled points (1 = most wanted)."
        )
        formats = {
            c: st.column_config.NumberColumn(format="%.3f")
            for c in table.columns
            if "score" in c or "P(" in c
        }
        st.dataframe(table, width="stretch", column_config=formats)


def poll_band_job() -> None:
    """Redraw the page once the 5-seed job is done (it runs outside any rerun)."""
    if not ss.band_job.running:
        st.rerun()


kept_runs.notice()  # runs with your labels that a change or Reset replaced
st.fragment(live)()
if ss.get("seed_band") and ss.get("band_job") is not None and ss.band_job.running:
    st.fragment(poll_band_job, run_every=1.0)()
