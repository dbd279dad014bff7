"""What the live chart is sent: the plane and curve specs as compact, JSON-safe messages.

The chart stays mounted in the browser and redraws in place (`Plotly.react`), so a Step ships
only what changed: the pool's coordinates go once per dataset (the browser keeps them under the
dataset's key and asks again if it has lost them), and each Step sends the traces as pool indices,
the background image and the curve. Arrays travel as base64 of little-endian typed arrays.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

ARRAY = "__b64__"  # marks an encoded array: {"__b64__": "...", "dtype": "i2"}


def encode_array(values: Any, dtype: str | None = None) -> dict[str, str]:
    """A numeric array as base64 (int16 indices when they fit, else int32; float32 otherwise)."""
    arr = np.asarray(values)
    if dtype is None:
        if arr.dtype.kind in "iub":
            small = arr.size == 0 or (arr.min() >= -32768 and arr.max() < 32768)
            dtype = "<i2" if small else "<i4"
        else:
            dtype = "<f4"
    data = np.ascontiguousarray(arr, dtype=dtype).tobytes()
    return {ARRAY: base64.b64encode(data).decode("ascii"), "dtype": dtype.lstrip("<")}


def jsonable(value: Any) -> Any:
    """Plain JSON for a spec: arrays encoded, numpy scalars cast (a single numpy scalar left in
    would make Streamlit send the whole message as one string)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            return list(value)
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iufb" and value.size > 8:
            return encode_array(value)
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def plane_message(spec: dict, pool_key: str, X: np.ndarray, send_pool: bool) -> dict:
    """The plane for the live chart: layout, traces by index, and the pool once per dataset."""
    message: dict[str, Any] = {
        "pool_key": pool_key,
        "layout": jsonable(spec["layout"]),
        "traces": [jsonable(_indexed(t)) for t in spec["traces"]],
    }
    if send_pool:
        message["pool"] = {
            "x": encode_array(X[:, 0], "<f4"),
            "y": encode_array(X[:, 1], "<f4"),
        }
    return message


def curve_message(spec: dict) -> dict:
    """The learning curve for the live chart (small: one point per step)."""
    return {"layout": jsonable(spec["layout"]), "traces": [jsonable(t) for t in spec["traces"]]}


def _indexed(trace: dict) -> dict:
    """Pool indices always travel encoded, whatever their count, so the chart reads one form."""
    out = dict(trace)
    if "points" in out:
        out["points"] = encode_array(np.asarray(out["points"], int))
    return out
