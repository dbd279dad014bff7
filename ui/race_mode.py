"""The Label page's "You vs the strategy" mode: pick points yourself and race a strategy.

Its rules (the two runs, the target, the verdict) live in al_core.race; this module holds the
mode's widget callbacks and drawing, so the Label page only chooses the mode. The race is kept in
`st.session_state.lb_race` and rebuilt whenever the run's configuration or the opponent changes.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from al_core.experiments import races as rc
from al_core.loop import Learner, cold_start
from al_core.present import labeling as lab
from al_core.present.chart_events import label_notes, read_selection
from al_core.present.figures import Curve, curve_spec, plane_spec
from al_core.present.palette import SELECT_CONFIG, STATIC_CONFIG, YOU_COLOR, strategy_color
from al_core.present.views import plane_view
from al_core.strategies import STRATEGIES
from ui import chart, state, status, style

TITLE = "Your picks: click a point to reveal its label"
KEY = "lb_race"
ss = st.session_state  # a proxy: it reaches the session of whichever script run calls


def on_race_pick() -> None:
    """A click in the race reveals the true label at once; the strategy then asks as many."""
    race = ss.get(KEY)
    if race is None:
        return
    event = chart.event("race", "select")
    sel = read_selection(event, race.you.labeled_mask, None, label_notes(race.you))
    if sel.kind == "none":
        status.say(warn=sel.message)
        return
    truth, k = rc.reveal(race, sel.indices)
    status.say(lab.reveal_message(race, sel.indices, truth, k))


def race_undo() -> None:
    """Backspace: take back your last pick and the strategy's answer, so the counts stay equal."""
    race = ss.get(KEY)
    if race is None or not rc.take_back(race):
        status.say(warn="Nothing to undo: the race is at its start.")
        return
    status.say("Took back your last pick and the strategy's answer to it.")


def race_restart() -> None:
    """Both sides back to the starting labels (the next draw builds a fresh race)."""
    ss.pop(KEY, None)
    status.say("The race starts again.")


def fair_race() -> None:
    """Few starting labels and a flexible model: where picking well can pay off."""
    state.set_config(cold_start(state.current_config(), ss.learner.dataset.n_classes))
    ss.pop(KEY, None)


def draw(run: Learner) -> None:
    """Opponent, metrics, your plane and the race beside it. Needs the true labels: built-in
    data, or a CSV with a label column."""
    if not run.dataset.has_truth:
        st.info(
            "The race needs the true labels, and your CSV has no label column. Upload a CSV "
            "with one (or pick a built-in dataset in the sidebar) to race a strategy."
        )
        return
    top = st.columns([2, 1, 1, 1.6], vertical_alignment="bottom")
    opponents = [k for k in STRATEGIES if k != "random"]
    top[0].selectbox(
        "Opponent",
        opponents,
        index=opponents.index(rc.OPPONENT),
        key="vs_opponent",
        format_func=lambda k: STRATEGIES[k].label,
        help="The strategy you race.",
    )
    race = ss[KEY] = rc.current_race(run, ss.vs_opponent, ss.get(KEY))
    name = STRATEGIES[ss.vs_opponent].label
    top[1].button(
        "Undo",
        key="race_undo",
        shortcut="Backspace",
        on_click=race_undo,
        disabled=race.you.step_number == 0,
        width="stretch",
    )
    top[2].button("Restart", key="race_restart", on_click=race_restart, width="stretch")
    st.markdown(f"### Can you beat {name} sampling?")
    target = rc.target_accuracy(run, ss.setdefault("lb_targets", {}))
    st.caption(
        f"Both start from the same {race.start} labels. Click any point: its true label is "
        f"revealed and your model learns from it; {name} then picks one point of its own. "
        + (
            f"Target: {rc.TARGET_SHARE:.0%} of the accuracy with the whole pool labeled "
            f"({target:.1%})."
            if target is not None
            else ""
        )
    )
    s = rc.standing(race, target)
    m = st.columns([1, 1, 1, 1.5])  # "reached at start" needs the room, even at 1280×720
    m[0].metric("Your picks", s.picks)
    m[1].metric("Your accuracy", f"{s.you_acc[-1]:.1%}")
    m[2].metric(f"{name}'s accuracy", f"{s.them_acc[-1]:.1%}")
    m[3].metric(
        "Labels to target",
        "reached at start"
        if s.reached_at_start
        else f"{rc.count_text(s.you_hit)} vs {rc.count_text(s.them_hit)}",
        help="Labels (counting the starting ones) each needed to reach the target: you vs "
        f"{name}. — means not yet.",
    )
    left, right = st.columns([5, 3], gap="medium")
    with left:
        view = plane_view(race.you, band=tuple(ss.band), title=TITLE)
        chart.plane(
            "race",
            plane_spec(replace(view, show_candidates=False), style.chart_style()),
            race.you.dataset.X,
            race.you.dataset.key,
            SELECT_CONFIG,
            step=race.you.step_number,
            on_select=on_race_pick,
        )
    with right:
        _side(run, race, s, name, target)


def _side(run: Learner, race: rc.Race, s: rc.Standing, name: str, target: float | None) -> None:
    """The race's curves, the verdict, the cold-start offer and the strategy's own picks."""
    look = style.chart_style()
    status.show()
    st.markdown(f"**You vs {name}**")
    curves = [
        Curve("You", s.you_n, s.you_acc, color=YOU_COLOR),
        Curve(name, s.them_n, s.them_acc, color=strategy_color(ss.vs_opponent)),
    ]
    chart.curve("race_curve", curve_spec(curves, target=target, style=look), STATIC_CONFIG)
    st.markdown(rc.verdict(s, name))
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
    if st.toggle(f"Show where {name} asked", key="race_show_them"):
        view = plane_view(race.them, band=tuple(ss.band), title=f"{name}'s picks")
        small = replace(look, height=360, font=max(look.font - 2, 10))
        spec = plane_spec(replace(view, show_candidates=False), small)
        chart.plane(
            "race_them",
            spec,
            race.them.dataset.X,
            race.them.dataset.key,
            STATIC_CONFIG,
            step=race.them.step_number,
        )
