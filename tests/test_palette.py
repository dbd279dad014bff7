"""One colour system: classes stay apart for colour-blind eyes and off the background, and every
strategy keeps one colour on every chart (al_core.present.palette)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from al_core.present.palette import (
    CLASS_COLORS,
    POOL,
    STRATEGY_COLORS,
    YOU_COLOR,
    class_color,
    strategy_color,
)
from al_core.strategies import STRATEGIES

# Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB.
SIMULATIONS = {
    "normal": np.eye(3),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.01182, 0.04294, 0.968881],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.3039],
        ]
    ),
}


def _linear(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = (
        np.clip(linear, 0, 1)
        @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    )
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > 0.008856, np.cbrt(f), 7.787 * f + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a: str, b: str, vision: str) -> float:
    m = SIMULATIONS[vision]
    return float(np.linalg.norm(_lab(m @ _linear(a)) - _lab(m @ _linear(b))))


@pytest.mark.parametrize("vision", SIMULATIONS)
def test_classes_stay_apart_for_every_kind_of_vision(vision):
    first_seven = min(
        distance(a, b, vision) for a, b in itertools.combinations(CLASS_COLORS[:7], 2)
    )
    all_ten = min(distance(a, b, vision) for a, b in itertools.combinations(CLASS_COLORS, 2))
    assert first_seven >= 15, first_seven  # every generator (up to 6 classes) and iris, wine
    assert all_ten >= 11, all_ten  # digits


def test_no_class_fades_into_the_plane_or_reads_as_ink_or_as_the_pool():
    assert len(CLASS_COLORS) == len(set(CLASS_COLORS)) == 10
    for c in CLASS_COLORS:
        lightness = _lab(_linear(c))[0]
        assert 30 <= lightness <= 72, (c, lightness)
        assert distance(c, POOL, "normal") > 20 and distance(c, YOU_COLOR, "normal") > 10


def test_every_strategy_has_its_own_colour_and_you_are_none_of_them():
    assert set(STRATEGY_COLORS) == set(STRATEGIES)
    colours = list(STRATEGY_COLORS.values())
    assert len(set(colours)) == len(colours) and YOU_COLOR not in colours
    assert strategy_color("margin") == STRATEGY_COLORS["margin"]  # one colour on every chart
    assert class_color(12) == class_color(2)
