"""The stopping meter in a page's metrics row, and its settings (display-only page widgets).

The meter is read from a `StopTrace` attached to the session's run (`loop.stopping`), which
records each step's signals while the step's model is held; what it says is built in
`al_core.present.stop_meter`. Its box has a fixed height and its text never wraps, so nothing
on the page moves when it changes state (during Play too).
"""

from __future__ import annotations

from html import escape

import streamlit as st

from al_core.experiments.runner import full_pool_accuracy
from al_core.loop import Learner, cost
from al_core.loop.schema import UPLOAD
from al_core.loop.stopping import CRITERIA, StopTrace
from al_core.present.palette import AXIS_INK, FONT, INK
from al_core.present.stop_meter import FIRED, meter, svg_data_uri

CRITERION = "stop_criterion"  # widget keys; written back every run so both pages share them


def _threshold_key(name: str) -> str:
    return f"stop_threshold_{name}"


_CSS = f"""
<style>
.asknext-stop {{height: 6.2rem; overflow: hidden; font-family: {FONT}; color: {INK};
  line-height: 1.2; white-space: nowrap;}}
.asknext-stop .lbl {{font-size: 0.875rem; height: 1.5rem; overflow: hidden;
  text-overflow: ellipsis;}}
.asknext-stop .row {{display: flex; align-items: center; gap: 0.5rem; height: 2.4rem;}}
.asknext-stop .val {{font-size: 1.6rem; font-variant-numeric: tabular-nums; min-width: 5.2rem;}}
.asknext-stop .pill {{display: inline-block; font-size: 0.8rem; padding: 0.05rem 0.45rem;
  border-radius: 0.6rem; background: #eef0f3; color: {AXIS_INK}; margin-top: 0.15rem;}}
.asknext-stop.fired .pill {{background: #dcf3e3; color: {FIRED}; font-weight: 600;}}
.asknext-stop .reach {{font-size: 0.72rem; color: {AXIS_INK}; margin-top: 0.2rem;
  overflow: hidden; text-overflow: ellipsis;}}
</style>
"""


def _keep_settings() -> None:
    """Write the widgets' values back (Streamlit drops a key whose widget is not drawn)."""
    ss = st.session_state
    ss[CRITERION] = ss.get(CRITERION, "kappa")
    for name, c in CRITERIA.items():
        ss[_threshold_key(name)] = ss.get(_threshold_key(name), c.threshold)


def trace(run: Learner) -> StopTrace:
    """The session's trace of `run`, attached on first use (a new run gets a new trace)."""
    ss = st.session_state
    t = ss.get("stop_trace")
    if t is None or t.learner is not run:
        t = ss.stop_trace = StopTrace.attach(run)
    t.sync()  # follows undo
    return t


def _full_accuracy(run: Learner) -> float | None:
    """The model fitted on every labeled truth of the pool (None without truth, or when that
    fit is beyond a Step's budget: 20,000 points with an RBF SVM would take minutes); cached."""
    if not run.dataset.has_truth:
        return None
    n, ds = len(run.dataset), run.dataset
    if cost.too_costly(run.config, n, n, ds.n_classes, ds.inputs(run.config.learn_in)[0].shape[1]):
        return None
    if run.config.dataset != UPLOAD:
        return full_pool_accuracy(run.config)  # cached per configuration, shared by all sessions
    ss = st.session_state
    key = (id(run.dataset), run.config)
    if ss.get("stop_full_key") != key:
        ss.stop_full, ss.stop_full_key = full_pool_accuracy(run.config, run.dataset), key
    return ss.stop_full


def draw(column, run: Learner, step: int | None = None) -> None:
    """The meter for `step` (default: the latest) in a metrics-row column."""
    _keep_settings()
    ss = st.session_state
    name = ss[CRITERION]
    step = run.step_number if step is None else step
    full = _full_accuracy(run)
    acc = run.curve()[1] if full is not None else None
    m = meter(trace(run), name, ss[_threshold_key(name)], step, acc, full)
    if m.fired_now:
        pill = f"✓ {m.status} (since step {m.fired_at})"
    elif m.fired_at is not None:
        pill = f"{m.status} · fired at step {m.fired_at}"
    else:
        pill = m.status
    reach = ""
    if m.reached is not None:
        r95, r99 = (f"step {s}" if s is not None else "not yet" for s in m.reached)
        reach = (
            '<div class="reach" title="The first step at which test accuracy reached 95% and '
            f'99% of the model fitted on the whole pool">95% of full data: {r95} · 99%: {r99}</div>'
        )
    html = (
        f'<div class="asknext-stop{" fired" if m.fired_now else ""}" title="{escape(m.help)}">'
        f'<div class="lbl">Stop? {escape(m.label)}</div>'
        f'<div class="row"><span class="val">{escape(m.value)}</span>'
        f'<img src="{svg_data_uri(m.sparkline)}" alt="sparkline"></div>'
        f'<div class="pill">{escape(pill)}</div>{reach}</div>'
    )
    column.html(_CSS + html)


def chosen() -> tuple[str, float]:
    """The criterion and threshold the person chose (the defaults before any choice); reads
    only, so it may follow the widgets in a run."""
    ss = st.session_state
    name = ss.get(CRITERION, "kappa")
    return name, float(ss.get(_threshold_key(name), CRITERIA[name].threshold))


def settings() -> None:
    """The criterion and its threshold: what the meter reads (display only; the run is the
    same whichever is chosen)."""
    _keep_settings()
    ss = st.session_state
    st.selectbox(
        "Stopping criterion",
        list(CRITERIA),
        key=CRITERION,
        format_func=lambda n: CRITERIA[n].label,
        help="What the meter beside the chart reads. "
        + " ".join(c.idea for c in CRITERIA.values()),
    )
    c = CRITERIA[ss[CRITERION]]
    st.slider(
        f"{c.label}: threshold",
        c.low,
        c.high,
        key=_threshold_key(c.name),
        step=c.step,
        help=f"Default {c.threshold:g}.",
    )
