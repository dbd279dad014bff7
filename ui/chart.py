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
from dataclasses import dataclass
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
.asknext-row { display: flex; gap: 1.5rem; align-items: flex-start; width: 100%; }
.asknext-graph { min-width: 0; }
.asknext-thumb { position: fixed; pointer-events: none; z-index: 1000; background: #fff;
  border: 1px solid #C9CDD2; border-radius: 4px; padding: 3px; box-shadow: 0 2px 6px #0003;
  image-rendering: pixelated; }
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


def _held(key: str, panel: int) -> str:
    """Where a chart's session remembers what its browser holds (pool, layout) for a panel."""
    return f"_chart_held_{key}_{panel}"


@dataclass(frozen=True)
class Panel:
    """One graph of a chart element: a plane (with its pool) or a learning curve."""

    spec: dict
    config: dict
    width: float = 1.0
    X: np.ndarray | None = None  # the pool, for a plane
    pool_key: str = ""
    fit: bool = False  # take the screen's height below the chart (a plane on a projector)
    select: bool = False  # send clicks, boxes and lassos back
    thumbs: dict | None = None  # every point's image, drawn on hover (items.hover_thumbs)


def plane_panel(
    spec: dict, X: np.ndarray, pool_key: str, config: dict, width: float = 1.0, **options
) -> Panel:
    """A plane: `figures.plane_spec` with the pool it indexes."""
    return Panel(spec, config, width, X, pool_key, **options)


def curve_panel(spec: dict, config: dict, width: float = 1.0) -> Panel:
    """A learning curve: `figures.curve_spec`."""
    return Panel(spec, config, width)


def live(
    key: str,
    panels: list[Panel],
    step: int,
    on_select: Callable[[], None] | None = None,
    play: dict[str, Any] | None = None,
    on_tick: Callable[[], None] | None = None,
    refresh: bool = False,
) -> Any:
    """One live element holding `panels` side by side, redrawn together in place.

    A plane's pool and layout go only when this session's browser does not hold them yet.
    `play` ({"on", "interval" ms, "seq"}) makes the browser ask for the next step (`on_tick`)
    once it has drawn step `seq`; with `refresh` it asks for one more run (work that continues
    after a Step, like the random baseline's). Returns the component's result (events)."""
    ss = st.session_state
    messages = []
    for i, p in enumerate(panels):
        if p.X is None:
            message = curve_message(p.spec)
        else:
            held = _held(key, i)
            message, ss[held] = plane_message(p.spec, p.pool_key, p.X, ss.get(held), p.thumbs)
        messages.append(
            {
                "message": message,
                "config": p.config,
                "width": p.width,
                "fit": p.fit,
                "select": p.select and on_select is not None,
            }
        )

    def lost() -> None:  # a reloaded page asks again for what it no longer holds
        for i in range(len(panels)):
            ss.pop(_held(key, i), None)

    callbacks: dict[str, Callable[[], None]] = {
        "on_need_change": lost,
        "on_refresh_change": _nothing,
    }
    if on_select is not None:
        callbacks["on_select_change"] = on_select
    if on_tick is not None:
        callbacks["on_tick_change"] = on_tick
    data = {
        "module": _MODULE_URL,
        "plotly": _PLOTLY_URL,
        "panels": messages,
        "step": int(step),
        "play": play or {"on": False},
        "refresh": bool(refresh),
    }
    return _mount(key=key, data=data, **callbacks)


def plane(key: str, spec: dict, X: np.ndarray, pool_key: str, config: dict, step: int, **kw) -> Any:
    """A chart element with one plane (`live`'s options; `on_select` turns clicks on)."""
    fit, thumbs = kw.pop("fit", False), kw.pop("thumbs", None)
    select = kw.get("on_select") is not None
    panel = plane_panel(spec, X, pool_key, config, fit=fit, select=select, thumbs=thumbs)
    return live(key, [panel], step, **kw)


def curve(key: str, spec: dict, config: dict) -> Any:
    """A chart element with one learning curve (no events)."""
    return live(key, [curve_panel(spec, config)], step=0)


def event(key: str, name: str) -> Any:
    """The value a chart's trigger carried in this run (inside its callback), or None."""
    value = st.session_state.get(key)
    return value.get(name) if isinstance(value, dict) else None
