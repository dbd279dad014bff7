"""Compare: strategies over many seeds (the truth), and a two-strategy race (the intuition)."""

from dataclasses import replace

import streamlit as st

from al_core.experiments import races
from al_core.experiments.jobs import ExperimentJob
from al_core.experiments.results import Experiment
from al_core.loop import cold_start
from al_core.loop.stopping import CRITERIA
from al_core.present.comparison import (
    experiment_curves,
    scenario_text,
    seeds_caption,
    stop_table,
    summary_table,
    target_note,
)
from al_core.present.figures import Curve, curve_spec, plane_spec
from al_core.present.palette import STATIC_CONFIG, strategy_color
from al_core.present.safe_text import plain
from al_core.present.views import plane_view
from al_core.strategies import STRATEGIES
from ui import chart, jobs, state, stop_meter, style

ss = st.session_state
COMPARE_DEFAULTS = {
    "cmp_strategies": ["least_confident", "coreset", "qbc_vote"],  # three that ask differently
    "cmp_seeds": 10,
    "cmp_budget": 60,
    "cmp_cold": True,
}


COLD_HELP = (
    "Start from 2 labels per class, where strategies differ. A straight-line model becomes an "
    "RBF SVM, which can bend to the data."
)


def base_config(cold: bool):
    """The sidebar's run, or its cold start: where strategies differ (see the Learn page)."""
    run = state.learner()
    return cold_start(run.config, run.dataset.n_classes) if cold else run.config


# ---------------------------------------------------------------- many seeds


def many_seeds() -> None:
    st.markdown(
        "One run can be lucky. Here every strategy runs on many seeds of the sidebar's "
        "configuration, always beside **random sampling**, and the band shows where the mean lies."
    )
    for key, value in COMPARE_DEFAULTS.items():  # not widget defaults: lessons preset them
        ss.setdefault(key, value)
    c = st.columns([4, 1, 1, 1.3], vertical_alignment="bottom")  # three whole chips at 1280×720
    picks = c[0].multiselect(
        "Strategies",
        [s for s in STRATEGIES if s != "random"],
        format_func=lambda s: STRATEGIES[s].label,
        key="cmp_strategies",
        help="Random sampling always runs too: it is the baseline.",
    )
    seeds = c[1].number_input("Seeds", 2, 100, key="cmp_seeds")
    budget = c[2].number_input("Label budget", 5, 500, step=5, key="cmp_budget")
    cold = c[3].toggle("Cold start", key="cmp_cold", help=COLD_HELP)
    config = base_config(cold)
    st.caption(scenario_text(config, list(range(config.seed, config.seed + int(seeds)))))
    alike = {"least_confident", "margin", "entropy"} & set(picks)
    if state.learner().dataset.n_classes == 2 and len(alike) > 1:
        st.info(
            "With two classes, least confident, margin and entropy rank every point the same "
            "way, so they ask the same questions and their curves coincide. Compare them on "
            "three or more classes (Blobs, Iris, Digits) to see them differ."
        )
    job: ExperimentJob | None = ss.get("cmp_job")
    running = job is not None and job.running
    if st.button("Run comparison", type="primary", disabled=running or not picks, key="cmp_run"):
        seed_list = list(range(int(config.seed), int(config.seed) + int(seeds)))
        target = float(ss.get("cmp_target_share", 0.95))  # a lesson's claim may use its own
        ss.cmp_job = jobs.start(
            ExperimentJob(config, picks, seed_list, int(budget), target_share=target)
        )
        st.rerun()
    if job is not None:  # poll only while it runs; a finished job is drawn once
        st.fragment(progress_view, run_every=0.5 if running else None)()


def progress_view() -> None:
    """Polls the background job; the rest of the page stays usable while it runs."""
    job: ExperimentJob = ss.cmp_job
    if job.running:
        jobs.status(job, "cmp_cancel")
        return
    if ss.get("cmp_shown") is not job:  # finished since the last full run: draw the results
        ss.cmp_shown = job
        st.rerun()
    results(job)


def results(job: ExperimentJob) -> None:
    if job.error:
        st.error(f"The comparison failed: {plain(job.error, limit=400)}")
        return
    exp = job.result
    if exp is None:
        if job.cancelled:
            st.info("Cancelled before any run started.")
        return
    if exp.cancelled:
        st.warning(
            f"Cancelled: showing the {len(exp.results)} runs of {len(exp.strategies) * len(exp.seeds)} "
            "that finished."
        )
    for f in exp.failures:
        st.error(f"Run {f.strategy} / seed {f.seed} failed: {plain(f.error, limit=400)}")
    if not exp.results:
        return
    curves = experiment_curves(exp)
    target = float(sum(exp.targets.values()) / len(exp.targets))
    fig = curve_spec(curves, target=target, style=style.chart_style(), height=460)
    chart.curve("cmp_curves", fig, STATIC_CONFIG)
    st.caption(seeds_caption(exp))
    table = summary_table(exp)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Final accuracy": st.column_config.NumberColumn(format="%.3f"),
            "Labels to target": st.column_config.NumberColumn(format="%.0f"),
            "Reached target": st.column_config.ProgressColumn(
                format="percent", min_value=0, max_value=1
            ),
            "Savings vs random": st.column_config.NumberColumn(format="%+.0f labels"),
        },
    )
    st.caption(target_note(exp) + f" Took {exp.elapsed_s:.1f} s.")
    stopping(exp)
    st.download_button(
        "Download results (CSV)",
        lambda: exp.runs.to_csv(index=False),
        "ask-next-comparison.csv",
        mime="text/csv",
        key="cmp_download",
        icon=":material/download:",
    )


def stopping(exp: Experiment) -> None:
    """Where each strategy could have stopped, by the criterion the meter uses (read from the
    runs' recorded signals: choosing another criterion reruns nothing)."""
    st.markdown("**When to stop**")
    with st.columns(2)[0]:
        stop_meter.settings()
    name, threshold = stop_meter.chosen()
    st.dataframe(
        stop_table(exp, name, threshold),
        hide_index=True,
        width="stretch",
        column_config={
            "Stops at step": st.column_config.NumberColumn(format="%.0f"),
            "Labels there": st.column_config.NumberColumn(format="%.0f"),
            "Fired in": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1),
            "Accuracy there": st.column_config.NumberColumn(format="%.3f"),
            "Accuracy at budget": st.column_config.NumberColumn(format="%.3f"),
        },
    )
    st.caption(
        f"{CRITERIA[name].idea} Threshold {threshold:g}. A step is counted from the first "
        "label the strategy asked for; a run where the criterion never fired counts as "
        "beyond the budget in the median."
    )


# ---------------------------------------------------------------- race


def race() -> None:
    if not st.session_state.get("presenter"):  # on a projector the plane's legend needs the room
        st.markdown("Two strategies on **the same pool, seed and start**, stepped together.")
    c = st.columns([1.4, 1.4, 1, 1, 1, 1], vertical_alignment="bottom")
    names = list(STRATEGIES)
    a, b = (
        col.selectbox(
            side,
            names,
            index=names.index(default),
            key=key,
            format_func=lambda s: STRATEGIES[s].label,
        )
        for col, side, default, key in (
            (c[0], "Left", "random", "race_a"),
            (c[1], "Right", "margin", "race_b"),
        )
    )
    cold = c[2].toggle("Cold start", value=True, key="race_cold")
    race = races.strategy_race(base_config(cold), a, b, ss.get("cmp_race"))
    if race is not ss.get("cmp_race"):  # a new pair or start: stop playing the old one
        ss.cmp_race, ss.race_playing = race, False
    c[3].button(
        "Step",
        key="race_step",
        type="primary",
        on_click=races.step_race,
        args=(race, 1),
        shortcut="Space",
    )
    c[4].button("Step ×10", key="race_step10", on_click=races.step_race, args=(race, 10))
    c[5].button(
        "Pause" if ss.get("race_playing") else "Play", key="race_play", on_click=race_toggle
    )
    race_view(race)


def race_toggle() -> None:
    ss.race_playing = not ss.get("race_playing", False)


def race_tick() -> None:
    """The right plane drew step `seq` and asks for the next one (Play, paced by the browser)."""
    race = ss.get("cmp_race")
    if race is None or not ss.get("race_playing"):
        return
    if chart.event("race_right", "tick") == race.runs[1].step_number and not races.step_race(race):
        ss.race_playing = False  # both pools are exhausted


def race_view(race: races.StrategyRace) -> None:
    small = replace(style.chart_style(), height=420)
    cols = st.columns(2)
    for col, run, key in zip(cols, race.runs, ("race_left", "race_right"), strict=True):
        with col:
            acc = run.steps[-1].metrics.get("accuracy", float("nan"))
            label = STRATEGIES[run.config.strategy].label
            view = plane_view(run, title=f"{label}: {acc:.1%} with {run.n_labeled} labels")
            pacing = {}
            if key == "race_right":
                seq = run.step_number
                play = {"on": bool(ss.get("race_playing")), "interval": 500, "seq": seq}
                pacing = {"play": play, "on_tick": race_tick}
            chart.plane(
                key,
                plane_spec(view, small),
                run.dataset.X,
                run.dataset.key,
                STATIC_CONFIG,
                step=run.step_number,
                **pacing,
            )
    curves = [
        Curve(
            STRATEGIES[r.config.strategy].label,
            *r.curve(),
            color=strategy_color(r.config.strategy),
            dash="dash" if r.config.strategy == "random" else "solid",
        )
        for r in race.runs
    ]
    fig = curve_spec(curves, style=style.chart_style(), height=300)
    chart.curve("race_curve", fig, STATIC_CONFIG)


if not st.session_state.get("presenter"):  # presenting, the header's page menu names the page
    st.title("Compare strategies")
state.show_url_warnings()
# Only the open tab runs: the hidden race's Space shortcut must not step it.
tab_seeds, tab_race = st.tabs(["Many seeds", "Race"], key="cmp_tab", on_change="rerun")
if tab_seeds.open:
    with tab_seeds:
        many_seeds()
if tab_race.open:
    with tab_race:
        st.fragment(race)()
