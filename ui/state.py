"""Per-user state in `st.session_state`: the run, its random twin, and the view settings.

The configuration lives in one plain dict, `st.session_state.cfg` (a field per schema field, plus
the two hyperparameter dicts); the sidebar's widgets (keys `cfg_<field>`) read and write it. A
widget's own key is not a safe store: Streamlit drops it whenever the widget is not drawn (a
hidden Samples box, another page). `current_config()` turns the dict into a Config and
`learner()` keeps the run in step with it, starting a fresh run (and saying so) when the
configuration changes. A run that held labels by a person is kept first (`ui.backup`), so no page loses them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from al_core import Config, Learner
from al_core.formats.share import decode_state, encode_state, rebuild
from al_core.loop import cost
from al_core.loop.config import initial_that_fits
from al_core.loop.schema import FIELDS
from al_core.present.safe_text import plain
from al_core.present.views import random_twin
from ui import backup

DEFAULT = Config()
VIEW_DEFAULTS: dict[str, Any] = {
    "band": (0.45, 0.55),
    "show_utility": False,
    "show_ghost": False,
    "presenter": False,
    "playing": False,
    "speed": "Normal",
}
SPEEDS = {"Slow": 1.0, "Normal": 0.5, "Fast": 0.1}  # seconds between steps, at least
FULL_RERUN = "_full_rerun"
LEARN_IN_FOR = "_learn_in_for"  # the dataset whose default "learns in" the sidebar last set


def key(field: str) -> str:
    """The key of the sidebar widget that edits a Config field."""
    return f"cfg_{field}"


def init() -> None:
    """Create every key once; safe to call from any page, any number of times."""
    ss = st.session_state
    if "cfg" not in ss:
        ss.cfg = _values(DEFAULT)
    for name, value in VIEW_DEFAULTS.items():
        # Writing a widget's key back keeps its value when the widget is not drawn this run
        # (the band slider lives on Explore; Label and Compare read it too).
        ss[name] = ss.get(name, value)


def _values(config: Config) -> dict[str, Any]:
    values = {f.name: getattr(config, f.name) for f in FIELDS}
    values["model_params"] = dict(config.model_params)
    values["strategy_params"] = dict(config.strategy_params)
    return values


def current_config() -> Config:
    """The configuration the sidebar shows, not yet validated."""
    values = dict(st.session_state.cfg)
    values["model_params"] = dict(values["model_params"])
    values["strategy_params"] = dict(values["strategy_params"])
    return Config(**values)


def set_config(config: Config) -> None:
    """Make `config` the sidebar's configuration (presets, share links, Start cold); the
    widgets show it from their next draw."""
    ss = st.session_state
    ss.cfg = _values(config)
    ss[LEARN_IN_FOR] = config.dataset  # a link's or a session's choice is not overridden
    for f in FIELDS:
        ss[key(f.name)] = getattr(config, f.name)
    for k in [k for k in ss if str(k).startswith("w_")]:
        del ss[k]  # hyperparameter sliders re-read their value from the new config
    ask_full_rerun()


def ask_full_rerun() -> None:
    """Redraw the whole page next, not just a fragment.

    A callback inside a fragment (Start cold on Explore) reruns only the fragment: the sidebar
    would keep showing the old values, and the browser would send them back with its next
    message, quietly undoing the change. Every fragment starts with `full_rerun_if_asked()`.
    """
    st.session_state[FULL_RERUN] = True


def full_rerun_if_asked() -> None:
    """In a fragment: rerun the whole app if a callback asked for it (see `ask_full_rerun`)."""
    if st.session_state.pop(FULL_RERUN, False):
        st.rerun(scope="app")


def full_run_started() -> None:
    """The router calls this: a full run is what was asked for."""
    st.session_state.pop(FULL_RERUN, None)


def with_config(**changes: Any) -> Config:
    """The sidebar's configuration with some fields changed."""
    return replace(current_config(), **changes)


def learner() -> Learner:
    """The current run; rebuilt when the sidebar configuration no longer matches it (the old run
    is kept if it holds labels by you)."""
    ss = st.session_state
    try:
        config = current_config().validated()
    except ValueError as exc:
        st.error(f"That configuration cannot run: {plain(exc)}. The previous run is kept.")
        return ss["learner"] if "learner" in ss else _start(DEFAULT)
    run = ss.get("learner")
    if run is None or run.config != config:
        dataset = ss.get("upload_dataset") if config.dataset == "upload" else None
        config, capped = initial_that_fits(config, dataset)
        if capped:  # the sidebar shows what the run really starts with
            ss.cfg["initial"] = ss[key("initial")] = config.initial
            st.toast(plain(capped), icon=":material/info:")
            if run is not None and run.config == config:
                return run
        if problem := cost.opening_problem(config, dataset):
            st.error(f"That configuration cannot run here: {problem}. The previous run is kept.")
            return run if run is not None else _start(DEFAULT)
        if run is not None:
            backup.keep(run, "the configuration changed")  # labels by you are never lost
            st.toast(
                "New configuration: a fresh run started from its initial labels.",
                icon=":material/refresh:",
            )
        return _start(config, dataset)
    return run


def _start(config: Config, dataset=None) -> Learner:
    run = Learner(config, dataset)
    _adopt(run)
    st.session_state.playing = False
    return run


def replace_learner(run: Learner) -> None:
    """Adopt a run built elsewhere (uploaded session, share link), syncing the sidebar to it."""
    set_config(run.config)
    _adopt(run)


def _adopt(run: Learner) -> None:
    """Make `run` the session's run, with its random twin, viewed at its latest step."""
    ss = st.session_state
    ss.learner = run
    baseline = run.dataset.has_truth and run.config.strategy != "random"
    ss.twin = random_twin(run) if baseline else None
    ss.pop("history", None)


def apply_query_params() -> None:
    """On a session's first run, rebuild the run a share link describes (config, labels, view).

    Later runs ignore the address: from then on the app writes it (see `sync_url`). Problems in a
    link are clamped or ignored by `decode_state`; its warnings are shown once on the page.
    """
    ss = st.session_state
    if ss.get("_url_read"):
        return
    ss._url_read = True
    params = st.query_params.to_dict()
    if not params:
        return
    decoded = decode_state(params)
    run, warnings = rebuild(decoded)
    if run.config == decoded.config and run.step_number < len(decoded.steps):
        # Not all of it could be rebuilt here: the whole history is kept, to download.
        backup.keep_history(
            {
                "v": 1,
                "config": decoded.config.to_dict(),
                "steps": [[list(s.indices), list(s.labels), s.source] for s in decoded.steps],
                **({"skipped": decoded.skipped} if decoded.skipped else {}),
            },
            run.steps[0].n_labeled + sum(len(s.indices) for s in decoded.steps),
            f"the link's {len(decoded.steps):,} steps, of which {run.step_number:,} were replayed",
        )
    replace_learner(run)
    view = decoded.view
    ss.band = (float(view["band_low"]), float(view["band_high"]))
    ss.presenter = bool(view["present"])
    ss.show_utility = bool(view["utility"])
    ss.show_ghost = bool(view["ghost"])
    ss.url_warnings = warnings


def view_settings() -> dict[str, Any]:
    """The view part of the state, as a share link carries it."""
    ss = st.session_state
    return {
        "band_low": ss.band[0],
        "band_high": ss.band[1],
        "present": ss.presenter,
        "utility": ss.show_utility,
        "ghost": ss.show_ghost,
    }


def sync_url() -> None:
    """Keep the address bar equal to the whole state, so a refresh or a copied link loses nothing."""
    run = st.session_state.get("learner")
    if run is None:
        return
    params = encode_state(run.to_dict(), view_settings())
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def show_url_warnings() -> None:
    """The link's problems, once, as text (a link's values are a stranger's words)."""
    for text in st.session_state.pop("url_warnings", []):
        st.warning(plain(text, limit=400))
