"""The benchmark on one database, step by step: build, check, measure, write the results.

``python -m bench.benchmark RESULTS.json`` with ``BENCH_DATABASE`` (see ``settings.py``);
``bench/run.py`` runs it once per database. The in-process measurements use local memory as
Django's cache, as a new project does; gunicorn uses Redis when it answers.

Timings never fail the run; a page that does not answer 200, or does not show the intended
content, does (exit status 1).
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from collections import Counter
from datetime import UTC, datetime
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from time import perf_counter
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results.json"
# The clinic pages drawing on shared content are timed in every SHARED_EVERY-th round of the
# rendering, beside the own-content pages: fewer requests, to keep the run within minutes.
SHARED_EVERY = 2
WORD_SWAP_ROUNDS = 50


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


#: Django's cache in process: a new project's default, whatever gunicorn uses.
IN_PROCESS_CACHE = "local memory (LocMemCache, one per process: a new project's default)"


def choose_cache() -> tuple[bool, str]:
    """(use Redis, description) for the served modes, from BENCH_REDIS or whether Redis
    answers."""
    from .redis_ping import REDIS_URL, redis_answers

    wanted = os.environ.get("BENCH_REDIS", "")
    if wanted == "1":
        if find_spec("redis") is None:
            raise SystemExit("BENCH_REDIS=1, but the redis package is not installed")
        if not redis_answers():
            raise SystemExit(f"BENCH_REDIS=1, but nothing answers at {REDIS_URL}")
        return True, f"Redis ({REDIS_URL}, BENCH_REDIS=1)"
    if wanted == "0":
        return False, "local memory (LocMemCache, one per process; BENCH_REDIS=0)"
    if find_spec("redis") is not None and redis_answers():
        return True, f"Redis ({REDIS_URL}, it answered a ping)"
    return False, "local memory (LocMemCache, one per process; Redis did not answer)"


def query_difference(sqls: list[str], reference: list[str]) -> dict[str, int]:
    """Queries of each kind on each table beyond ``reference``'s (negative: fewer)."""
    counts, base = Counter(query_tables(sqls)), Counter(query_tables(reference))
    return {kind: counts[kind] - base[kind] for kind in counts | base if counts[kind] != base[kind]}


def query_tables(sqls: list[str]) -> dict[str, int]:
    """How many queries of each kind on each table, e.g. ``SELECT wagtailcore_page``."""
    kinds = Counter()
    for sql in sqls:
        verb = sql.split(None, 1)[0].upper()
        match = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.I)
        kinds[f"{verb} {match.group(1)}" if match else verb] += 1
    return dict(kinds.most_common())


def content_summary() -> dict:
    from . import content, pages

    return {
        "words": content.word_count(),
        "sections": len(content.SECTIONS),
        "images": sum(isinstance(p, content.Figure) for s in content.SECTIONS for p in s.parts),
        "image_size": "×".join(map(str, pages.IMAGE_SIZE)),
        "questions": len(content.FAQ),
        "stories": len(content.STORIES),
        "ctas": 1 + sum(isinstance(p, content.CTA) for s in content.SECTIONS for p in s.parts),
        "treatments": len(content.TREATMENTS),
    }


def check_pages(client, problems: list[str]) -> None:
    from . import content, measure, pages, verify

    for target in pages.TARGETS:
        html = measure.get(client, target).content.decode()
        problems += [
            f"{target.label}: {p}"
            for p in verify.content_problems(target.kind, target.repeat, html)
        ]
    for target, own, other in (
        (pages.target("spinecare", 1), content.CLINIC_NAME, content.SECOND_CLINIC_NAME),
        (pages.SECOND_SITE, content.SECOND_CLINIC_NAME, content.CLINIC_NAME),
    ):
        html = measure.get(client, target).content.decode()
        problems += [f"{target.host}: {p}" for p in verify.clinic_problems(html, own, other)]
    names = {
        pages.SPINECARE_HOST: content.CLINIC_NAME,
        pages.SECOND_HOST: content.SECOND_CLINIC_NAME,
    }
    for target in pages.SHARED_TARGETS:
        html = measure.get(client, target).content.decode()
        if target.fragment_cache:  # once more: the body from the fragment cache
            html = measure.get(client, target).content.decode()
        own = names[target.host]
        other = next(name for name in names.values() if name != own)
        words = (pages.LIBRARY_REGION, target.shared)
        problems += [
            f"{target.label}: {p}"
            for p in (
                *verify.content_problems(target.kind, target.repeat, html, words),
                *verify.shared_problems(html),
                *verify.clinic_problems(html, own, other),
            )
        ]


def page_weight(html: str) -> dict:
    import wagtail_spinecare

    from . import verify

    css = Path(wagtail_spinecare.__file__).parent / "static/wagtail_spinecare/css/spinecare.css"
    css_bytes = css.stat().st_size if css.exists() else None
    return {
        "css_bytes": css_bytes,
        "html_bytes": len(html.encode()),
        "html_plus_css_bytes": len(html.encode()) + (css_bytes or 0),
        "scripts_other_than_json_ld": verify.scripts_other_than_json_ld(html),
    }


def first_requests(env: dict, rounds: int = 2) -> dict[str, list[dict]]:
    """Each page's first request in fresh processes, the two pages alternating."""
    from . import pages

    runs = {}
    for _ in range(rounds):
        for kind in ("spinecare", "naive"):
            target = pages.target(kind, 1)
            start = perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "bench.first_request", target.host, target.path],
                cwd=ROOT,
                env={**env, "BENCH_MODE": "", "BENCH_REDIS": "0"},
                capture_output=True,
                text=True,
                timeout=300,
            )
            if done.returncode != 0:
                raise RuntimeError(f"first request of {target.label} failed:\n{done.stderr}")
            run = json.loads(done.stdout.strip().splitlines()[-1])
            run["process_ms"] = round((perf_counter() - start) * 1000, 1)
            if run["status"] != 200:
                raise RuntimeError(f"first request of {target.label}: HTTP {run['status']}")
            runs.setdefault(target.label, []).append(run)
    return runs


def page_cache_middleware() -> tuple[bool, str]:
    """Whether PageCacheMiddleware can be used, and if not, why."""
    if find_spec("wagtail_spinecare.middleware") is None:
        return False, "wagtail_spinecare.middleware does not exist: (a) ran without it."
    try:
        import_module("wagtail_spinecare.middleware").PageCacheMiddleware  # noqa: B018
    except Exception as error:  # any failure to import means: run without it
        return False, (
            f"wagtail_spinecare.middleware is not importable ({type(error).__name__}: {error}): "
            "(a) ran without it."
        )
    return True, ""


def serve_modes(env: dict, duration: int, problems: list[str]) -> dict:
    from django.test import Client

    from . import content, measure, pages, served, verify

    if not served.wrk_command():
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    if not served.gunicorn_command():
        return {"skipped": "gunicorn is not installed (pip install gunicorn)"}
    page = pages.target("spinecare", 1)
    names = {page.host: content.CLINIC_NAME, pages.SECOND_HOST: content.SECOND_CLINIC_NAME}

    def check_site(target, html):
        own = names[target.host]
        other = next(name for name in names.values() if name != own)
        return verify.clinic_problems(html, own, other)

    checks = SimpleNamespace(
        page=lambda html: verify.content_problems("spinecare", 1, html),
        site=check_site,
        reference=measure.get(Client(), page).content,
    )
    with_middleware, note = page_cache_middleware()
    labels = {
        "front": "(a) spinecare page cache in front of Django (wsgi.with_page_cache)",
        "pagecache": "(a′) spinecare page cache"
        + (" with PageCacheMiddleware early" if with_middleware else ", in Page.serve"),
        "middleware": "(b) Django per-site cache middleware",
    }
    labels["ceiling"] = "(c) the same page from a bare WSGI callable"
    result = {
        "duration": duration,
        "rounds": served.ROUNDS,
        "page_cache_middleware": with_middleware,
        "note": note,
    }
    env = {**env, "BENCH_PAGE_CACHE_MIDDLEWARE": "1" if with_middleware else "0"}
    ceiling_body = Path(env["BENCH_DIR"]) / "ceiling.html"
    ceiling_body.write_bytes(checks.reference)
    envs = {
        # In front of Django, the wrapper alone keeps and answers pages.
        "front": {
            **env,
            "BENCH_MODE": "pagecache",
            "BENCH_PAGE_CACHE_WSGI": "1",
            "BENCH_PAGE_CACHE_MIDDLEWARE": "0",
        },
        "pagecache": {**env, "BENCH_MODE": "pagecache"},
        "middleware": {**env, "BENCH_MODE": "middleware"},
        "ceiling": {**env, "BENCH_CEILING_BODY": str(ceiling_body)},
    }
    modes = [
        served.Mode(
            name,
            envs[name],
            Path(env["BENCH_DIR"]) / f"gunicorn-{name}.log",
            "bench.ceiling:application" if name == "ceiling" else "bench.wsgi:application",
            django=name != "ceiling",
        )
        for name in MODES
    ]
    log(f"serving {len(modes)} ways at once, each loaded by wrk for {duration} s in turn")
    clear_caches(env)
    try:
        runs = served.measure_modes(modes, page, pages.SECOND_SITE, checks, duration)
    except Exception as error:  # report what was measured before
        problems.append(f"cached throughput: {error}")
        runs = {}
    for mode in MODES:
        run = runs.get(mode, {"error": "not measured"})
        if run.get("error"):
            problems.append(f"{labels[mode]}: {run['error']}")
        else:
            problems += [f"{labels[mode]}: {p}" for p in run["problems"]]
        result[mode] = {"label": labels[mode], **run}
    rates = {m: result[m].get("wrk", {}).get("requests_per_s") for m in MODES}
    result["ratio"] = _ratio(rates["front"], rates["middleware"])
    result["of_ceiling"] = {
        m: _ratio(rates[m], rates["ceiling"]) for m in ("front", "pagecache", "middleware")
    }
    return result


#: The cached modes, in the order the report lists them.
MODES = ("front", "pagecache", "middleware", "ceiling")


def own_key(target) -> str:
    """The own-content page a clinic page drawing on shared content is compared with."""
    from . import pages

    own = pages.fragment_target(1) if target.fragment_cache else pages.target("spinecare", 1)
    return own.key


def _ratio(value, reference):
    return round(value / reference, 2) if value and reference else None


def shared_ratios(results: dict) -> None:
    """Each clinic page's median over the own-content page's, and what swapping words adds."""
    from . import pages

    shared = results["shared"]
    for page in shared["pages"].values():
        page["ratio_to_own"] = _ratio(
            page.get("median_ms"), results["pages"][page["own"]]["median_ms"]
        )
    swapped = next(r for r in pages.CLINIC_REGIONS.values() if r != pages.LIBRARY_REGION)
    for cache, name in ((True, "fragment-cache"), (False, "no-fragment-cache")):
        same = shared["pages"][pages.shared_target(pages.LIBRARY_REGION, cache).key]
        other = shared["pages"][pages.shared_target(swapped, cache).key]
        if same.get("median_ms") is None or other.get("median_ms") is None:
            continue
        shared["word_swap"][name] = {
            "ms": round(other["median_ms"] - same["median_ms"], 2),
            "ratio": _ratio(other["median_ms"], same["median_ms"]),
        }


def clear_caches(env: dict) -> None:
    """Empty this process's caches and, when gunicorn uses it, the benchmark's Redis database."""
    from . import measure
    from .redis_ping import REDIS_URL

    measure.clear_caches()
    if env.get("BENCH_REDIS") == "1":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.flushdb()
        finally:
            client.close()


def database_description() -> str:
    """The database engine, its version and where it is."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "postgresql":
        return f"SQLite {sqlite3.sqlite_version} (file)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    where = connection.settings_dict
    return f"PostgreSQL {version} (a database of its own at {where['HOST']}:{where['PORT']})"


def measure_all(results: dict, env: dict) -> None:
    from django.test import Client

    from . import measure, pages

    problems = results["problems"]
    started = perf_counter()
    log(f"building the database in {env['BENCH_DIR']}")
    pages.build()
    log(f"built in {perf_counter() - started:.0f} s; checking the pages")
    client = Client()
    check_pages(client, problems)

    log("counting queries: new renditions, rendition cache cold, warm")
    for target in [*pages.TARGETS, *pages.FRAGMENT_TARGETS]:
        counts = measure.query_counts(client, target)
        results["pages"][target.key] = {"label": target.label, **counts}
    cold = results["pages"]["spinecare-1x"]
    results["spinecare_1x_queries"] = {
        "cold_by_table": query_tables(cold["cold_sql"]),
        "warm_by_table": query_tables(cold["warm_sql"]),
    }
    shared = results["shared"]
    for target in pages.SHARED_TARGETS:
        counts = measure.query_counts(client, target)
        own = results["pages"][own_key(target)]
        shared["pages"][target.key] = {
            "label": target.label,
            "own": own_key(target),
            **{k: v for k, v in counts.items() if not k.endswith("_sql")},
            "extra_queries": {
                "warm": query_difference(counts["warm_sql"], own["warm_sql"]),
                "cold": query_difference(counts["cold_sql"], own["cold_sql"]),
            },
        }

    requests, warmup = results["settings"]["requests"], results["settings"]["warmup"]
    log(
        f"timing {requests} requests per page after {warmup} warm-up rounds, the clinic pages "
        f"drawing on shared content in 1 round in {SHARED_EVERY}"
    )
    groups = [
        (pages.fragment_target(r), pages.target("spinecare", r), pages.target("naive", r))
        for r in pages.REPEATS
    ]
    # Shared content beside them: each clinic's page with the fragment cache, then without.
    sparse = [
        tuple(pages.shared_target(region, cache) for region in pages.CLINIC_REGIONS.values())
        for cache in (True, False)
    ]
    times = measure.render_times(client, groups, requests, warmup, sparse, SHARED_EVERY)
    shared["library_region"] = pages.LIBRARY_REGION
    shared["warmup"] = len(range(0, warmup, SHARED_EVERY))
    shared["requests"] = len(range(0, warmup + requests, SHARED_EVERY)) - shared["warmup"]
    for key, measured in times.items():
        (shared["pages"] if key in shared["pages"] else results["pages"])[key].update(measured)
    for repeat in pages.REPEATS:
        naive = results["pages"][f"naive-{repeat}x"]["median_ms"]
        for suffix, name in (("-fragments", f"{repeat}x"), ("", f"{repeat}x-no-fragment-cache")):
            spinecare = results["pages"][f"spinecare-{repeat}x{suffix}"]["median_ms"]
            results["ratios"][name] = round(spinecare / naive, 2)
    shared_ratios(results)
    shared["word_swap_ms"] = measure.word_swap_times(WORD_SWAP_ROUNDS)

    html = measure.get(client, pages.target("spinecare", 1)).content.decode()
    results["assets"] = page_weight(html)

    log("first requests in fresh processes")
    results["first_request"] = first_requests(env)
    results["served"] = serve_modes(env, results["settings"]["duration"], problems)


def main(out: Path = RESULTS) -> int:
    import django

    # Stopped from outside (a CI timeout): unwind, so gunicorn is stopped and files removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    keep = os.environ.get("BENCH_KEEP") == "1"
    use_redis, cache = choose_cache()
    bench_dir = tempfile.mkdtemp(prefix="spinecare-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DIR": bench_dir,
        "BENCH_REDIS": "1" if use_redis else "0",
        "BENCH_MODE": "",
    }
    # In process, local memory; ``env`` (gunicorn's) keeps the choice above.
    os.environ.update({**env, "BENCH_REDIS": "0"})
    django.setup()

    from . import machine, served

    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": os.environ.get("BENCH_DATABASE", "sqlite"),
        "machine": {
            **machine.describe(IN_PROCESS_CACHE, served.wrk_command()),
            "db": database_description(),
            "served_cache": cache,
        },
        "settings": {
            "requests": env_int("BENCH_REQUESTS", 200),
            "warmup": env_int("BENCH_WARMUP", 20),
            "duration": env_int("BENCH_DURATION", 20),
        },
        "content": content_summary(),
        "pages": {},
        "ratios": {},
        "shared": {
            "library_region": None,
            "requests": 0,
            "warmup": 0,
            "every": SHARED_EVERY,
            "pages": {},
            "word_swap": {},
        },
        "assets": {},
        "problems": [],
    }
    try:
        measure_all(results, env)
    except Exception as error:  # report what was measured, then fail
        traceback.print_exc()
        results["problems"].append(f"{type(error).__name__}: {error}")
    finally:
        from django.db import connection

        with contextlib.suppress(Exception):  # a cache that is down must not hide the results
            clear_caches(env)
        connection.close()
        if keep:
            log(f"kept {bench_dir}")
        else:
            shutil.rmtree(bench_dir, ignore_errors=True)

    results["spinecare_1x_cold_sql"] = results["pages"].get("spinecare-1x", {}).get("cold_sql", [])
    for page in results["pages"].values():
        page.pop("cold_sql", None)
        page.pop("warm_sql", None)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"results written to {out}")
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS))
