"""The thing behind a point, as a person recognises it: a digit's image, a text, a flower's
measurements. People label items they can see, not coordinates.

Everything here is HTML built from escaped text (a CSV's texts and column names are a stranger's
words and are never rendered as HTML or Markdown), so a page shows it with `st.html` as it is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from al_core.data import Dataset
from al_core.present.live import encode_array
from al_core.present.raster import png_data_uri
from al_core.present.safe_text import plain

IMAGE_PX = 160  # a digit is drawn at least this large, nearest-neighbour: crisp pixels
ROW_PX = 96  # each image of a batch shown in a row
MAX_TEXT = 10_000  # characters shown of one text (the loader refuses longer ones)


def grey_image(pixels: np.ndarray, shape: tuple[int, int], px: int) -> np.ndarray:
    """Grey levels 0–16 (0 = paper) as an (H, W, 3) uint8 image, each pixel a px/cols square."""
    rows, cols = shape
    scale = max(1, int(np.ceil(px / cols)))
    levels = np.asarray(pixels, float).reshape(rows, cols)
    grey = (255 - np.clip(levels, 0, 16) * (255 / 16)).astype(np.uint8)
    big = np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)
    return np.repeat(big[:, :, None], 3, axis=2)


def item_png(ds: Dataset, i: int, px: int = IMAGE_PX) -> str:
    """Point `i`'s image as a PNG data URI (nearest-neighbour upscaled to at least `px`)."""
    items = ds.items
    if items is None or items.kind != "image":
        raise ValueError(f"{ds.name} has no images")
    return png_data_uri(grey_image(items.values[i], items.shape, px))


def item_html(ds: Dataset, points: Sequence[int], caption: bool = True) -> str:
    """The items behind `points` as safe HTML: one large image, a batch's images in a row, a
    text in full (wrapped, escaped) or the original feature values with their names. "" when
    the data has nothing to show beyond its coordinates."""
    items = ds.items
    points = [int(i) for i in points]
    if items is None or not points:
        return ""
    if items.kind == "image":
        px = IMAGE_PX if len(points) == 1 else ROW_PX
        cells = "".join(
            f'<figure style="margin:0;text-align:center">'
            f'<img src="{item_png(ds, i, px)}" alt="{_name(ds, i)}" width="{px}" height="{px}" '
            f'style="image-rendering:pixelated;border:1px solid #C9CDD2;border-radius:4px">'
            + (
                f'<figcaption style="font-size:0.8rem;color:#555">{_name(ds, i)}</figcaption>'
                if caption
                else ""
            )
            + "</figure>"
            for i in points[:12]
        )
        more = f"<div>… and {len(points) - 12} more</div>" if len(points) > 12 else ""
        return f'<div class="asknext-items" style="display:flex;flex-wrap:wrap;gap:8px">{cells}{more}</div>'
    if items.kind == "text":
        return "".join(_text_block(ds, i) for i in points[:5]) + (
            f"<div>… and {len(points) - 5} more</div>" if len(points) > 5 else ""
        )
    return _table(ds, points[:5])


def _name(ds: Dataset, i: int) -> str:
    return html.escape(ds.point_name(i).capitalize())


def _text_block(ds: Dataset, i: int) -> str:
    text = ds.items.texts[i]
    shown = text[:MAX_TEXT] + ("…" if len(text) > MAX_TEXT else "")
    body = html.escape(shown, quote=True) if shown.strip() else "<em>(empty text)</em>"
    return (
        '<div class="asknext-text" style="white-space:pre-wrap;overflow-wrap:anywhere;'
        "max-height:14rem;overflow-y:auto;padding:0.5rem 0.75rem;border:1px solid #C9CDD2;"
        'border-radius:6px;background:#FAFBFC;margin-bottom:0.4rem;font-size:1rem">'
        f'<div style="font-size:0.8rem;color:#555;margin-bottom:0.2rem">{_name(ds, i)}</div>'
        f"{body}</div>"
    )


def _table(ds: Dataset, points: list[int]) -> str:
    items = ds.items
    head = "".join(f"<th>{_name(ds, i)}</th>" for i in points)
    rows = "".join(
        f"<tr><td>{plain(name, 'html', limit=60)}</td>"
        + "".join(f'<td style="text-align:right">{items.values[i, j]:.4g}</td>' for i in points)
        + "</tr>"
        for j, name in enumerate(items.names)
    )
    return (
        '<table class="asknext-values" style="font-size:0.9rem;border-collapse:collapse">'
        f"<tr><th>Feature</th>{head}</tr>{rows}</table>"
    )


_THUMBS: dict[str, dict | None] = {}  # by dataset key: a pure function of the data


def hover_thumbs(ds: Dataset) -> dict | None:
    """What the live chart needs to draw any point's image under the pointer, sent once with the
    pool: every image's grey levels as bytes (1,257 digits: 80 kB raw, 107 kB base64), where a
    PNG per hovered point would cost a round trip each. None for data without images."""
    if ds.key not in _THUMBS:
        if len(_THUMBS) > 8:
            _THUMBS.clear()
        items = ds.items
        thumbs = None
        if items is not None and items.kind == "image":
            rows, cols = items.shape
            levels = np.clip(np.asarray(items.values), 0, 16).astype(np.uint8)
            thumbs = {"rows": rows, "cols": cols, "pixels": encode_array(levels.ravel(), "u1")}
        _THUMBS[ds.key] = thumbs
    return _THUMBS[ds.key]
