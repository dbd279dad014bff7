"""A run as an animated GIF: one frame a step, small enough for slides, the class colours
exact in every frame."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

from al_core.data import load_csv
from al_core.formats.gif import MARGIN, PANEL, TITLE, run_gif
from al_core.loop import Config, Learner
from al_core.present.palette import JUST_LABELED, class_color, rgb

MAX_BYTES = 10 * 1024 * 1024


def frames(data: bytes) -> list[np.ndarray]:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "GIF"
        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(im)]


def pixel(run: Learner, i: int) -> tuple[int, int]:
    """Where pool point i is drawn (row, column), from the plot's fixed bounds."""
    b, (x, y) = run.dataset.bounds, run.dataset.X[i]
    col = MARGIN + (x - b.x0) / (b.x1 - b.x0) * PANEL
    row = TITLE + (b.y1 - y) / (b.y1 - b.y0) * PANEL
    return round(row), round(col)


@pytest.fixture(scope="module")
def short_run():
    run = Learner()
    for _ in range(5):
        run.step()
    return run


def test_one_frame_a_step_the_last_one_held(short_run):
    data = run_gif(short_run, frame_ms=300, last_frame_ms=2000)
    pictures = frames(data)
    assert len(pictures) == short_run.step_number + 1 == 6
    assert len({p.shape for p in pictures}) == 1
    with Image.open(io.BytesIO(data)) as im:
        durations = [f.info["duration"] for f in ImageSequence.Iterator(im)]
    assert durations == [300] * 5 + [2000]


def test_labeled_points_wear_their_class_colour_and_the_asked_point_its_ring(short_run):
    pictures = frames(run_gif(short_run))
    first, last = pictures[0], pictures[-1]
    labeled = np.array(short_run.labeled[: short_run.steps[0].n_labeled])
    X = short_run.dataset.X
    hits = 0
    for i, c in zip(labeled, short_run.labels):
        others = X[labeled[labeled != i]] - X[i]
        if np.hypot(*others.T).min() < 0.15:
            continue  # another labeled point may be drawn over it
        r, col = pixel(short_run, i)
        assert tuple(first[r, col]) == rgb(class_color(c)), i
        hits += 1
    assert hits >= 10
    ring = np.all(last == rgb(JUST_LABELED), axis=-1)
    assert ring.sum() > 20 and not np.all(first == rgb(JUST_LABELED), axis=-1).any()
    assert not np.array_equal(first, last)


def test_a_hundred_steps_fit_in_ten_megabytes():
    run = Learner()
    run.advance(run.n_labeled + 100)
    data = run_gif(run)
    assert len(frames(data)) == 101
    assert len(data) <= MAX_BYTES


def test_a_run_without_truth_shows_its_confidence():
    ds = load_csv((Path(__file__).parent / "bad_csv" / "good_5d_unlabeled.csv").read_bytes())
    run = Learner(Config(dataset="upload", initial=4), ds)
    run.teach([0, 1], [0, 1], "you")
    run.teach([2], [1], "you")
    assert len(frames(run_gif(run))) == 3
