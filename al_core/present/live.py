"""What the live chart is sent: the plane and curve specs as compact, JSON-safe messages.

The chart stays mounted in the browser and redraws in place (`Plotly.react`), so a Step ships
only what changed. Parts that rarely change (the pool's coordinates, the layout without its
background image) go once: the message names them by a key, the browser keeps what it was sent
under that key and asks again if it has lost it (a reloaded page). Each Step sends the traces as
pool indices (a bitmask where that is shorter), the background image and the curve. Arrays
travel as base64 of little-endian typed arrays.
"""

from __future__ import annotations

import base64
import hashlib
import json
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


def encode_indices(idx: Any, n: int) -> dict[str, Any]:
    """Pool indices as an int16/int32 array, or as a bitmask over the pool when that is shorter
    (the unlabeled pool is most of it: 75 bytes for 600 points instead of 1,080)."""
    idx = np.asarray(idx, int)
    if n and n // 8 + 1 < 2 * len(idx):
        mask = np.zeros(n, bool)
        mask[idx] = True
        bits = np.packbits(mask, bitorder="little")
        return {"__bits__": base64.b64encode(bits.tobytes()).decode("ascii"), "n": int(n)}
    return encode_array(idx)


def plane_message(
    spec: dict,
    pool_key: str,
    X: np.ndarray,
    held: dict[str, str] | None = None,
    thumbs: dict | None = None,
) -> tuple[dict, dict[str, str]]:
    """The plane for the live chart, and the parts the browser will hold after it.

    `held` is what this chart was last sent ({"pool": key, "layout": digest}); parts it already
    holds are named, not sent. Points go as pool indices; `thumbs` (`items.hover_thumbs`) rides
    with the pool, so hovering a point draws its image without asking the server."""
    held = held or {}
    layout = dict(spec["layout"])
    images = layout.pop("images", [])
    static = jsonable(layout)
    digest = hashlib.sha1(json.dumps(static, sort_keys=True).encode()).hexdigest()[:12]
    message: dict[str, Any] = {
        "pool_key": pool_key,
        "layout_key": digest,
        "images": jsonable(images),
        "traces": [jsonable(_indexed(t, len(X))) for t in spec["traces"]],
    }
    if held.get("pool") != pool_key:
        message["pool"] = {
            "x": encode_array(X[:, 0], "<f4"),
            "y": encode_array(X[:, 1], "<f4"),
            **({"thumbs": thumbs} if thumbs is not None else {}),
        }
    if held.get("layout") != digest:
        message["layout"] = static
    return message, {"pool": pool_key, "layout": digest}


def curve_message(spec: dict) -> dict:
    """The learning curve for the live chart (small: one point per step)."""
    return {"layout": jsonable(spec["layout"]), "traces": [jsonable(t) for t in spec["traces"]]}


def _indexed(trace: dict, n: int) -> dict:
    """Pool indices always travel encoded, whatever their count, so the chart reads one form."""
    out = dict(trace)
    if "points" in out:
        out["points"] = encode_indices(out["points"], n)
    return out
