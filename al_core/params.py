"""One description per setting a person can change: its name, label, default, range and help.

The run's configuration (`loop.schema.FIELDS`) and every model's and strategy's hyperparameters
are `Param`s, so a value is checked with the same rule and reported with the same words wherever
it comes from: a Config built in code or read from a session file (refused), a share link
(clamped, with a warning), a CLI option (refused, naming the option) or a sidebar widget (whose
range is the Param's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_INT_TEXT = re.compile(r"[+-]?\d{1,30}")


@dataclass(frozen=True)
class Param:
    """One setting: what it is called, what it accepts, and where it appears.

    `kind` is int, float or str (a name from `choices`); `url` and `flag` are its share-link key
    and CLI option (hyperparameters have neither: they travel as `m.NAME` / `--model-param`).
    `span`, when given, computes the range from the other values (classes depend on the dataset).
    """

    name: str
    label: str
    default: Any
    low: float | None = None
    high: float | None = None
    log: bool = False
    help: str = ""
    kind: type | None = None
    url: str = ""
    flag: str = ""
    step: float | None = None
    choices: Callable[[], Sequence[str]] | None = None
    optional: bool = False
    span: Callable[[Mapping[str, Any]], tuple[float, float] | None] | None = None
    display: Callable[[Any], str] | None = None  # a name's friendly label ("Two moons")
    noun: str = ""  # what one choice is, where the label is no noun ("learning space")

    @property
    def type(self) -> type:
        """int, float or str: `kind`, or the default's type."""
        return self.kind or type(self.default)

    @property
    def is_int(self) -> bool:
        """True for a whole-number setting."""
        return self.type is int

    def limits(self, values: Mapping[str, Any] | None = None) -> tuple[float, float] | None:
        """The accepted range, given the other settings (None: any value, or no range applies)."""
        if self.span is not None:
            return self.span(values or {})
        if self.low is None or self.high is None:
            return None
        return self.low, self.high

    def accepted(self, values: Mapping[str, Any] | None = None) -> str:
        """What the setting takes, in words: "20 to 20000", "logreg, knn, …"."""
        if self.choices is not None:
            return ", ".join(self.choices())
        lim = self.limits(values)
        what = "a whole number" if self.is_int else "a number"
        return what if lim is None else f"{fmt(lim[0])} to {fmt(lim[1])}"

    # ------------------------------------------------------------ refusing and clamping

    def check(self, value: Any, values: Mapping[str, Any] | None = None, text: bool = False) -> Any:
        """The value, coerced to its type; a ValueError in the shared words if it is not valid.

        A number must be a number (a session file's "42" is refused), unless `text` says the
        value was typed (a CLI option), in which case its text is read as a link's would be.
        """
        if not text and self.choices is None and isinstance(value, str):
            value = _Typed(value)
        got, problem = self._read(value, values)
        if problem:
            said = "out of range" in problem  # that phrase already gives the range
            raise ValueError(problem if said else f"{problem} (accepted: {self.accepted(values)})")
        return got

    def clamp(self, value: Any, values: Mapping[str, Any] | None = None) -> tuple[Any, str]:
        """For a link: (a usable value, a warning or ""). Out of range comes back clamped, a
        fraction rounded, anything unreadable as the default; the warning says which."""
        got, problem = self._read(value, values)
        if not problem:
            return got, ""
        if self.choices is not None:
            return self.default, f"{problem} ignored; using {self.default_label()}."
        if got is None:
            return self.default, f"{problem}; ignored."
        return got, f"{problem}; using {fmt(got)}."

    def default_label(self) -> str:
        """The default as a person reads it (a name's friendly label)."""
        return self.display(self.default) if self.display else fmt(self.default)

    def _read(self, value: Any, values: Mapping[str, Any] | None) -> tuple[Any, str]:
        """(the value coerced and clamped, "" or the problem). Text is parsed as a link or a CLI
        option gives it; a bool is never a number, NaN and infinities never reach a model."""
        if self.optional and value is None:
            return None, ""
        if self.choices is not None:
            names = list(self.choices())
            text = value.strip().lower() if isinstance(value, str) else value
            if isinstance(text, str) and text in names:
                return text, ""
            return None, f"Unknown {self.noun or self.label.lower()} {_shown(value)}"
        number = None if isinstance(value, _Typed) else parse_number(value)
        if number is None:
            what = "a whole number" if self.is_int else "a number"
            return None, f"{self.label} {_shown(value)} is not {what}"
        lim = self.limits(values)
        clamped = number if lim is None else min(max(number, lim[0]), lim[1])
        if self.is_int:
            whole = round(clamped)
            if clamped != number:
                return (
                    whole,
                    f"{self.label} {_shown(value)} is out of range ({self.accepted(values)})",
                )
            if whole != number:
                return whole, f"{self.label} {_shown(value)} is not a whole number"
            return whole, ""
        if clamped != number:
            return float(clamped), (
                f"{self.label} {_shown(value)} is out of range ({self.accepted(values)})"
            )
        return float(number) + 0.0, ""  # + 0.0: -0.0 becomes 0.0 (numpy refuses scale -0.0)


class _Typed(str):
    """Text where a number was due (a session file's "42"): shown quoted, never parsed."""


def parse_number(value: Any) -> float | int | None:
    """A finite int or float from a number or its text; None for anything else (bools, NaN)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text):
            return int(text)
        try:
            value = float(text)
        except ValueError:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    if isinstance(value, int) or (hasattr(value, "dtype") and value.dtype.kind in "iu"):
        return int(value)
    return number + 0.0


def fmt(value: Any) -> str:
    """Shortest text that reads back to the same value ("10" for 10.0, "0.25", "1e-05")."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _shown(value: Any, limit: int = 40) -> str:
    """A value as a message quotes it: numbers as they were typed, anything else quoted."""
    if isinstance(value, _Typed):
        return repr(str(value))[:limit]
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str):
        readable = parse_number(text) is not None
        text = text if len(text) <= limit else text[: limit - 1] + "…"
        return text if readable else repr(text)
    if isinstance(text, int | float) and not isinstance(text, bool):
        return fmt(text)
    return repr(text)[:limit]


def resolve(params: tuple[Param, ...], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults overlaid with the given values, each checked; an unknown name is an error, not a
    silent no-op, and so is a value out of range (a link clamps before it gets here)."""
    if given is not None and not isinstance(given, Mapping):
        raise ValueError(f"parameters must be name: value pairs, not {given!r}"[:200])
    given = dict(given or {})
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known), key=str)
    if unknown:
        accepted = ", ".join(known) or "none"
        raise ValueError(f"unknown parameter {str(unknown[0])!r} (accepted: {accepted})")
    out = {}
    for p in params:
        try:
            out[p.name] = p.check(given[p.name]) if p.name in given else p.default
        except ValueError as exc:
            raise ValueError(f"{p.name}: {exc}") from None
    return out
