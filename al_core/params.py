"""Tunable knobs shared by models and strategies, described once for the UI, CLI and URLs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    """One hyperparameter a student may touch, with the range the UI offers."""

    name: str
    label: str
    default: float | int
    low: float | int
    high: float | int
    log: bool = False
    help: str = ""

    @property
    def is_int(self) -> bool:
        return isinstance(self.default, int)

    def clamp(self, value: Any) -> float | int:
        """Coerce a value from a URL or CLI into range; raises ValueError if it is not a number."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if number != number or isinstance(value, bool):  # NaN never reaches a model
            raise ValueError(f"{self.name} must be a number, not {value!r}")
        number = min(max(number, self.low), self.high)
        return round(number) if self.is_int else number


def resolve(params: tuple[Param, ...], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with the given values; unknown names are an error, not a silent no-op."""
    if given is not None and not isinstance(given, Mapping):
        raise ValueError(f"parameters must be name: value pairs, not {given!r}")
    given = dict(given or {})
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        accepted = ", ".join(known) or "none"
        raise ValueError(f"unknown parameter {unknown[0]!r} (accepted: {accepted})")
    return {p.name: p.clamp(given[p.name]) if p.name in given else p.default for p in params}
