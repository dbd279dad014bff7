"""Labeling real things: the item behind a point (digit images, texts, measurements, all
escaped), texts embedded for learning, and the model learning in all features (links, sessions,
costs and accuracy)."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import numpy as np
import pytest

from al_core.data import load_csv, make_dataset
from al_core.formats.session import read_session, session_json
from al_core.formats.share import decode_state, encode_state, rebuild
from al_core.loop import Config, Learner, cost
from al_core.present.figures import plane_spec
from al_core.present.items import hover_thumbs, item_html, item_png
from al_core.present.views import plane_view

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "short_texts.csv"
HOSTILE = Path(__file__).parent / "bad_csv" / "good_text_html_duplicates.csv"


def png_size(uri: str) -> tuple[int, int]:
    raw = base64.b64decode(uri.split(",", 1)[1])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")


def png_pixels(uri: str) -> np.ndarray:
    raw = base64.b64decode(uri.split(",", 1)[1])
    w, h = png_size(uri)
    data, pos = b"", 8
    while pos < len(raw):
        n = int.from_bytes(raw[pos : pos + 4], "big")
        if raw[pos + 4 : pos + 8] == b"IDAT":
            data += raw[pos + 8 : pos + 8 + n]
        pos += 12 + n
    rows = np.frombuffer(zlib.decompress(data), np.uint8).reshape(h, 1 + 3 * w)
    return rows[:, 1:].reshape(h, w, 3)


def test_a_digit_is_its_own_8x8_image_large_and_crisp():
    ds = make_dataset("digits")
    uri = item_png(ds, 0)
    w, h = png_size(uri)
    assert w == h >= 160
    px = png_pixels(uri)
    blocks = px[:, :, 0].reshape(8, w // 8, 8, w // 8)
    assert (blocks == blocks[:, :1, :, :1]).all()  # nearest neighbour: flat squares, no blur
    ink = 255 - px[:: w // 8, :: w // 8, 0].astype(float)
    expected = ds.items.values[0].reshape(8, 8).astype(float) * 255 / 16
    assert np.abs(ink - expected).max() <= 1
    assert item_png(ds, 1) != uri


def test_a_batch_shows_its_images_in_a_row_and_tables_show_names_and_values():
    digits = make_dataset("digits")
    row = item_html(digits, [3, 4, 5])
    assert row.count("<img ") == 3 and "flex" in row
    iris = make_dataset("iris")
    table = item_html(iris, [0])
    assert "sepal length (cm)" in table
    assert f"{iris.items.values[0, 0]:.4g}" in table
    assert item_html(make_dataset("moons"), [0]) == ""  # coordinates are all there is


def test_a_strangers_text_is_shown_escaped_never_as_markup():
    ds = load_csv(HOSTILE.read_bytes(), HOSTILE.name)
    assert ds.items.kind == "text" and len(ds.items.texts) == len(ds)
    hostile = [i for i, t in enumerate(ds.items.texts) if "<" in t]
    assert hostile, "the corpus file must hold markup in the pool"
    shown = item_html(ds, hostile)
    assert "<script" not in shown and "<img" not in shown and "<b>" not in shown
    assert "&lt;script&gt;" in shown or "&lt;img" in shown
    assert "white-space:pre-wrap" in shown  # wrapped, in full


def test_texts_embed_deterministically_and_learning_in_them_beats_chance():
    data = EXAMPLE.read_bytes()
    a, b = load_csv(data, EXAMPLE.name), load_csv(data, EXAMPLE.name)
    assert a.key == b.key and np.array_equal(a.features, b.features)
    assert a.class_names == ("food", "sport", "weather")
    assert a.n_features == 100 and a.X.shape[1] == 2
    run = Learner(Config(dataset="upload", initial=6, learn_in="all"), a)
    run.advance(60)
    assert run.steps[-1].metrics["accuracy"] > 0.5  # three classes: chance is a third


def test_digits_learn_far_better_in_all_features_than_in_the_projection():
    def acc(learn_in: str, seed: int) -> float:
        run = Learner(Config(dataset="digits", initial=20, seed=seed, learn_in=learn_in))
        run.advance(50)
        return run.steps[-1].metrics["accuracy"]

    for seed in (0, 1):
        assert acc("all", seed) > acc("view", seed) + 0.2


def test_in_all_features_the_map_shows_predictions_over_an_approximate_background():
    run = Learner(Config(dataset="iris", initial=9, learn_in="all"))
    assert not run.exact_plane
    grid = run.proba_grid(40)
    assert grid.shape == (40, 40, 3) and np.allclose(grid.sum(axis=2), 1, atol=1e-4)
    view = plane_view(run, resolution=40)
    assert view.predicted is not None and len(view.predicted) == len(run.dataset)
    assert np.array_equal(view.predicted, run.pool_proba().argmax(axis=1))
    names = [t["name"] for t in plane_spec(view)["traces"]]
    assert "Background: approximate" in names and "Boundary" not in names
    exact = Learner(Config(dataset="iris", initial=9))
    assert exact.exact_plane and plane_view(exact, resolution=40).predicted is None


def test_a_link_carries_where_the_model_learns_and_old_links_keep_the_view():
    run = Learner(Config(dataset="digits", initial=20, learn_in="all"))
    run.step()
    params = encode_state(run.to_dict())
    assert params["learn"] == "all"
    again, warnings = rebuild(decode_state(params))
    assert warnings == [] and again.to_json() == run.to_json()
    assert decode_state({"ds": "digits"}).config.learn_in == "view"  # before the field existed


def test_a_text_session_comes_back_with_every_label():
    data = EXAMPLE.read_bytes()
    ds = load_csv(data, EXAMPLE.name)
    run = Learner(Config(dataset="upload", initial=6, learn_in="all"), ds)
    for _ in range(3):
        top = int(run.suggest().indices[0])
        run.teach([top], [0], "you")
    back = read_session(session_json(run, data, "auto"))
    assert back.learner.to_json() == run.to_json()
    assert back.learner.steps[-1].metrics == run.steps[-1].metrics


def test_costs_grow_with_the_features_learned_from():
    c = Config(dataset="digits", model="gboost")
    view = cost.step(c, 500, 1257, 10).seconds
    assert cost.step(c, 500, 1257, 10, dims=64).seconds > 4 * view
    heavy = Config(dataset="digits", model="gp", learn_in="all", initial=1200)
    assert cost.opening_problem(heavy) != ""


def test_hover_thumbnails_are_the_grey_levels_once_per_pool():
    ds = make_dataset("digits")
    thumbs = hover_thumbs(ds)
    assert (thumbs["rows"], thumbs["cols"]) == (8, 8)
    raw = base64.b64decode(thumbs["pixels"]["__b64__"])
    assert len(raw) == len(ds) * 64 and raw[:64] == bytes(ds.items.values[0])
    assert hover_thumbs(make_dataset("iris")) is None


@pytest.mark.parametrize("dataset", ["moons", "iris"])
def test_two_feature_data_and_the_view_keep_the_exact_boundary(dataset):
    run = Learner(Config(dataset=dataset, learn_in="all" if dataset == "moons" else "view"))
    assert run.exact_plane
