"""`python -m al_core`: list the names, simulate or compare strategies over seeds, benchmark.

Every lesson in the app can be rerun from here with the same names the URLs use. Bad options
never produce a traceback: one line naming the option and what it accepts, then exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from al_core.datasets import CLASS_RANGE, DATASETS
from al_core.learner import Config
from al_core.models import MODELS
from al_core.strategies import STRATEGIES

PROG = "python -m al_core"
COMPARE_DEFAULT = "random,least_confident,margin,entropy,qbc_vote"
OUT_EXTENSIONS = (".csv", ".json")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage block) and exit status 2."""

    commands: dict[str, OneLineParser]

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# ---------------------------------------------------------------- option types


def _number(kind: Callable[[str], Any], low: float, high: float, accepted: str) -> Callable:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}") from None
        if not (low <= value <= high) or (isinstance(value, float) and math.isnan(value)):
            raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}")
        return value

    return parse


def _jobs(text: str) -> int:
    value = _number(int, -1, 256, "1 to 256, or -1 for every core")(text)
    if value == 0:
        raise argparse.ArgumentTypeError("expected 1 to 256, or -1 for every core, got '0'")
    return value


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


def _assignment(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not sep or not name.strip() or math.isnan(number):
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}")
    return name.strip(), number


def _out(text: str) -> str:
    if not text.lower().endswith(OUT_EXTENSIONS):
        raise argparse.ArgumentTypeError(f"expected a file ending in .csv or .json, got {text!r}")
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"the folder {folder!r} does not exist")
    return text


# ---------------------------------------------------------------- the parser


def build_parser() -> OneLineParser:
    parser = OneLineParser(
        prog=PROG,
        description="Ask Next: active learning on 2-D data, from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = {}

    p = sub.add_parser("list", help="datasets, models and strategies with one-line descriptions")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    for name, text in [
        ("simulate", "one strategy over one or more seeds (random runs too, as the baseline)"),
        ("compare", "several strategies over the same seeds (random is always included)"),
    ]:
        p = sub.add_parser(name, help=text, description=text)
        _scenario_options(p, compare=name == "compare")
        parser.commands[name] = p

    p = sub.add_parser("bench", help="speed figures, each against a plain scikit-learn baseline")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true", help="tiny sizes: checks it runs, not speed")
    return parser


def _scenario_options(p: argparse.ArgumentParser, compare: bool) -> None:
    d = Config()
    g = p.add_argument_group("scenario")
    g.add_argument(
        "--dataset",
        choices=list(DATASETS),
        default=d.dataset,
        metavar="NAME",
        help=f"one of {', '.join(DATASETS)} (default {d.dataset})",
    )
    g.add_argument(
        "--n-samples",
        type=_number(int, 20, 20_000, "a whole number from 20 to 20000"),
        default=d.n_samples,
        metavar="N",
        help=f"points in the pool, generated datasets only (default {d.n_samples})",
    )
    g.add_argument(
        "--noise",
        type=_number(float, 0.0, 2.0, "a number from 0 to 2"),
        default=d.noise,
        metavar="X",
        help=f"noise of the generated dataset (default {d.noise})",
    )
    g.add_argument(
        "--n-classes",
        type=_number(int, 2, 10, "a whole number from 2 to 10"),
        default=None,
        metavar="K",
        help="classes, for blobs, spirals and gaussian_quantiles only",
    )
    g.add_argument(
        "--imbalance",
        type=_number(float, 0.0, 0.95, "a number from 0 to 0.95"),
        default=d.imbalance,
        metavar="X",
        help="class c gets a share ∝ (1 - X)^c (default 0: balanced)",
    )
    g.add_argument(
        "--seed",
        type=_number(int, 0, 2**32 - 1, "a whole number from 0 to 4294967295"),
        default=d.seed,
        metavar="N",
        help=f"first seed: data, initial labels and every choice (default {d.seed})",
    )
    g.add_argument(
        "--initial",
        type=_number(int, 0, 20_000, "a whole number from 0 to 20000"),
        default=d.initial,
        metavar="N",
        help=f"labels given before the first query, stratified (default {d.initial})",
    )
    g.add_argument(
        "--model",
        choices=list(MODELS),
        default=d.model,
        metavar="NAME",
        help=f"one of {', '.join(MODELS)} (default {d.model})",
    )
    g.add_argument(
        "--model-param",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a model hyperparameter, e.g. C=10 (repeatable)",
    )
    if compare:
        g.add_argument(
            "--strategies",
            type=_strategy_list,
            default=COMPARE_DEFAULT.split(","),
            metavar="A,B,C",
            help=f"default {COMPARE_DEFAULT}",
        )
    else:
        g.add_argument(
            "--strategy",
            choices=list(STRATEGIES),
            default=d.strategy,
            metavar="NAME",
            help=f"one of {', '.join(STRATEGIES)} (default {d.strategy})",
        )
    g.add_argument(
        "--strategy-param",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a strategy parameter, e.g. committee_size=7",
    )
    g.add_argument(
        "--batch-size",
        type=_number(int, 1, 100, "a whole number from 1 to 100"),
        default=d.batch_size,
        metavar="K",
        help=f"labels asked per query (default {d.batch_size})",
    )
    g.add_argument(
        "--oracle-noise",
        type=_number(float, 0.0, 0.5, "a number from 0 to 0.5"),
        default=d.oracle_noise,
        metavar="P",
        help="the oracle flips a label with probability P (default 0)",
    )
    g.add_argument(
        "--random-mix",
        type=_number(float, 0.0, 1.0, "a number from 0 to 1"),
        default=d.random_mix,
        metavar="E",
        help="share of each batch drawn at random (default 0)",
    )

    r = p.add_argument_group("run")
    r.add_argument(
        "--budget",
        type=_number(int, 1, 20_000, "a whole number from 1 to 20000"),
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
        type=_number(float, 0.01, 1.0, "a number from 0.01 to 1"),
        default=0.95,
        metavar="X",
        help="target = X × the accuracy with the whole pool labeled (default 0.95)",
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
    from al_core.experiments import run_experiment

    sub = parser.commands[args.command]  # its errors carry the subcommand's name
    strategies = args.strategies if args.command == "compare" else [args.strategy]
    config = _config(sub, args, strategies)
    kind, values = args.seeds
    seeds = list(range(args.seed, args.seed + values[0])) if kind == "count" else values
    if seeds[-1] >= 2**32:
        sub.error("argument --seeds: the seeds run past 4294967295; lower --seed")
    if args.scheduler and args.backend not in (None, "dask"):
        sub.error("argument --scheduler: goes only with --backend dask")

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

    if args.out:
        try:
            if args.out.lower().endswith(".csv"):
                exp.runs.to_csv(args.out, index=False)
            else:
                with open(args.out, "w", encoding="utf-8") as fh:
                    fh.write(exp.to_json(indent=2))
        except OSError as exc:
            sub.error(f"argument --out: cannot write {args.out!r} ({exc.strerror})")
    print(exp.to_json() if args.json else render_table(exp, args.command, args.jobs))
    for f in exp.failures:
        print(f"{PROG}: run failed: {f.strategy} seed {f.seed}: {f.error}", file=sys.stderr)
    return 1 if exp.failures else 0


def _config(sub: OneLineParser, args: argparse.Namespace, strategies: list[str]) -> Config:
    """Build the Config, turning each cross-option problem into a one-line option error."""
    if args.n_classes is not None:
        lo, hi = CLASS_RANGE.get(args.dataset, (None, None))
        if lo is None:
            sub.error(
                f"argument --n-classes: {args.dataset} has a fixed number of classes "
                f"(tunable only for {', '.join(CLASS_RANGE)})"
            )
        if not lo <= args.n_classes <= hi:
            sub.error(f"argument --n-classes: {args.dataset} takes {lo} to {hi} classes")
    model_params = dict(args.model_param)
    for name, value in model_params.items():
        spec = {p.name: p for p in MODELS[args.model].params}.get(name)
        if spec is None:
            accepted = ", ".join(p.name for p in MODELS[args.model].params)
            sub.error(
                f"argument --model-param: {args.model} has no parameter {name!r} "
                f"(accepted: {accepted or 'none'})"
            )
        if not spec.low <= value <= spec.high:
            sub.error(f"argument --model-param: {name} takes {spec.low} to {spec.high}")
    strategy_params = dict(args.strategy_param)
    takers = {p.name: p for s in strategies for p in STRATEGIES[s].params}
    for name, value in strategy_params.items():
        if name not in takers:
            sub.error(
                f"argument --strategy-param: no chosen strategy takes {name!r} "
                f"(accepted: {', '.join(takers) or 'none'})"
            )
        if not takers[name].low <= value <= takers[name].high:
            p = takers[name]
            sub.error(f"argument --strategy-param: {name} takes {p.low} to {p.high}")
    return Config(
        dataset=args.dataset,
        n_samples=args.n_samples,
        noise=args.noise,
        seed=args.seed,
        initial=args.initial,
        model=args.model,
        strategy=next((s for s in strategies if s != "random"), strategies[0]),
        batch_size=args.batch_size,
        n_classes=args.n_classes,
        imbalance=args.imbalance,
        random_mix=args.random_mix,
        oracle_noise=args.oracle_noise,
        model_params=model_params,
        strategy_params=strategy_params,
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


# ---------------------------------------------------------------- output


class ProgressBar:
    """A one-line bar on stderr, redrawn in place; the CLI's answer to the progress callback."""

    def __init__(self, stream: Any, width: int = 30):
        self.stream, self.width, self.start = stream, width, time.perf_counter()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = round(self.width * done / max(total, 1))
        elapsed = time.perf_counter() - self.start
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} runs  {elapsed:5.1f} s")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def render_table(exp: Any, command: str, jobs: int) -> str:
    """The human-readable report: the scenario in two lines, then one row per strategy."""
    c = exp.config
    data = DATASETS[c.dataset]
    size = f"{c.n_samples} points, noise {c.noise:g}" if data.tunable else "fixed data"
    seeds = exp.seeds
    seed_text = (
        f"seeds {seeds[0]}–{seeds[-1]}"
        if seeds == list(range(seeds[0], seeds[0] + len(seeds)))
        else "seeds " + ",".join(map(str, seeds))
    )
    target = exp.summary["target"].mean() if len(exp.summary) else math.nan
    lines = [
        f"{command}: {c.dataset} ({size}) · {c.model} · {c.initial} initial labels · "
        f"budget {exp.budget} · batch {c.batch_size}"
        + (f" · oracle noise {c.oracle_noise:g}" if c.oracle_noise else "")
        + (f" · random mix {c.random_mix:g}" if c.random_mix else ""),
        f"{seed_text} ({len(seeds)}) · target {exp.target_share:.0%} of full-pool accuracy "
        f"(≈ {target:.3f}) · {exp.elapsed_s:.1f} s with {jobs} job{'s' if jobs != 1 else ''}",
        "",
    ]
    head = ("strategy", "AULC mean ± sd", "final acc", "labels to target", "reached", "saved")
    rows = [head]
    for r in exp.summary.itertuples():
        name = f"{r.strategy} (baseline)" if r.strategy == "random" else r.strategy
        if not r.n_runs:
            rows.append((name, "no runs", "", "", "", ""))
            continue
        to_target = "not reached" if math.isnan(r.labels_to_target) else f"{r.labels_to_target:g}"
        saved = (
            "—"
            if r.strategy == "random" or math.isnan(r.savings_vs_random)
            else f"{r.savings_vs_random:+g}"
        )
        rows.append(
            (
                name,
                f"{r.aulc_mean:.3f} ± {r.aulc_std:.3f}",
                f"{r.final_accuracy_mean:.3f}",
                to_target,
                f"{round(r.reached_target * r.n_runs)}/{r.n_runs}",
                saved,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    lines.append("")
    lines.append(
        "labels to target: median labels (initial included) to reach the target; saved: "
        "random's median minus this one's."
    )
    if exp.cancelled:
        lines.append("cancelled: only the finished runs are shown")
    return "\n".join(lines)
