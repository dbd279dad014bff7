"""Per-user state in `st.session_state`: the run, its random twin, and the view settings.

The sidebar widgets write plain session-state keys (`cfg_*`), so the configuration survives page
switches; `current_config()` turns them into a Config and `learner()` keeps the run in step with
it, starting a fresh run (and saying so) when the configuration changes; a run that held labels
by a person is kept first (see ui.backup), so no page loses them.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import streamlit as st

from al_core import Config, Learner
from al_core.share import decode_state, encode_state, rebuild, share_url
from al_core.views import random_twin
from ui import backup  # backup.restore() calls replace_learner(): the modules import each other

DEFAULT = Config()
CONFIG_KEYS = (
    "dataset",
    "n_samples",
    "noise",
    "seed",
    "initial",
    "model",
    "strategy",
    "batch_size",
    "n_classes",
    "imbalance",
    "random_mix",
    "oracle_noise",
)
VIEW_DEFAULTS: dict[str, Any] = {
    "band": (0.45, 0.55),
    "show_utility": False,
    "show_ghost": False,
    "presenter": False,
    "playing": False,
    "speed": "Normal",
}
SPEEDS = {"Slow": 1.0, "Normal": 0.5, "Fast": 0.25}


def init() -> None:
    """Create every key once; safe to call from any page, any number of times."""
    ss = st.session_state
    for key, value in asdict(DEFAULT).items():
        if key in CONFIG_KEYS:
            ss.setdefault(f"cfg_{key}", value)
    ss.setdefault("cfg_model_params", {})
    ss.setdefault("cfg_strategy_params", {})
    for key, value in VIEW_DEFAULTS.items():
        ss.setdefault(key, value)


def current_config() -> Config:
    ss = st.session_state
    values = {key: ss[f"cfg_{key}"] for key in CONFIG_KEYS}
    return Config(
        **values,
        model_params=dict(ss.cfg_model_params),
        strategy_params=dict(ss.cfg_strategy_params),
    )


def set_config(config: Config) -> None:
    """Write a config into the widget keys (presets, share links); the next run picks it up."""
    ss = st.session_state
    for key in CONFIG_KEYS:
        ss[f"cfg_{key}"] = getattr(config, key)
    ss.cfg_model_params = dict(config.model_params)
    ss.cfg_strategy_params = dict(config.strategy_params)
    for key in [k for k in ss if str(k).startswith("w_")]:
        del ss[key]  # hyperparameter sliders re-read their value from the new config


def learner() -> Learner:
    """The current run; rebuilt when the sidebar configuration no longer matches it (the old run
    is kept as a backup if it holds labels by you)."""
    ss = st.session_state
    try:
        config = current_config().validated()
    except ValueError as exc:
        st.error(f"That configuration cannot run: {exc}. The previous run is kept.")
        return ss["learner"] if "learner" in ss else _start(DEFAULT)
    run = ss.get("learner")
    if run is None or run.config != config:
        dataset = ss.get("upload_dataset") if config.dataset == "upload" else None
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


def with_config(**changes: Any) -> Config:
    return replace(current_config(), **changes)


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
    replace_learner(run)
    view = decoded.view
    ss.band = (float(view["band_low"]), float(view["band_high"]))
    ss.presenter = bool(view["present"])
    ss.show_utility = bool(view["utility"])
    ss.show_ghost = bool(view["ghost"])
    ss.url_warnings = warnings


def view_settings() -> dict[str, Any]:
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


def share_link() -> str:
    base = (st.context.url or "").split("?")[0]
    return share_url(base, encode_state(learner().to_dict(), view_settings()))


def show_url_warnings() -> None:
    for text in st.session_state.pop("url_warnings", []):
        st.warning(text)
