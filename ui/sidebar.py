"""The shared sidebar: the run's configuration, drawn by the router on every page."""

from __future__ import annotations

import numpy as np
import streamlit as st

from al_core.datasets import CLASS_RANGE, DATASETS
from al_core.models import MODELS
from al_core.params import Param
from al_core.strategies import STRATEGIES
from ui import state


def render() -> None:
    """Configuration widgets bound to the `cfg_*` session keys (so values survive page switches)."""
    state.init()
    ss = st.session_state
    with st.sidebar:
        st.markdown("### Configuration")
        datasets = list(DATASETS) + (["upload"] if ss.get("upload_dataset") is not None else [])
        if ss.cfg_dataset not in datasets:
            ss.cfg_dataset = "moons"
        st.selectbox("Dataset", datasets, key="cfg_dataset", format_func=_dataset_label)
        spec = DATASETS.get(ss.cfg_dataset)
        tunable = spec is not None and spec.tunable
        st.number_input(
            "Samples",
            20,
            20_000,
            key="cfg_n_samples",
            step=100,
            disabled=not tunable,
            help="Points in the pool. The held-out test set is drawn separately.",
        )
        st.slider("Noise", 0.0, 2.0, key="cfg_noise", step=0.05, disabled=not tunable)
        st.number_input(
            "Seed",
            0,
            2**32 - 1,
            key="cfg_seed",
            step=1,
            help="Every run is reproducible from its seed.",
        )
        st.number_input(
            "Initial labels",
            0,
            20_000,
            key="cfg_initial",
            step=1,
            help="Labeled at the start, stratified by class. 0 or 2 is a cold start.",
        )
        with st.expander("More data options"):
            lo, hi = CLASS_RANGE.get(ss.cfg_dataset, (None, None))
            if lo is not None:
                if ss.cfg_n_classes is None or not lo <= ss.cfg_n_classes <= hi:
                    ss.cfg_n_classes = DATASETS[ss.cfg_dataset].default_classes
                st.slider("Classes", lo, hi, key="cfg_n_classes")
            else:
                ss.cfg_n_classes = None
                st.caption(f"{_dataset_label(ss.cfg_dataset)} has a fixed number of classes.")
            st.slider(
                "Class imbalance",
                0.0,
                0.95,
                key="cfg_imbalance",
                step=0.05,
                disabled=not tunable,
                help="0 = balanced; higher values make each class rarer than the one before.",
            )

        st.selectbox("Model", list(MODELS), key="cfg_model", format_func=lambda m: MODELS[m].label)
        _params_expander(
            "Model settings", MODELS[ss.cfg_model].params, "cfg_model_params", ss.cfg_model
        )
        st.selectbox(
            "Strategy",
            list(STRATEGIES),
            key="cfg_strategy",
            format_func=lambda s: STRATEGIES[s].label,
        )
        st.caption(STRATEGIES[ss.cfg_strategy].idea)
        with st.expander("Strategy settings"):
            _param_widgets(
                STRATEGIES[ss.cfg_strategy].params, "cfg_strategy_params", ss.cfg_strategy
            )
            st.slider(
                "Random mix",
                0.0,
                1.0,
                key="cfg_random_mix",
                step=0.05,
                help="Share of each batch drawn at random (epsilon).",
            )
            st.slider(
                "Oracle noise",
                0.0,
                0.5,
                key="cfg_oracle_noise",
                step=0.05,
                help="The simulated oracle flips a label with this probability.",
            )
        st.slider("Batch size", 1, 100, key="cfg_batch_size", help="Points asked per step.")
        st.divider()
        st.toggle(
            "Presenter mode", key="presenter", help="Large type and thick markers for a projector."
        )


def _dataset_label(name: str) -> str:
    return "Your CSV" if name == "upload" else DATASETS[name].label


def _params_expander(title: str, params: tuple[Param, ...], store: str, owner: str) -> None:
    if params:
        with st.expander(title):
            _param_widgets(params, store, owner)


def _param_widgets(params: tuple[Param, ...], store: str, owner: str) -> None:
    """One slider per hyperparameter; values go to a plain dict so the Config can be rebuilt."""
    ss = st.session_state
    values = {k: v for k, v in ss[store].items() if k in {p.name for p in params}}
    for p in params:
        current = values.get(p.name, p.default)
        key = f"w_{owner}_{p.name}"
        if p.log:
            options = _log_options(p)
            current = min(options, key=lambda o: abs(np.log(o) - np.log(current)))
            value = st.select_slider(p.label, options, value=current, key=key, help=p.help or None)
        elif p.is_int:
            value = st.slider(p.label, int(p.low), int(p.high), value=int(current), key=key)
        else:
            value = st.slider(p.label, float(p.low), float(p.high), value=float(current), key=key)
        if value != p.default:
            values[p.name] = value
        else:
            values.pop(p.name, None)
    ss[store] = values


def _log_options(p: Param) -> list[float]:
    """Round numbers on a log scale (0.01, 0.02, 0.05, 0.1 …) including the default."""
    decades = np.arange(np.floor(np.log10(p.low)), np.ceil(np.log10(p.high)) + 1)
    opts = {round(m * 10**d, 6) for d in decades for m in (1, 2, 5)}
    opts = {o for o in opts if p.low <= o <= p.high} | {p.default}
    return sorted(opts)
