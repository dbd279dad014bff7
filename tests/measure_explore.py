"""Measure how the live chart feels in a real browser: press-to-redrawn latency, autoplay rate,
bytes per Step, server CPU per Step, and how soon a fresh server's first page shows its chart.

Not a test (timings on a shared 2-core machine are noisy): run it by hand and quote its output,
with the load average it prints.

    python tests/measure_explore.py [--presses 30] [--samples 600] [--model logreg]
        [--dataset digits --learn-in all]

"Redrawn" means the new plane is on screen: the Labeled metric shows the new count, the chart
has drawn that step (Plotly.react resolved: the graph's data-step attribute) and a frame has been
painted after that. Bytes are the websocket frames the browser received for the presses.
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
from browser_helpers import CHROMIUM_ARGS, cpu_seconds, start_server, wait_idle

PRESS_AND_WAIT = """async ([expected]) => {
  const button = [...document.querySelectorAll('.st-key-step button')].find(b => b.checkVisibility());
  const graph = () => [...document.querySelectorAll('.asknext-graph')].find(g => g.checkVisibility());
  const before = graph().dataset.step;
  const t0 = performance.now();
  button.click();
  const metric = () => {
    const box = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(m => m.checkVisibility() && m.innerText.startsWith('Labeled'));
    return box ? box.querySelector('[data-testid="stMetricValue"]').innerText.trim() : '';
  };
  while (!(metric() === String(expected) && graph().dataset.step !== before)) {
    await new Promise(r => requestAnimationFrame(r));
    if (performance.now() - t0 > 20000) return -1;
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}"""
CHART_READY = """() => { const g = document.querySelector('.asknext-graph');
  return g && g.dataset.drawn && g._fullData && g._fullData.some(t => t.name.startsWith('Unlabeled')); }"""


def first_page(path: str) -> float:
    """Seconds from requesting `path` on a fresh server to its chart being drawn."""
    from playwright.sync_api import sync_playwright

    with start_server() as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        page.goto(f"{base}/{path}")
        page.wait_for_function(CHART_READY, timeout=60_000)
        seconds = time.perf_counter() - t0
        browser.close()
    return round(seconds, 2)


def measure(url: str, pid: int, presses: int, play_seconds: float, speed: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        received: list[int] = []
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived", lambda f: received.append(len(f) if f is not None else 0)
            ),
        )
        page.goto(url)
        page.wait_for_function(CHART_READY, timeout=60_000)
        wait_idle(page, settle_ms=1500)
        labeled = int(_metric(page))
        latencies = []
        received.clear()
        cpu0 = cpu_seconds(pid)
        for _ in range(presses):
            labeled += 1
            ms = page.evaluate(PRESS_AND_WAIT, [labeled])
            if ms < 0:
                raise RuntimeError(f"the chart never showed step {labeled}")
            latencies.append(ms)
            wait_idle(page, settle_ms=150)
        cpu = cpu_seconds(pid) - cpu0
        sent = sum(received)
        page.locator(".st-key-speed button").filter(has_text=speed).first.click()
        wait_idle(page)
        draws0 = page.evaluate("window.__askNextStats.draws")
        page.locator(".st-key-play button").filter(visible=True).first.click()
        wait_idle(page, settle_ms=0)
        start, t0 = int(_metric(page)), time.perf_counter()
        page.wait_for_timeout(play_seconds * 1000)
        end, elapsed = int(_metric(page)), time.perf_counter() - t0
        draws = page.evaluate("window.__askNextStats.draws") - draws0
        page.locator(".st-key-play button").filter(visible=True).first.click()
        browser.close()
    latencies.sort()
    return {
        "presses": presses,
        "median_ms": round(statistics.median(latencies), 1),
        "p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))], 1),
        "min_ms": round(latencies[0], 1),
        "kb_per_step": round(sent / presses / 1024, 1),
        "server_cpu_ms_per_step": round(1000 * cpu / presses, 1),
        "autoplay_steps_per_s": round((end - start) / elapsed, 2),
        "autoplay_draws_per_step": round(draws / max(end - start, 1), 2),
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
    ap.add_argument("--dataset", default="moons")
    ap.add_argument("--learn-in", default="view", choices=["view", "all"])
    ap.add_argument("--speed", default="Fast", choices=["Slow", "Normal", "Fast"])
    ap.add_argument("--first-page", action="store_true", help="also time fresh servers' first page")
    args = ap.parse_args()
    query = f"?n={args.samples}&model={args.model}&ds={args.dataset}&learn={args.learn_in}"
    load = os.getloadavg()
    with start_server() as base:
        result = measure(f"{base}/{query}", base.pid, args.presses, args.play_seconds, args.speed)
    if args.first_page:
        result["first_page_s"] = {p or "/": first_page(p) for p in ("", "label")}
    result.update(
        samples=args.samples,
        model=args.model,
        dataset=args.dataset,
        learn_in=args.learn_in,
        speed=args.speed,
        cores=os.cpu_count(),
        load_before=[round(v, 2) for v in load],
        load_after=[round(v, 2) for v in os.getloadavg()],
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
