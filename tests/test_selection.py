"""The pool chart's selection handler: every shape of event the browser can send, and junk."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from al_core.loop import Config, Learner
from al_core.present.chart_events import Selection, label_notes, read_selection

N = 20
LABELED = np.zeros(N, bool)
LABELED[[3, 7, 12]] = True


def pt(customdata, curve=1, index=0, x=0.5, y=-0.5) -> dict:
    return {"curve_number": curve, "point_index": index, "x": x, "y": y, "customdata": customdata}


def event(*points, box=(), lasso=()) -> dict:
    pts = list(points)
    return {
        "selection": {
            "points": pts,
            "point_indices": [p.get("point_index", 0) for p in pts if isinstance(p, dict)],
            "box": list(box),
            "lasso": list(lasso),
        }
    }


BOX = [{"x": [0, 1], "y": [0, 1]}]
LASSO = [{"x": [0, 1, 1], "y": [0, 0, 1]}]


# ------------------------------------------------------------ single clicks


def test_click_on_an_unlabeled_point_selects_it():
    sel = read_selection(event(pt(5)), LABELED)
    assert sel == Selection("point", (5,), "")
    assert sel.point == 5


def test_customdata_as_a_list_uses_its_first_element():
    assert read_selection(event(pt([5, "Class A", 0.93])), LABELED).indices == (5,)


def test_repeated_click_on_the_same_point_is_idempotent():
    first = read_selection(event(pt(5)), LABELED)
    again = read_selection(event(pt(5)), LABELED, previous=first.point)
    assert again == first == Selection("point", (5,))


def test_click_on_the_selected_point_sends_an_empty_selection_which_keeps_it():
    # Verified in Chromium: clicking the already-selected point deselects it in Plotly and
    # Streamlit sends an empty selection. The user meant "this point", so it stays selected.
    sel = read_selection(event(), LABELED, previous=5)
    assert sel.kind == "none"
    assert sel.indices == (5,)
    assert sel.message == ""


def test_empty_selection_without_a_previous_point_selects_nothing():
    assert read_selection(event(), LABELED) == Selection("none", (), "")


def test_a_new_click_replaces_the_previous_point():
    assert read_selection(event(pt(9)), LABELED, previous=5) == Selection("point", (9,))


def test_click_on_a_labeled_point_is_refused_with_who_labeled_it():
    notes = {12: "Class A by you"}
    sel = read_selection(event(pt(12)), LABELED, previous=5, labeled_by=notes)
    assert sel.kind == "none"
    assert sel.indices == (5,)  # the previous selection is kept
    assert sel.message == "Point 12 is already labeled (Class A by you)."


def test_click_on_a_labeled_point_without_notes_still_says_so():
    sel = read_selection(event(pt(12)), LABELED)
    assert sel == Selection("none", (), "Point 12 is already labeled.")


def test_previous_point_that_got_labeled_is_dropped():
    # After the user labels point 7 the page may still hold it as "previous".
    assert read_selection(event(), LABELED, previous=7) == Selection("none", ())


def test_the_same_pool_point_in_two_traces_is_one_point():
    # A candidate is drawn in the pool trace and again in the highlighted-candidates trace.
    sel = read_selection(event(pt(5, curve=1), pt([5], curve=3)), LABELED)
    assert sel == Selection("point", (5,))


def test_points_without_customdata_are_ignored():
    heatmap = {"curve_number": 0, "x": 0.1, "y": 0.2, "z": 0.7}
    rank_text = pt(None, curve=4)
    assert read_selection(event(heatmap, rank_text), LABELED, previous=2).indices == (2,)
    assert read_selection(event(heatmap, pt(5), rank_text), LABELED) == Selection("point", (5,))


# ------------------------------------------------------------ groups


def test_box_selection_is_a_group_of_the_unlabeled_points_sorted_and_deduplicated():
    pts = [pt(i) for i in (9, 3, 1, 9, 12, 4)] + [pt([1, "x"])]
    sel = read_selection(event(*pts, box=BOX), LABELED, previous=5)
    assert sel.kind == "group"
    assert sel.indices == (1, 4, 9)
    assert sel.point is None
    assert sel.message == "2 of the 5 selected points were already labeled and left out."


def test_lasso_selection_is_a_group():
    sel = read_selection(event(pt(2), pt(0), lasso=LASSO), LABELED)
    assert sel == Selection("group", (0, 2), "")


def test_lasso_around_a_single_point_is_still_a_group():
    # The user made a group gesture; the page shows the group controls either way.
    assert read_selection(event(pt(2), lasso=LASSO), LABELED) == Selection("group", (2,))


def test_lasso_with_one_labeled_point_says_it_was_left_out():
    sel = read_selection(event(pt(2), pt(3), lasso=LASSO), LABELED)
    assert sel.indices == (2,)
    assert sel.message == "1 of the 2 selected points was already labeled and left out."


def test_lasso_around_labeled_points_only_selects_nothing():
    sel = read_selection(event(pt(3), pt(7), box=BOX), LABELED, previous=5)
    assert sel.kind == "none"
    assert sel.indices == (5,)
    assert "already labeled" in sel.message


def test_empty_box_is_an_empty_selection():
    assert read_selection(event(box=BOX), LABELED, previous=5) == Selection("none", (5,))


def test_several_clicked_points_without_a_gesture_are_a_group():
    # Shift-click adds points to a Plotly selection.
    assert read_selection(event(pt(1), pt(2)), LABELED).kind == "group"


# ------------------------------------------------------------ malformed input


@pytest.mark.parametrize(
    "bad",
    [
        None,
        42,
        "selection",
        [],
        {},
        {"selection": None},
        {"selection": []},
        {"selection": {}},
        {"selection": {"points": None}},
        {"selection": {"points": "12"}},
        {"selection": {"points": {"customdata": 1}}},
        {"selection": {"points": [None, 3, "x", []]}},
    ],
)
def test_malformed_events_select_nothing_and_keep_the_previous_point(bad):
    assert read_selection(bad, LABELED, previous=5) == Selection("none", (5,))


@pytest.mark.parametrize(
    "customdata",
    [
        None,
        "abc",
        "",
        " ",
        "3.5",
        "-1",
        "²",
        "9" * 5000,
        3.5,
        float("nan"),
        float("inf"),
        -1,
        N,
        10**30,
        1e300,
        True,
        False,
        [],
        [None],
        [[5]],
        {"index": 5},
    ],
)
def test_bad_customdata_is_ignored(customdata):
    assert read_selection(event(pt(customdata)), LABELED, previous=5) == Selection("none", (5,))


@pytest.mark.parametrize(
    ("customdata", "index"),
    [(5, 5), (5.0, 5), ("5", 5), (" 5 ", 5), (np.int64(5), 5), (np.float32(5), 5), ((5, 1), 5)],
)
def test_integral_customdata_in_any_json_shape_is_read(customdata, index):
    assert read_selection(event(pt(customdata)), LABELED).indices == (index,)


def test_bad_previous_is_dropped():
    for prev in (-1, N, "x", 2.5, True):
        assert read_selection(event(), LABELED, previous=prev).indices == ()
    assert read_selection(event(), LABELED, previous=np.int64(4)).indices == (4,)


def test_a_real_streamlit_selection_state_is_read():
    from streamlit.elements.plotly_chart import PlotlyChartSelectionSerde

    serde = PlotlyChartSelectionSerde()
    raw = {"selection": event(pt([11.0, "Class B"], curve=2, index=4))["selection"]}
    state = serde.deserialize(json.dumps(raw))
    assert read_selection(state, LABELED) == Selection("point", (11,))
    assert read_selection(serde.deserialize(None), LABELED, previous=11).indices == (11,)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
point_dicts = st.fixed_dictionaries({}, optional={"customdata": json_values, "x": json_values})


@settings(max_examples=150, deadline=None)
@given(
    points=st.lists(point_dicts | json_values, max_size=6),
    box=st.lists(json_values, max_size=2),
    previous=st.none() | st.integers(-3, N + 3),
)
def test_never_raises_and_only_selects_unlabeled_pool_points(points, box, previous):
    sel = read_selection({"selection": {"points": points, "box": box}}, LABELED, previous)
    assert sel.kind in ("none", "point", "group")
    assert list(sel.indices) == sorted(set(sel.indices))
    assert all(0 <= i < N and not LABELED[i] for i in sel.indices)
    assert all(type(i) is int for i in sel.indices)
    if sel.kind == "point":
        assert len(sel.indices) == 1


# ------------------------------------------------------------ with a real learner


def test_label_notes_say_which_class_and_who_and_feed_the_message():
    learner = Learner(Config(initial=4))
    learner.step()
    point = next(i for i in range(len(learner.dataset)) if not learner.labeled_mask[i])
    learner.teach([point], [1], source="you")
    notes = label_notes(learner)
    assert set(notes) == set(learner.labeled)
    assert notes[point] == "Class B by you"
    assert notes[learner.steps[1].queried[0]].endswith("by oracle")
    assert notes[learner.steps[0].queried[0]].endswith("by initial")
    sel = read_selection(event(pt(point)), learner.labeled_mask, labeled_by=notes)
    assert sel.message == f"Point {point} is already labeled (Class B by you)."
