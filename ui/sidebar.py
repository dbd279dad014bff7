"""The shared sidebar: the run's configuration, drawn by the router on every page.

Every widget's label, range, step and help come from the one schema (`al_core.loop.schema`), so
the sidebar accepts exactly what a share link, a session file and the CLI accept.
"""

from __future__ import annotations

import math

import streamlit as st

from al_core.data import DATASETS, dataset_label
from al_core.loop.schema import ALL_FEATURES_FIRST, FIELD, LEARN_IN, UPLOAD
from al_core.models import MODELS
from al_core.params import Param
from al_core.strategies import STRATEGIES
from ui import share_link, state


def render() -> None:
    """Configuration widgets bound to the `cfg_*` session keys (so values survive page switches)."""
    state.init()
    ss = st.session_state
    with st.sidebar:
        st.markdown("### Configuration")
        cfg = ss.cfg
        datasets = list(DATASETS) + ([UPLOAD] if ss.get("upload_dataset") is not None else [])
        if cfg["dataset"] not in datasets:
            cfg["dataset"] = FIELD["dataset"].default
        _choice(FIELD["dataset"], datasets, dataset_label)
        spec = DATASETS.get(cfg["dataset"])
        if spec is not None and spec.tunable:
            _number(FIELD["n_samples"])
            _slider(FIELD["noise"])
        elif spec is not None:
            st.caption(
                f"{spec.label}: fixed data, {spec.description[0].lower()}{spec.description[1:]}"
            )
        _learn_in(cfg["dataset"])
        _number(FIELD["seed"])
        _number(FIELD["initial"])
        with st.expander("More data options"):
            classes = FIELD["n_classes"]
            span = classes.limits(cfg)
            if span is not None:
                lo, hi = span
                if cfg["n_classes"] is None or not lo <= cfg["n_classes"] <= hi:
                    _set("n_classes", DATASETS[cfg["dataset"]].default_classes)
                _slider(classes, span)
            else:
                _set("n_classes", None)
                st.caption(f"{dataset_label(cfg['dataset'])} has a fixed number of classes.")
            _slider(FIELD["imbalance"], disabled=spec is None or not spec.tunable)

        _choice(FIELD["model"], list(MODELS), lambda m: MODELS[m].label)
        _params_expander(
            "Model settings", MODELS[cfg["model"]].params, "model_params", cfg["model"]
        )
        _choice(FIELD["strategy"], list(STRATEGIES), lambda s: STRATEGIES[s].label)
        st.caption(STRATEGIES[cfg["strategy"]].idea)
        with st.expander("Strategy settings"):
            _param_widgets(STRATEGIES[cfg["strategy"]].params, "strategy_params", cfg["strategy"])
            _slider(FIELD["random_mix"])
            _slider(FIELD["oracle_noise"])
        _slider(FIELD["batch_size"])
        st.divider()
        share_link.button()
        st.toggle(
            "Presenter mode", key="presenter", help="Large type and thick markers for a projector."
        )


def _learn_in(dataset: str) -> None:
    """The choice for data with more than two features; picking a dataset picks its default
    (all features where the 2-D view throws most of the signal away), a link's choice stays."""
    ss = st.session_state
    upload = ss.get("upload_dataset")
    wide = dataset in DATASETS and not DATASETS[dataset].tunable
    wide = wide or (dataset == UPLOAD and upload is not None and upload.n_features > 2)
    if ss.get(state.LEARN_IN_FOR) != dataset:
        ss[state.LEARN_IN_FOR] = dataset
        text = dataset == UPLOAD and upload is not None and upload.items is not None
        text = text and upload.items.kind == "text"
        _set("learn_in", "all" if dataset in ALL_FEATURES_FIRST or text else "view")
    if not wide:
        _set("learn_in", FIELD["learn_in"].default)
        return
    f = FIELD["learn_in"]
    choice = st.radio(
        f.label, list(LEARN_IN), key=_bound(f), format_func=f.display, help=f.help, horizontal=True
    )
    _store(f, choice)


def _set(name: str, value) -> None:
    """Change a field from the sidebar itself (before its widget is drawn)."""
    st.session_state.cfg[name] = value
    st.session_state[state.key(name)] = value


def _bound(f: Param) -> str:
    """The widget's key, holding the configuration's value: a widget that was not drawn last
    run (hidden, or on another page) has lost its own state, so it is refilled from `cfg`."""
    wk = state.key(f.name)
    ss = st.session_state
    if wk not in ss:
        ss[wk] = ss.cfg[f.name]
    return wk


def _store(f: Param, value) -> None:
    st.session_state.cfg[f.name] = value


def _choice(f: Param, options: list[str], label) -> None:
    _store(f, st.selectbox(f.label, options, key=_bound(f), format_func=label, help=f.help))


def _number(f: Param) -> None:
    lo, hi = f.limits()
    value = st.number_input(
        f.label, int(lo), int(hi), key=_bound(f), step=int(f.step or 1), help=f.help
    )
    _store(f, value)


def _slider(f: Param, span: tuple[float, float] | None = None, disabled: bool = False) -> None:
    lo, hi = span or f.limits()
    kind = int if f.is_int else float
    value = st.slider(
        f.label,
        kind(lo),
        kind(hi),
        key=_bound(f),
        step=kind(f.step or 1),
        help=f.help,
        disabled=disabled,
    )
    _store(f, value)


def _params_expander(title: str, params: tuple[Param, ...], store: str, owner: str) -> None:
    if params:
        with st.expander(title):
            _param_widgets(params, store, owner)


def _param_widgets(params: tuple[Param, ...], store: str, owner: str) -> None:
    """One slider per hyperparameter; values go to a plain dict so the Config can be rebuilt."""
    ss = st.session_state
    values = {k: v for k, v in ss.cfg[store].items() if k in {p.name for p in params}}
    for p in params:
        current = values.get(p.name, p.default)
        key = f"w_{owner}_{p.name}"
        if p.log:
            options = _log_options(p)
            current = min(options, key=lambda o: abs(math.log(o) - math.log(current)))
            value = st.select_slider(p.label, options, value=current, key=key, help=p.help or None)
        elif p.is_int:
            value = st.slider(p.label, int(p.low), int(p.high), value=int(current), key=key)
        else:
            value = st.slider(p.label, float(p.low), float(p.high), value=float(current), key=key)
        if value != p.default:
            values[p.name] = value
        else:
            values.pop(p.name, None)
    ss.cfg[store] = values


def _log_options(p: Param) -> list[float]:
    """Round numbers on a log scale (0.01, 0.02, 0.05, 0.1 …) including the default."""
    decades = range(math.floor(math.log10(p.low)), math.ceil(math.log10(p.high)) + 1)
    opts = {round(m * 10**d, 6) for d in decades for m in (1, 2, 5)}
    opts = {o for o in opts if p.low <= o <= p.high} | {p.default}
    return sorted(opts)
