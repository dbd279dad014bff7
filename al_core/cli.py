"""`python -m al_core`: list the names, simulate or compare strategies over seeds, benchmark.

Every lesson in the app can be rerun from here with the same names the URLs use. Bad options
never produce a traceback: one line naming the option and what it accepts, then exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from al_core.cli_args import PROG, OneLineParser, build_parser
from al_core.cli_output import ProgressBar, render_table
from al_core.data import CLASS_RANGE, DATASETS
from al_core.loop import Config
from al_core.loop.schema import FIELD, FIELDS
from al_core.loop.stopping import CRITERIA
from al_core.models import MODELS
from al_core.strategies import STRATEGIES

# ---------------------------------------------------------------- commands


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point: parse, run the command, return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list(args)
        if args.command == "bench":
            from al_core.bench_report import main as bench_main

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
