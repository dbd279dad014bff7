"""The plane figure and its rendered background: what a click and a student rely on."""

import base64
import struct
import zlib

import numpy as np
import pytest

from al_core import Config, Learner
from al_core.present.figures import TITLE, WEBGL_ABOVE, plane_figure
from al_core.present.raster import png_data_uri, render
from al_core.present.views import grid_resolution, plane_view


@pytest.fixture(scope="module")
def run():
    learner = Learner()
    learner.step()
    learner.step()
    return learner


def decode_png(uri: str) -> np.ndarray:
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + 3 * w)
    assert (raw[:, 0] == 0).all()  # filter type 0 on every row
    return raw[:, 1:].reshape(h, w, 3)


def test_every_pool_point_is_drawn_once_with_its_index(run):
    fig = plane_figure(plane_view(run))
    pool = next(t for t in fig.data if t.name == "Unlabeled pool")
    labeled = [t for t in fig.data if t.name in run.dataset.class_names]
    shown = np.concatenate(
        [np.asarray(pool.customdata)] + [np.asarray(t.customdata) for t in labeled]
    )
    assert sorted(shown.tolist()) == list(range(len(run.dataset)))  # customdata = pool index


def test_axes_are_fixed_to_the_dataset_bounds_and_titled(run):
    fig = plane_figure(plane_view(run))
    b = run.dataset.bounds
    assert tuple(fig.layout.xaxis.range) == (b.x0, b.x1) and fig.layout.xaxis.fixedrange
    assert tuple(fig.layout.yaxis.range) == (b.y0, b.y1) and fig.layout.yaxis.fixedrange
    assert fig.layout.title.text == TITLE
    assert fig.layout.dragmode is None  # "select" would disable click selection


def test_candidates_are_ranked_and_the_last_query_is_ringed(run):
    fig = plane_figure(plane_view(run))
    nxt = next(t for t in fig.data if t.name == "Next to ask (rank)")
    assert list(nxt.customdata) == list(run.suggest().indices)
    assert list(nxt.text) == [str(i + 1) for i in range(len(nxt.customdata))]
    last = next(t for t in fig.data if t.name == "Just labeled")
    assert list(last.customdata) == list(run.steps[-1].queried)


def test_large_pools_switch_to_webgl():
    big = Learner(Config(n_samples=WEBGL_ABOVE + 500, initial=10))
    types = {t.name: t.type for t in plane_figure(plane_view(big, resolution=40)).data}
    assert types["Unlabeled pool"] == "scattergl"


def test_background_png_decodes_to_the_rendered_image(run):
    view = plane_view(run, resolution=50)
    colors = np.array([[240, 160, 100], [110, 170, 220]], float)
    rgb = render(view.proba, colors, view.band)
    assert rgb.shape == (100, 100, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(decode_png(png_data_uri(rgb)), rgb)


def test_the_shaded_band_is_where_the_model_is_unsure():
    # P(class 2) rises left to right: the band must be the middle columns, 0.45 <= p <= 0.55
    p1 = np.tile(np.linspace(0, 1, 101, dtype=np.float32), (101, 1))
    proba = np.stack([1 - p1, p1], axis=-1)
    colors = np.array([[240, 160, 100], [110, 170, 220]], float)
    with_band = render(proba, colors, (0.45, 0.55), scale=1).astype(int)
    no_band = render(proba, colors, (2.0, 3.0), scale=1).astype(
        int
    )  # a band no probability reaches
    shading = (no_band - with_band)[50].sum(axis=1)
    inside = (p1[50] >= 0.45) & (p1[50] <= 0.55)
    off_line = np.abs(np.arange(101) - 50) > 2  # the boundary line at p = 0.5 is dark anyway
    assert shading[inside & off_line].min() > 60  # darker inside the band
    assert (
        np.abs(shading[~inside & (np.abs(np.arange(101) - 50) > 7)]).max() < 3
    )  # untouched outside


def test_grid_resolution_follows_model_cost():
    assert grid_resolution("logreg") == 160  # cheap: as fine as the plane needs
    assert grid_resolution("logreg") > grid_resolution("svm_rbf") > grid_resolution("gp")
    assert grid_resolution("logreg", n_classes=10) <= 120


def test_a_model_slower_than_its_table_gets_a_coarser_grid():
    """Contradictory labels make every point a support vector: the plane's grid gets coarser
    (timed on a probe) instead of costing seconds; the default scenario keeps its grid."""
    from al_core.present.views import affordable_resolution, grid_resolution

    default = Learner(Config())
    res = grid_resolution("logreg")
    assert affordable_resolution(default, 0, res) == res  # 60 labels: never probed
    run = Learner(Config(n_samples=6000, initial=0, model="svm_rbf"))
    order = np.random.default_rng(0).permutation(6000)[:3000]
    run.teach(list(order), [i % 2 for i in range(3000)], "you")
    assert affordable_resolution(run, run.step_number, 160) < 160
