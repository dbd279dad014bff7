"""A run as an animated GIF for slides: one frame a step, the plane beside the learning curve.

Drawn on the server with Pillow (installed with streamlit), no browser: the plane's background
is the same raster the app shows (`present.raster`), the points and the curve are drawn on top.
All frames share one palette (the class colours exactly, plus the background's shades), so
the encoder can store only what changed between frames, and colours never flicker.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from al_core.loop import Learner
from al_core.present import raster
from al_core.present.palette import (
    INK,
    JUST_LABELED,
    ORACLE_COLOR,
    POOL,
    SELECTED,
    background_colors,
    class_color,
    rgb,
)

PANEL = 360  # pixels: the plane's side and the curve's height
MARGIN = 12
TITLE = 40
CURVE_COLOR = class_color(1)
FIXED = ("#FFFFFF", INK, POOL, JUST_LABELED, ORACLE_COLOR, "#D0D0D0")  # exact in every frame
SHADES = 160  # palette entries left for the background


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType has one bitmap size only
        return ImageFont.load_default()


def _metric(learner: Learner) -> str:
    """Accuracy where the truth is known, the model's confidence otherwise."""
    metrics = learner.steps[0].metrics
    return "accuracy" if "accuracy" in metrics else next(iter(metrics), "accuracy")


class _Frames:
    """Draws frame after frame of one run; everything fixed across frames is computed once."""

    def __init__(self, learner: Learner, resolution: int, oracle: bool) -> None:
        self.run, self.res = learner, resolution
        ds = learner.dataset
        self.k = ds.n_classes
        self.colors = background_colors(self.k)
        b = ds.bounds
        self.px = MARGIN + (ds.X[:, 0] - b.x0) / (b.x1 - b.x0) * PANEL
        self.py = TITLE + (b.y1 - ds.X[:, 1]) / (b.y1 - b.y0) * PANEL
        self.metric = _metric(learner)
        self.n, self.values = learner.curve(self.metric)
        self.oracle = None
        if oracle and ds.has_truth and len(learner.disagreements()):
            from al_core.present.views import oracle_curve

            self.oracle = oracle_curve(learner)[1]
        shown = np.concatenate([self.values, self.oracle if self.oracle is not None else []])
        finite = shown[np.isfinite(shown)]
        lo = float(finite.min()) if len(finite) else 0.0
        self.y_range = (max(0.0, math.floor(lo * 10) / 10 - 0.05), 1.0)
        self.title_font, self.font = _font(18), _font(13)

    def frame(self, step: int) -> Image.Image:
        """The plane and the curve right after `step`, with a title."""
        width = PANEL * 2 + MARGIN * 4
        img = Image.new("RGB", (width, TITLE + PANEL + MARGIN), "white")
        img.paste(self._background(step), (MARGIN, TITLE))
        draw = ImageDraw.Draw(img)
        self._points(draw, step)
        self._curve(draw, step)
        value = self.values[step]
        score = f"{self.metric} {value:.3f}" if np.isfinite(value) else self.metric
        text = f"Step {step} of {self.run.step_number}  ·  {self.n[step]} labels  ·  {score}"
        draw.text((MARGIN, 10), text, fill=INK, font=self.title_font)
        return img

    def _background(self, step: int) -> Image.Image:
        proba = self.run.plane_proba(self.res, step)  # carried over the map in all features
        scale = max(1, math.ceil(PANEL / self.res))
        rgb_img = raster.render(proba, self.colors, scale=scale)
        return Image.fromarray(rgb_img).resize((PANEL, PANEL), Image.Resampling.BILINEAR)

    def _points(self, draw: ImageDraw.ImageDraw, step: int) -> None:
        run = self.run
        n = run.steps[step].n_labeled
        labeled = np.array(run.labeled[:n], int)
        labels = np.array(run.labels[:n], int)
        free = np.setdiff1d(np.arange(len(self.px)), labeled)
        for i in free:
            x, y = self.px[i], self.py[i]
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=POOL)
        truth = run.dataset.y
        for i, c in zip(labeled, labels):
            x, y = self.px[i], self.py[i]
            draw.ellipse((x - 4.5, y - 4.5, x + 4.5, y + 4.5), fill=class_color(c), outline="white")
            if truth is not None and truth[i] != c:  # a label against the truth is crossed out
                draw.line((x - 5, y - 5, x + 5, y + 5), fill=INK, width=2)
                draw.line((x - 5, y + 5, x + 5, y - 5), fill=INK, width=2)
        if step > 0:
            for i in run.steps[step].queried:
                x, y = self.px[i], self.py[i]
                draw.ellipse((x - 9, y - 9, x + 9, y + 9), outline=JUST_LABELED, width=3)

    def _curve(self, draw: ImageDraw.ImageDraw, step: int) -> None:
        x0, y0 = PANEL + MARGIN * 3, TITLE
        left, bottom = x0 + 44, y0 + PANEL - 30
        right, top = x0 + PANEL - 8, y0 + 8
        n_lo, n_hi = float(self.n[0]), float(max(self.n[-1], self.n[0] + 1))
        v_lo, v_hi = self.y_range

        def at(n: float, v: float) -> tuple[float, float]:
            return (
                left + (n - n_lo) / (n_hi - n_lo) * (right - left),
                bottom - (v - v_lo) / (v_hi - v_lo) * (bottom - top),
            )

        draw.rectangle((left, top, right, bottom), outline="#D0D0D0")
        for v in (v_lo, v_hi):
            draw.text((x0, at(n_lo, v)[1] - 7), f"{v:.2f}", fill=INK, font=self.font)
        for n in (n_lo, n_hi):
            draw.text((at(n, v_lo)[0] - 10, bottom + 4), f"{n:.0f}", fill=INK, font=self.font)
        draw.text(((left + right) / 2 - 20, bottom + 12), "Labels", fill=INK, font=self.font)
        draw.text((left + 8, top + 6), self.metric.capitalize(), fill=CURVE_COLOR, font=self.font)
        if self.oracle is not None:
            draw.text((left + 8, top + 22), "Exact oracle", fill=ORACLE_COLOR, font=self.font)
            self._line(draw, at, self.oracle[: step + 1], ORACLE_COLOR, 2)
        self._line(draw, at, self.values[: step + 1], CURVE_COLOR, 3)
        if np.isfinite(self.values[step]):
            x, y = at(self.n[step], self.values[step])
            draw.ellipse((x - 5, y - 5, x + 5, y + 5), fill=CURVE_COLOR)

    def _line(self, draw, at, values: Sequence[float], color: str, width: int) -> None:
        pts = [at(n, v) for n, v in zip(self.n, values) if np.isfinite(v)]
        if len(pts) > 1:
            draw.line(pts, fill=color, width=width, joint="curve")


def _palette(frames: _Frames, k: int) -> Image.Image:
    """One palette for every frame: the fixed colours exactly, then shades of the background
    taken from the first and last frames (the model changes most between them)."""
    fixed = [rgb(c) for c in FIXED] + [rgb(class_color(c)) for c in range(k)]
    sample = np.concatenate(
        [np.asarray(frames.frame(s)) for s in sorted({0, frames.run.step_number})], axis=0
    )
    shades = Image.fromarray(sample).quantize(SHADES, method=Image.Quantize.MEDIANCUT)
    colors = fixed + [
        tuple(c) for c in np.asarray(shades.getpalette()[: SHADES * 3]).reshape(-1, 3)
    ]
    flat = [v for c in colors[:256] for v in c]
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat + [0] * (768 - len(flat)))
    return pal


def run_gif(
    learner: Learner,
    frame_ms: int = 400,
    last_frame_ms: int = 2500,
    resolution: int = 80,
    oracle: bool = True,
) -> bytes:
    """The run as an animated GIF, one frame a step (the initial labels are frame 0): the plane
    with its labels and the points just asked, and the learning curve so far (beside the exact
    oracle's when some labels differ from the truth). The last frame stays longer."""
    frames = _Frames(learner, resolution, oracle)
    pal = _palette(frames, learner.dataset.n_classes)
    images = [
        frames.frame(s).quantize(palette=pal, dither=Image.Dither.NONE)
        for s in range(learner.step_number + 1)
    ]
    durations = [frame_ms] * (len(images) - 1) + [last_frame_ms]
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
    )
    return out.getvalue()


def question_png(learner: Learner, point: int, resolution: int = 60) -> bytes:
    """The plane as it is now, `point` in the selection's red square: what a student's phone
    shows for a room's question (drawn once per question, on the teacher's side, about 12 KB)."""
    frames = _Frames(learner, resolution, oracle=False)
    step = learner.step_number
    img = Image.new("RGB", (PANEL + 2 * MARGIN, PANEL + 2 * MARGIN), "white")
    img.paste(frames._background(step), (MARGIN, MARGIN))
    draw = ImageDraw.Draw(img)
    frames.py -= TITLE - MARGIN  # no title on a phone: the plane sits at the top
    frames._points(draw, step)
    # The square goes on after quantising, in palette entries of its own, so it stays exactly
    # the selection's red (quantising would fold a few red pixels into the class orange).
    img = img.quantize(colors=94, method=Image.Quantize.MEDIANCUT)
    palette = [*img.getpalette()[: 94 * 3], *rgb("#FFFFFF"), *rgb(SELECTED)]
    img.putpalette(palette)
    draw = ImageDraw.Draw(img)
    x, y = frames.px[point], frames.py[point]
    for half, color, width in ((15, 94, 8), (13, 95, 4)):  # white halo, then the red square
        draw.rectangle((x - half, y - half, x + half, y + half), outline=color, width=width)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
