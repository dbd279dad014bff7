"""The learning loop: the configuration (one schema), the learner, replay, metrics, scoring."""

from al_core.loop.config import Config, cold_start
from al_core.loop.learner import Learner
from al_core.loop.replay import Replayed, replay
from al_core.loop.steps import COLD_START_NOTE, FORMAT_VERSION, SOURCES, Step

__all__ = [
    "COLD_START_NOTE",
    "FORMAT_VERSION",
    "SOURCES",
    "Config",
    "Learner",
    "Replayed",
    "Step",
    "cold_start",
    "replay",
]
