"""Measure how a Step feels in a real browser: press-to-redrawn latency and autoplay rate.

Not a test (timings on a shared 2-core machine are noisy): run it by hand and quote its output.

    python tests/measure_explore.py [--presses 30] [--samples 600] [--model logreg]

"Redrawn" means the new plane is on screen: the Labeled metric shows the new count, the chart's
labeled-point traces hold that many points, and a frame has been painted after that.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_helpers import CHROMIUM_ARGS, start_server, wait_idle

PRESS_AND_WAIT = """async ([expected]) => {
  const button = [...document.querySelectorAll('.st-key-step button')].find(b => b.checkVisibility());
  const t0 = performance.now();
  button.click();
  const labeledInChart = () => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')]
      .find(g => g.checkVisibility());
    if (!gd || !gd._fullData) return -1;  // _fullData: arrays decoded from plotly's binary form
    return gd._fullData.filter(t => t.name && t.name.startsWith('Class'))
                       .reduce((n, t) => n + (t._length ?? 0), 0);
  };
  const metric = () => {
    const box = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(m => m.checkVisibility() && m.innerText.startsWith('Labeled'));
    return box ? box.querySelector('[data-testid="stMetricValue"]').innerText.trim() : '';
  };
  while (!(metric() === String(expected) && labeledInChart() === expected)) {
    await new Promise(r => requestAnimationFrame(r));
    if (performance.now() - t0 > 20000) return -1;
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""


def measure(url: str, presses: int, play_seconds: float, speed: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        wait_idle(page, settle_ms=1500)
        labeled = int(_metric(page))
        latencies = []
        for _ in range(presses):
            labeled += 1
            ms = page.evaluate(PRESS_AND_WAIT, [labeled])
            if ms < 0:
                raise RuntimeError(f"the chart never showed {labeled} labeled points")
            latencies.append(ms)
            wait_idle(page, settle_ms=150)
        page.locator(".st-key-speed button").filter(has_text=speed).first.click()
        wait_idle(page)
        page.locator(".st-key-play button").filter(visible=True).first.click()
        wait_idle(page, settle_ms=0)
        start, t0 = int(_metric(page)), time.perf_counter()
        page.wait_for_timeout(play_seconds * 1000)
        end, elapsed = int(_metric(page)), time.perf_counter() - t0
        page.locator(".st-key-play button").filter(visible=True).first.click()
        browser.close()
    latencies.sort()
    return {
        "presses": presses,
        "median_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))], 1),
        "min_ms": round(latencies[0], 1),
        "autoplay_steps_per_s": round((end - start) / elapsed, 2),
    }


def _metric(page) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text="Labeled").filter(visible=True)
    return box.first.locator("[data-testid='stMetricValue']").inner_text().strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--play-seconds", type=float, default=10.0)
    ap.add_argument("--samples", type=int, default=600)
    ap.add_argument("--model", default="logreg")
    ap.add_argument("--speed", default="Fast", choices=["Slow", "Normal", "Fast"])
    args = ap.parse_args()
    query = f"?n={args.samples}&model={args.model}"
    with start_server() as base:
        result = measure(f"{base}/{query}", args.presses, args.play_seconds, args.speed)
    result.update(samples=args.samples, model=args.model, speed=args.speed, cores=os.cpu_count())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
