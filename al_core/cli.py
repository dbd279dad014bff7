"""`python -m al_core`: list the names, simulate or compare strategies over seeds, benchmark.

Every lesson in the app can be rerun from here with the same names the URLs use. Bad options
never produce a traceback: one line naming the option and what it accepts, then exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from al_core.cli_output import ProgressBar, render_table
from al_core.data import CLASS_RANGE, DATASETS
from al_core.loop import Config
from al_core.loop.schema import FIELD, FIELDS, UPLOAD
from al_core.loop.stopping import CRITERIA
from al_core.models import MODELS
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


# ---------------------------------------------------------------- commands


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point: parse, run the command, return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list(args)
        if args.command == "bench":
            from al_core.bench import main as bench_main

            return bench_main(json_out=args.json, quick=args.quick)
        return cmd_run(parser, args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head` closed the pipe: stop quietly, like other tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def cmd_list(args: argparse.Namespace) -> int:
    """`list`: every dataset, model and strategy with its label and one line."""
    groups = {
        "datasets": [(s.name, s.label, s.description) for s in DATASETS.values()],
        "models": [(m.name, m.label, m.description) for m in MODELS.values()],
        "strategies": [(s.name, s.label, s.idea) for s in STRATEGIES.values()],
    }
    if args.json:
        print(
            json.dumps(
                {
                    k: [{"name": n, "label": lab, "description": d} for n, lab, d in v]
                    for k, v in groups.items()
                }
            )
        )
        return 0
    width = max(len(n) for v in groups.values() for n, _, _ in v)
    for title, items in groups.items():
        print(f"{title.capitalize()}:")
        for name, label, text in items:
            print(f"  {name:<{width}}  {label}: {text}")
        print()
    return 0


def cmd_run(parser: OneLineParser, args: argparse.Namespace) -> int:
    """`simulate` and `compare`: run the experiment, print the table or JSON, write --out."""
    from al_core.experiments.runner import run_experiment

    sub = parser.commands[args.command]  # its errors carry the subcommand's name
    strategies = args.strategies if args.command == "compare" else [args.strategy]
    config = _config(sub, args, strategies)
    kind, values = args.seeds
    seeds = list(range(args.seed, args.seed + values[0])) if kind == "count" else values
    if seeds[-1] >= 2**32:
        sub.error("argument --seeds: the seeds run past 4294967295; lower --seed")
    if args.scheduler and args.backend not in (None, "dask"):
        sub.error("argument --scheduler: goes only with --backend dask")
    if args.stop_threshold is not None:
        if args.stop is None:
            sub.error("argument --stop-threshold: goes only with --stop")
        c = CRITERIA[args.stop]
        if not c.low <= args.stop_threshold <= c.high:
            sub.error(
                f"argument --stop-threshold: {args.stop} takes {c.low:g} to {c.high:g} "
                f"(got {args.stop_threshold:g})"
            )

    if args.backend in (None, "loky", "multiprocessing"):
        args.jobs = _capped_jobs(args.jobs)
    show = args.progress or sys.stderr.isatty()
    bar = ProgressBar(sys.stderr) if show else None
    try:
        exp = run_experiment(
            config,
            strategies,
            seeds,
            args.budget,
            jobs=args.jobs,
            backend=args.backend,
            scheduler=args.scheduler,
            progress=bar,
            target_share=args.target_share,
        )
    except ValueError as exc:  # names the argument; run_experiment checks before running
        sub.error(_option_message(str(exc)))
    finally:
        if bar is not None:
            bar.finish()
    exp.stop_criterion, exp.stop_threshold = args.stop, args.stop_threshold

    if args.out:
        try:
            if args.out.lower().endswith(".csv"):
                exp.runs.to_csv(args.out, index=False)
            else:
                with open(args.out, "w", encoding="utf-8") as fh:
                    fh.write(exp.to_json(indent=2))
        except OSError as exc:
            sub.error(f"argument --out: cannot write {args.out!r} ({exc.strerror})")
    print(exp.to_json() if args.json else render_table(exp, args.command, _ran_on(args)))
    for f in exp.failures:
        print(f"{PROG}: run failed: {f.strategy} seed {f.seed}: {f.error}", file=sys.stderr)
    return 1 if exp.failures else 0


def _ran_on(args: argparse.Namespace) -> str:
    """Where the runs went, for the report's header: a Dask cluster sizes itself, so its
    --jobs says nothing about how many ran at once."""
    if args.backend == "dask" or args.scheduler:  # an address alone means Dask
        return f"on the Dask cluster at {args.scheduler}" if args.scheduler else "on Dask"
    named = f" ({args.backend})" if args.backend else ""
    return f"with {args.jobs} job{'s' if args.jobs != 1 else ''}{named}"


def _capped_jobs(jobs: int) -> int:
    """At most one worker process per core: more only fight over the cores (said in one line)."""
    from al_core.experiments.pool import usable_cores

    cores = usable_cores()
    if jobs == -1 or jobs > cores:
        if jobs != -1:
            print(f"{PROG}: --jobs {jobs} capped at the {cores} cores here", file=sys.stderr)
        return cores
    return jobs


def _config(sub: OneLineParser, args: argparse.Namespace, strategies: list[str]) -> Config:
    """Build the Config, turning each cross-option problem into a one-line option error."""
    values = {f.name: getattr(args, f.name) for f in FIELDS if f.name != "strategy"}
    values["strategy"] = next((s for s in strategies if s != "random"), strategies[0])
    if values["n_classes"] is not None:
        f = FIELD["n_classes"]
        if f.limits(values) is None:
            sub.error(
                f"argument --n-classes: {args.dataset} has a fixed number of classes "
                f"(tunable only for {', '.join(CLASS_RANGE)})"
            )
        try:
            f.check(values["n_classes"], values)
        except ValueError as exc:
            sub.error(f"argument --n-classes: {exc}")
    model = {p.name: p for p in MODELS[args.model].params}
    takers = {p.name: p for s in strategies for p in STRATEGIES[s].params}
    checked = {}
    for option, given, known, owner in (
        ("--model-param", args.model_param, model, f"{args.model} has no parameter"),
        ("--strategy-param", args.strategy_param, takers, "no chosen strategy takes"),
    ):
        out = {}
        for name, text in given:
            if name not in known:
                sub.error(
                    f"argument {option}: {owner} {name!r} (accepted: {', '.join(known) or 'none'})"
                )
            try:
                out[name] = known[name].check(text, text=True)
            except ValueError as exc:
                sub.error(f"argument {option}: {exc}")
        checked[option] = out
    return Config(
        **values,
        model_params=checked["--model-param"],
        strategy_params=checked["--strategy-param"],
    )


_OPTION_OF = {  # a phrase in a runner message -> the option it is about
    "Dask scheduler": "--scheduler",
    "scheduler": "--scheduler",
    "backend": "--backend",
    "jobs": "--jobs",
    "seeds": "--seeds",
    "budget": "--budget",
    "strategy parameter": "--strategy-param",
    "target_share": "--target-share",
}


def _option_message(message: str) -> str:
    """Prefix the option a runner message is about, so the line names it as argparse does."""
    option = next((o for phrase, o in _OPTION_OF.items() if phrase in message), None)
    return f"argument {option}: {message}" if option else message
