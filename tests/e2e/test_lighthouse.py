"""Every demo page scores 100 in Lighthouse's accessibility, SEO and best practices.

Lighthouse runs from Node (``lighthouse.mjs`` beside this file), every run in one Chromium.
The scores and the failing audits of each run go to artifacts/lighthouse/.
"""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, CHROMIUM, NODE_MODULES

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).with_name("lighthouse.mjs")


def lighthouse_runs(pages: list[dict]) -> list[dict]:
    """Every page on Lighthouse's mobile form factor, and one page of each type on its desktop
    one, each type on another clinic in turn. A run takes about 11 s on a 2-core machine
    running the rest of the suite beside it (19 s when it is much busier): every page on both
    would add over two minutes to the suite. What the desktop layout changes is the page
    type's; the clinic changes only its colours, and every page's colours are judged on
    mobile (and by axe, on both viewports, in test_public_pages)."""
    runs = [{**page, "form_factor": "mobile"} for page in pages]
    types = list(dict.fromkeys(page["type"] for page in pages))
    for number, page_type in enumerate(types):
        of_type = [page for page in pages if page["type"] == page_type]
        runs.append({**of_type[number % len(of_type)], "form_factor": "desktop"})
    return runs


def run_lighthouse(runs: list[dict]) -> list[dict]:
    result = subprocess.run(
        ["node", str(SCRIPT), str(NODE_MODULES)],
        input=json.dumps(runs),
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def name(run: dict) -> str:
    return f"{run['site'].split('.')[0]}-{run['type']}-{run['form_factor']}"


def describe(run: dict) -> str:
    scores = ", ".join(f"{category} {score}" for category, score in run["scores"].items())
    lines = [f"{name(run)} ({run['url']}): {scores}"]
    if run["runtime_error"]:
        lines.append(f"  Lighthouse could not audit the page: {run['runtime_error']}")
    for failure in run["failures"]:
        where = "; ".join(item for item in failure["items"] if item)
        lines.append(
            f"  {failure['category']}: {failure['id']}: {failure['title']}"
            + (f" ({failure['detail']})" if failure["detail"] else "")
            + (f" -> {where}" if where else "")
        )
    return "\n".join(lines)


def test_every_demo_page_scores_100(live_site):
    runs = lighthouse_runs(live_site.pages)
    started = time.monotonic()
    results = run_lighthouse(runs)
    seconds = time.monotonic() - started
    assert [(r["url"], r["form_factor"]) for r in results] == [
        (r["url"], r["form_factor"]) for r in runs
    ]

    folder = ARTIFACTS / "lighthouse"
    folder.mkdir(parents=True, exist_ok=True)
    for run in results:
        (folder / f"{name(run)}.json").write_text(json.dumps(run, indent=2))
    summary = {
        "seconds": round(seconds, 1),
        "runs": {name(run): run["scores"] for run in results},
    }
    (folder / "summary.json").write_text(json.dumps(summary, indent=2))

    # One browser for every run: Chromium asks a host for /favicon.ico once, so a missing icon
    # shows (in errors-in-console) on the first page of each clinic only.
    below = [
        describe(run)
        for run in results
        if run["runtime_error"] or set(run["scores"].values()) != {1}
    ]
    assert below == [], "\n".join(below)
