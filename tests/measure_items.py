"""Measure labeling real things: test accuracy at 50 labels in the 2-D view and in all features
(10 seeds, least-confident sampling, logistic regression), and the server's work for one Step
on digits in all features (Explore: step and redraw the plane; Label: teach, the plane and the
item's image). Not a test: timings on a shared machine are noisy; quote them with the load.

    python tests/measure_items.py [--seeds 10] [--labels 50] [--repeats 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from al_core.data import load_csv  # noqa: E402
from al_core.loop import Config, Learner  # noqa: E402
from al_core.present.figures import plane_spec  # noqa: E402
from al_core.present.items import item_html  # noqa: E402
from al_core.present.live import plane_message  # noqa: E402
from al_core.present.views import plane_view  # noqa: E402

EXAMPLE = ROOT / "examples" / "short_texts.csv"


def accuracy(dataset: str, learn_in: str, seeds: int, labels: int, initial: int) -> list[float]:
    data = load_csv(EXAMPLE.read_bytes(), EXAMPLE.name) if dataset == "text" else None
    out = []
    for seed in range(seeds):
        config = Config(
            dataset="upload" if data is not None else dataset,
            seed=seed,
            initial=initial,
            learn_in=learn_in,
        )
        run = Learner(config, data)
        run.advance(labels)
        out.append(run.steps[-1].metrics["accuracy"])
    return out


def step_ms(repeats: int, label_page: bool) -> list[float]:
    run = Learner(Config(dataset="digits", initial=20, learn_in="all"))
    run.advance(40)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        if label_page:
            top = int(run.suggest().indices[0])
            run.teach([top], [int(run.dataset.y[top])], "you")
            view = replace(plane_view(run), selected=int(run.suggest().indices[0]))
            item_html(run.dataset, [int(run.suggest().indices[0])])
        else:
            run.step()
            view = plane_view(run)
        plane_message(plane_spec(view), run.dataset.key, run.dataset.X, {"pool": run.dataset.key})
        times.append(1000 * (time.perf_counter() - t0))
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--labels", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    load = os.getloadavg()
    result: dict = {"accuracy_at_labels": args.labels, "seeds": args.seeds}
    for dataset, initial in (
        ("digits", 20),
        ("iris", 6),
        ("wine", 6),
        ("breast_cancer", 4),
        ("text", 6),
    ):
        for learn_in in ("view", "all"):
            acc = accuracy(dataset, learn_in, args.seeds, args.labels, initial)
            result[f"{dataset}/{learn_in}"] = {
                "mean": round(statistics.mean(acc), 3),
                "sd": round(statistics.stdev(acc), 3),
            }
    for page, label in (("explore", False), ("label", True)):
        ms = sorted(step_ms(args.repeats, label))
        result[f"digits_all_step_ms/{page}"] = {
            "median": round(statistics.median(ms), 1),
            "p90": round(ms[int(0.9 * (len(ms) - 1))], 1),
        }
    result["load_before"] = [round(v, 2) for v in load]
    result["load_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
