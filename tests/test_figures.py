"""Figures (al_core.figures): the selection marks on the plane and curves of a single point."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from al_core.loop import Config, Learner
from al_core.present.figures import SELECTED, Curve, Style, curve_figure, plane_figure
from al_core.present.views import plane_view


@pytest.fixture(scope="module")
def view():
    return plane_view(Learner(Config(n_samples=120, initial=4)), resolution=40)


def selected_traces(fig) -> list:
    return [t for t in fig.data if t.name and t.name.startswith("Selected")]


def test_one_selected_point_gets_a_large_square_as_an_int_or_a_tuple_of_one(view):
    for selected in (7, np.int64(7), (7,)):
        (t,) = selected_traces(plane_figure(replace(view, selected=selected)))
        assert t.name == "Selected" and list(t.customdata) == [7]
        assert list(t.x) == [view.X[7, 0]] and list(t.y) == [view.X[7, 1]]
        assert t.marker.size == 22 and t.marker.color == SELECTED and t.marker.line.width == 3


def test_a_group_gets_smaller_squares_and_says_its_size(view):
    fig = plane_figure(replace(view, selected=(3, 9, 11)), Style.presenter())
    (t,) = selected_traces(fig)
    assert t.name == "Selected (3)" and list(t.customdata) == [3, 9, 11]
    assert np.allclose(t.x, view.X[[3, 9, 11], 0])
    p = Style.presenter()
    assert t.marker.size == pytest.approx(15 * p.marker)
    assert t.marker.line.width == pytest.approx(2 * p.line)
    assert fig.data[-1] is t  # drawn last, above every other point


@pytest.mark.parametrize("selected", [None, ()])
def test_nothing_selected_draws_no_square(view, selected):
    assert selected_traces(plane_figure(replace(view, selected=selected))) == []


def test_a_single_point_curve_shows_a_marker_and_a_longer_one_a_line():
    one = Curve("You", np.array([4]), np.array([0.8]), color="#E8710A")
    two = Curve("Margin", np.array([4, 5]), np.array([0.8, 0.85]))
    fig = curve_figure([one, two])
    lone, line = fig.data
    assert lone.mode == "lines+markers" and lone.marker.color == "#E8710A"
    assert line.mode == "lines"
    empty = curve_figure([Curve("Nothing yet", np.array([]), np.array([]))])
    assert empty.data[0].mode == "lines+markers"  # and no error


@pytest.mark.parametrize("target", [0.798, 0.9])
def test_a_target_below_or_among_the_curves_lies_within_the_y_axis(target):
    """The race at its default start: target 79.8%, both curves at 84.3%. Its line and its label
    were drawn below the axis floor (0.8), so the race showed no target at all."""
    you = Curve("You", np.array([60, 61]), np.array([0.843, 0.85]))
    fig = curve_figure([you], target=target)
    low, high = fig.layout.yaxis.range
    assert low <= target <= high
    assert low <= 0.843 and high >= 1.0
