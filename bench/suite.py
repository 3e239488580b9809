"""Everything ``make bench`` runs, in one report: the benchmark on SQLite and on PostgreSQL
(``benchmark.py``, a process each), then two servers behind Varnish on each database
(``across_servers.py``).

PostgreSQL is a database of the run's own on ``DATABASE_URL``'s server (default
``postgres://postgres@127.0.0.1:5432/``); when that server does not answer, the run says so
and measures SQLite alone, unless ``BENCH_POSTGRES=1``, which makes it a problem.
"""

import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import traceback
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from . import across_servers, databases, report
from .benchmark import RESULTS, ROOT, env_int, log
from .redis_ping import redis_answers

#: The databases, by the key the results file gives them, and BENCH_DATABASE's value.
DATABASES = {"sqlite": "sqlite", "postgresql": "postgres"}


def run_child(args: list[str], env: dict) -> int:
    """Run ``python -m args``, its output to stderr; stopped with SIGTERM if this one is."""
    process = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=sys.stderr)
    try:
        return process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(120)


def benchmark(key: str, work: Path, url: str | None) -> dict:
    """The benchmark's results on one database, from a process of its own."""
    out = work / f"{key}.json"
    env = {**os.environ, "BENCH_DATABASE": DATABASES[key]}
    if url:
        env["BENCH_DATABASE_URL"] = url
    log(f"the benchmark on {key}")
    status = run_child(["bench.benchmark", str(out)], env)
    if not out.exists():
        return {"problems": [f"the benchmark on {key} stopped ({status}) without results"]}
    return json.loads(out.read_text())


def postgres_problem() -> str | None:
    """Why PostgreSQL is not measured, or None."""
    url = databases.server_url()
    reason = databases.postgres_answers(url)
    if reason is None:
        return None
    host = urllib.parse.urlsplit(url).netloc.rpartition("@")[2]
    return f"the PostgreSQL server at {host} did not answer ({' '.join(reason.split())})"


@contextlib.contextmanager
def database_url(url: str | None):
    """``DATABASE_URL`` set to ``url`` (or unset) for the run across servers."""
    saved = os.environ.pop("DATABASE_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    try:
        yield
    finally:
        os.environ.pop("DATABASE_URL", None)
        if saved is not None:
            os.environ["DATABASE_URL"] = saved


def servers(url: str | None, duration: int, slow_commit: float) -> dict:
    """Two servers behind Varnish on SQLite (``url`` None) or PostgreSQL, with Redis."""
    if missing := across_servers.missing_tools():
        return {"skipped": "missing " + ", ".join(missing)}
    if not redis_answers():
        return {"skipped": "Redis did not answer at 127.0.0.1:6379"}
    log(f"two servers behind Varnish on {'PostgreSQL' if url else 'SQLite'}, {duration} s a change")
    with database_url(url):
        try:
            return across_servers.run(duration, slow_commit, cache="redis")
        except Exception as error:  # report it with everything else
            return {"error": f"{type(error).__name__}: {error}"}


def servers_problems(key: str, result: dict) -> list[str]:
    """Stale responses, errors and failures across servers."""
    if result.get("error"):
        return [f"across servers on {key}: {result['error']}"]
    found = []
    for change in result.get("changes", []):
        load = change["wrk"]
        errors = change["errors"] + load.get("non_2xx", 0) + load.get("socket_errors", 0)
        if change["stale_after_commit"]:
            found.append(f"{change['key']}: {change['stale_after_commit']} stale after the commit")
        if errors:
            found.append(f"{change['key']}: {errors} errors")
        found += [f"{change['key']}: {p}" for p in change["problems"]]
    return [f"across servers on {key}, {p}" for p in found]


def varnish_rates(result: dict) -> dict | None:
    """wrk's requests per second through Varnish, per change, with their median and max."""
    rates = [c["wrk"].get("requests_per_s") for c in result.get("changes", [])]
    rates = [r for r in rates if r]
    if not rates:
        return None
    return {"runs": rates, "median": round(statistics.median(rates), 1), "max": max(rates)}


def measure_everything(work: Path, results: dict) -> None:
    duration = max(5, env_int("BENCH_DURATION", 20) // 2)
    slow_commit = across_servers.slow_commit_s()
    skipped = postgres_problem()
    if skipped and os.environ.get("BENCH_POSTGRES") == "1":
        results["problems"].append(f"BENCH_POSTGRES=1, but {skipped}")
        return
    results["sqlite"] = benchmark("sqlite", work, None)
    if skipped:
        results["postgresql"] = {"skipped": skipped}
    else:
        name = f"spinecare_bench_{os.getpid()}"
        with databases.own_database(name, databases.server_url()) as url:
            results["postgresql"] = benchmark("postgresql", work, url)
    across = results["across_servers"]
    across["sqlite"] = servers(None, duration, slow_commit)
    if skipped:
        across["postgresql"] = {"skipped": skipped}
    else:
        across["postgresql"] = servers(databases.server_url(), duration, slow_commit)
    for key, result in across.items():
        result["varnish_rates"] = varnish_rates(result)
        results["problems"] += servers_problems(key, result)


def varnish_version() -> str:
    varnishd = across_servers.varnishd_command()
    if not varnishd:
        return "not installed"
    done = subprocess.run([varnishd, "-V"], capture_output=True, text=True, timeout=10)
    words = (done.stderr or done.stdout).split()
    return words[1].strip("()").removeprefix("varnish-") if len(words) > 1 else "unknown"


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="spinecare-bench-results-"))
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "varnish": varnish_version(),
        "across_servers": {},
        "problems": [],
    }
    try:
        measure_everything(work, results)
    except Exception as error:  # report what was measured, then fail
        traceback.print_exc()
        results["problems"].append(f"{type(error).__name__}: {error}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for key in DATABASES:
        results["problems"] += [f"{key}: {p}" for p in results.get(key, {}).get("problems", [])]
    print(report.markdown(results))
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"results written to {RESULTS}")
    return 1 if results["problems"] else 0
