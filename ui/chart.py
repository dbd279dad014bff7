"""The live chart: a Streamlit component that keeps one Plotly graph mounted and redraws it in
place, instead of `st.plotly_chart`, which re-creates a chart whenever its figure changes.

The component's own script is a few lines that import `static/chart.js` (served by Streamlit's
static serving, cached by the browser); plotly.js comes from the plotly package, copied into
`static/` when the app starts, so nothing is downloaded at run time. What the chart is sent is
built in `al_core.present.live`; the pool's coordinates go once per dataset and session.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from al_core.present.live import curve_message, plane_message

STATIC = Path(__file__).resolve().parent.parent / "static"
SCRIPT = STATIC / "chart.js"
PLOTLY = STATIC / "plotly.min.js"

# The inline part: tiny, because Streamlit sends it with every rerun of the element.
_LOADER = """
export default async function (component) {
  try {
    const url = new URL(component.data.module, window.location.origin).href;
    const module = await import(url);
    return module.render(component);
  } catch (err) {
    component.parentElement.textContent =
      "The chart could not be loaded (" + err + "). Reload the page.";
  }
}
"""
_CSS = """
.asknext-chart { position: relative; width: 100%; }
.asknext-chart-note { font-size: 0.95rem; color: #7a1f1f; background: #fdf0f0;
  border: 1px solid #f0c9c9; border-radius: 0.4rem; padding: 0.5rem 0.75rem; margin: 0.25rem 0; }
"""


def ensure_assets() -> None:
    """Put plotly.js from the plotly package beside chart.js, once per server (atomically, so
    replicas starting together never serve half a file)."""
    import plotly

    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if PLOTLY.exists() and PLOTLY.stat().st_size == source.stat().st_size:
        return
    partial = PLOTLY.with_suffix(f".{os.getpid()}.part")
    shutil.copyfile(source, partial)
    os.replace(partial, PLOTLY)


def _version(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:10]


def _static_url(name: str, version: str) -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}" if base else ""
    return f"{prefix}/app/static/{name}?v={version}"


ensure_assets()
_MODULE_URL = _static_url("chart.js", _version(SCRIPT))
_PLOTLY_URL = _static_url("plotly.min.js", str(PLOTLY.stat().st_size))
_mount = st.components.v2.component(
    "asknext.chart",
    html='<div class="asknext-chart"></div>',
    css=_CSS,
    js=_LOADER,
    isolate_styles=False,
)


def _nothing() -> None:
    """A trigger whose only job is the rerun it causes."""


def _pool_flag(key: str) -> str:
    return f"_chart_pool_{key}"


def plane(
    key: str,
    spec: dict,
    X: np.ndarray,
    pool_key: str,
    config: dict,
    step: int,
    on_select: Callable[[], None] | None = None,
    play: dict[str, Any] | None = None,
    on_tick: Callable[[], None] | None = None,
    refresh: bool = False,
) -> Any:
    """The plane, live. `spec` is `figures.plane_spec`; the pool `X` goes only when this
    session's chart does not hold `pool_key` yet. With `refresh`, the chart asks for one more
    run once it has drawn (work that continues after a Step, like the random baseline's).
    Returns the component's result (events)."""
    ss = st.session_state
    flag = _pool_flag(key)
    message = plane_message(spec, pool_key, X, send_pool=ss.get(flag) != pool_key)
    ss[flag] = pool_key

    def lost_pool() -> None:  # a reloaded page asks again
        ss.pop(flag, None)

    callbacks: dict[str, Callable[[], None]] = {
        "on_need_pool_change": lost_pool,
        "on_refresh_change": _nothing,
    }
    if on_select is not None:
        callbacks["on_select_change"] = on_select
    if on_tick is not None:
        callbacks["on_tick_change"] = on_tick
    data = {
        "module": _MODULE_URL,
        "plotly": _PLOTLY_URL,
        "message": message,
        "config": config,
        "step": int(step),
        "events": ["select"] if on_select is not None else [],
        "play": play or {"on": False},
        "refresh": bool(refresh),
    }
    return _mount(key=key, data=data, **callbacks)


def curve(key: str, spec: dict, config: dict) -> Any:
    """A learning-curve chart, live (no events)."""
    data = {
        "module": _MODULE_URL,
        "plotly": _PLOTLY_URL,
        "message": curve_message(spec),
        "config": config,
    }
    return _mount(key=key, data=data)


def event(key: str, name: str) -> Any:
    """The value a chart's trigger carried in this run (inside its callback), or None."""
    value = st.session_state.get(key)
    return value.get(name) if isinstance(value, dict) else None
