"""The command line's parser: its commands, and one option per schema field with the schema's
own names, defaults, ranges and words (as share links and the sidebar have them). A bad value is
one line naming the option and what it accepts, then exit status 2 (`OneLineParser`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any, NoReturn

from al_core.loop.schema import FIELDS, UPLOAD
from al_core.loop.stopping import CRITERIA
from al_core.params import Param, parse_number
from al_core.strategies import STRATEGIES

PROG = "python -m al_core"
COMPARE_DEFAULT = "random,least_confident,margin,entropy,qbc_vote"
OUT_EXTENSIONS = (".csv", ".json")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block) and exit status 2."""

    commands: dict[str, OneLineParser]

    def error(self, message: str) -> NoReturn:
        """One line naming the option and what it accepts, then exit status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# ---------------------------------------------------------------- option types


def _number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    """An option type for a run setting that is not a Config field (budget, target share)."""
    return _field_type(Param("value", "The value", kind(low), low, high, kind=kind))


def _field_type(f: Param) -> Callable[[str], Any]:
    """An argparse type that checks a value as the schema does, in the schema's words (argparse
    prefixes them with the option's name)."""

    def parse(text: str) -> Any:
        if f.optional and f.span is not None:  # a range that depends on other options
            number = parse_number(text)
            if number is None or number != int(number):
                raise argparse.ArgumentTypeError(f"{f.label} {text!r} is not a whole number")
            return int(number)
        if f.name == "dataset" and text.strip().lower() == UPLOAD:
            raise argparse.ArgumentTypeError(
                "an uploaded CSV exists only in the app (accepted: "
                + ", ".join(n for n in f.choices() if n != UPLOAD)
                + ")"
            )
        try:
            return f.check(text, text=True)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = f.label  # argparse names the type in some messages
    return parse


def _jobs(text: str) -> int:
    value = parse_number(text)
    if value is None or value != int(value) or not (value == -1 or 1 <= value <= 256):
        raise argparse.ArgumentTypeError(f"expected 1 to 256, or -1 for every core, got {text!r}")
    return int(value)


def _seeds(text: str) -> tuple[str, list[int]]:
    """`10` is a count (10 seeds from --seed on); `1,2,3` is a list."""
    accepted = "a count from 1 to 1000 or a comma-separated list of seeds like 1,2,3"
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [int(p) for p in parts if p]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}") from None
    if "," not in text:
        if len(values) != 1 or not 1 <= values[0] <= 1000:
            raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}")
        return "count", values
    if not values or not all(0 <= v < 2**32 for v in values) or len(values) > 1000:
        raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}")
    return "list", values


def _strategy_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in STRATEGIES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown strategy {bad[0] if bad else text!r} (accepted: {', '.join(STRATEGIES)})"
        )
    return names


def _assignment(text: str) -> tuple[str, str]:
    """NAME=VALUE; the value is checked against the named parameter once the model is known."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or parse_number(value) is None:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}")
    return name.strip(), value.strip()


def _out(text: str) -> str:
    if not text.lower().endswith(OUT_EXTENSIONS):
        raise argparse.ArgumentTypeError(f"expected a file ending in .csv or .json, got {text!r}")
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"the folder {folder!r} does not exist")
    return text


# ---------------------------------------------------------------- the parser


def build_parser() -> OneLineParser:
    """The commands and their options (the scenario's come from the schema)."""
    parser = OneLineParser(
        prog=PROG,
        allow_abbrev=False,
        description="Ask Next: active learning on 2-D data, from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = {}

    p = sub.add_parser(
        "list",
        allow_abbrev=False,
        help="datasets, models and strategies with one-line descriptions",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")

    for name, text in [
        ("simulate", "one strategy over one or more seeds (random runs too, as the baseline)"),
        ("compare", "several strategies over the same seeds (random is always included)"),
    ]:
        p = sub.add_parser(name, help=text, description=text, allow_abbrev=False)
        _scenario_options(p, compare=name == "compare")
        parser.commands[name] = p

    p = sub.add_parser(
        "bench",
        allow_abbrev=False,
        help="speed figures, each against a plain scikit-learn baseline",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs, not speed")
    return parser


def _scenario_options(p: argparse.ArgumentParser, compare: bool) -> None:
    """The scenario's options, one per schema field (`loop.schema.FIELDS`): the same names,
    defaults, ranges and words as share links and the sidebar."""
    g = p.add_argument_group("scenario")
    for f in FIELDS:
        if f.name == "strategy" and compare:
            g.add_argument(
                "--strategies",
                "--strategy",
                type=_strategy_list,
                default=COMPARE_DEFAULT.split(","),
                metavar="A,B,C",
                help=f"strategies to compare, random always included (default {COMPARE_DEFAULT})",
            )
        else:
            default = f.default_label() if f.choices is None else f.default
            choices = [c for c in f.choices() if c != UPLOAD] if f.choices else None
            accepted = ", ".join(choices) if choices else f.accepted()
            g.add_argument(
                f.flag,
                type=_field_type(f),
                default=f.default,
                metavar="NAME" if choices else ("N" if f.is_int else "X"),
                help=f"{f.help} Takes {accepted}"
                + ("." if f.default is None else f" (default {default})."),
            )
        if f.name in ("model", "strategy"):
            g.add_argument(
                f"--{f.name}-param",
                type=_assignment,
                action="append",
                default=[],
                metavar="NAME=VALUE",
                help=f"a {f.name} hyperparameter, e.g. "
                + ("C=10" if f.name == "model" else "committee_size=7")
                + " (repeatable)",
            )
    r = p.add_argument_group("run")
    r.add_argument(
        "--budget",
        type=_number(int, 1, 20_000),
        default=100,
        metavar="N",
        help="labels added beyond the initial ones (default 100)",
    )
    r.add_argument(
        "--seeds",
        type=_seeds,
        default=("count", [10 if compare else 1]),
        metavar="N|A,B,C",
        help="a count (10 = seeds --seed to --seed+9) or a list 1,2,3 "
        f"(default {10 if compare else 1})",
    )
    r.add_argument(
        "--target-share",
        type=_number(float, 0.01, 1.0),
        default=0.95,
        metavar="X",
        help="target = X × the accuracy with the whole pool labeled (default 0.95)",
    )
    r.add_argument(
        "--stop",
        choices=list(CRITERIA),
        default=None,
        metavar="CRITERION",
        help="also report when a stopping criterion fires: " + ", ".join(CRITERIA),
    )
    r.add_argument(
        "--stop-threshold",
        type=_number(float, 0.0, 1.0),
        default=None,
        metavar="X",
        help="the criterion's threshold (kappa 0.99, uncertainty 0.05, change 0 by default)",
    )
    r.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="runs in parallel, -1: every core (default 1)",
    )
    r.add_argument(
        "--backend",
        default=None,
        metavar="NAME",
        help="joblib backend: loky (default), threading, multiprocessing, dask",
    )
    r.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address for --backend dask, e.g. tcp://host:8786",
    )

    o = p.add_argument_group("output")
    o.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    o.add_argument(
        "--out",
        type=_out,
        default=None,
        metavar="FILE",
        help="also write the results: .csv (one row per run and step) or .json",
    )
    o.add_argument(
        "--progress",
        action="store_true",
        help="draw the progress bar on stderr even when it is not a terminal",
    )
