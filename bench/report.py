"""The results as Markdown: a summary of the targets, then each database's tables."""

HTML_CSS_TARGET = 60 * 1024


def _n(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list], align: str = "") -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(rule) + " |",
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


def rendering_lines(results: dict) -> list[str]:
    settings = results["settings"]
    c = results["content"]
    rows = []
    for page in results["pages"].values():
        rows.append(
            [
                page["label"],
                _n(page.get("queries_warm")),
                _n(page.get("queries_cold")),
                _n(page.get("queries_new")),
                _n(page.get("new_ms")),
                _n(page.get("median_ms"), 2),
                _n(page.get("p90_ms"), 2),
                _n(page.get("html_bytes")),
            ]
        )
    ratios = results.get("ratios", {})
    return [
        "## Rendering a page (in process, page cache off)",
        "",
        f"Content, once (1×): {c['words']:,} words in {c['sections']} sections, {c['images']} "
        f"images ({c['image_size']} JPEG), {c['questions']} questions, {c['stories']} patient "
        f"stories, {c['ctas']} booking buttons, {c['treatments']} treatments compared. "
        f"Median and p90 over {settings['requests']} requests per page after "
        f"{settings['warmup']} warm-up rounds, spinecare and plain-Wagtail pages alternating.",
        "",
        *_table(
            [
                "Page",
                "Queries warm",
                "Queries cold",
                "Queries, new renditions",
                "First render ms, new renditions",
                "Median ms",
                "p90 ms",
                "HTML bytes",
            ],
            rows,
        ),
        "",
        "Queries cold: the renditions exist, Django's caches are empty (rendition cache cold). "
        "New renditions: none exist yet, so each is made.",
        "",
        f"Spinecare / plain Wagtail, median time, with the fragment cache: "
        f"1× {_n(ratios.get('1x'), 2)}, 5× {_n(ratios.get('5x'), 2)}; without it: "
        f"1× {_n(ratios.get('1x-no-fragment-cache'), 2)}, "
        f"5× {_n(ratios.get('5x-no-fragment-cache'), 2)}.",
    ]


def _signed(differences: dict[str, int]) -> str:
    if not differences:
        return "none"
    ordered = sorted(differences.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{'+' if n > 0 else '−'}{abs(n)} {kind}" for kind, n in ordered)


def shared_lines(results: dict) -> list[str]:
    shared = results.get("shared", {})
    if not shared.get("pages"):
        return []
    pages = results["pages"]
    rows = []
    for own_key in dict.fromkeys(page["own"] for page in shared["pages"].values()):
        own = pages.get(own_key, {})
        clinic_pages = [page for page in shared["pages"].values() if page["own"] == own_key]
        for page in [own, *clinic_pages]:
            rows.append(
                [
                    page.get("label", own_key) + ("" if page is not own else " (own content)"),
                    _n(page.get("queries_warm")),
                    _n(page.get("queries_cold")),
                    _n(page.get("queries_new")),
                    _n(page.get("median_ms"), 2),
                    _n(page.get("p90_ms"), 2),
                    "1.00" if page is own else _n(page.get("ratio_to_own"), 2),
                    _n(page.get("html_bytes")),
                ]
            )
    region = (shared.get("library_region") or "").upper()
    lines = [
        "## A clinic's page drawing on shared content (in process, page cache off)",
        "",
        f"A library page outside every site holds the 1× content once, in {region} words; on "
        "each clinic's site a clinic page draws on it, with the clinic's introduction, one "
        f"clinician and the clinic's own {results['content']['stories']} patient stories about "
        "the shared condition. The "
        f"{region} clinic's page shows the words as written; the other clinic's page swaps them "
        f"on every render. Median and p90 over {shared['requests']} requests per page after "
        f"{shared['warmup']} warm-up rounds: {_rounds(shared['every'])} of the rendering above, "
        "beside the own-content pages. × own: median over the own-content "
        "1× page's, with the same fragment-cache setting.",
        "",
        *_table(
            [
                "Page",
                "Queries warm",
                "Queries cold",
                "Queries, new renditions",
                "Median ms",
                "p90 ms",
                "× own",
                "HTML bytes",
            ],
            rows,
        ),
        "",
    ]
    lines += [
        "Queries beyond the own-content page's, by table (negative: fewer), the same for both "
        "clinics unless named:",
        "",
    ]
    for cache in ("without the fragment cache", "with the fragment cache"):
        found = {}
        for page in shared["pages"].values():
            if page["own"].endswith("-fragments") != (cache == "with the fragment cache"):
                continue
            extra = page["extra_queries"]
            if extra["warm"] == extra["cold"]:
                described = f"warm and cold: {_signed(extra['warm'])}"
            else:
                described = f"warm: {_signed(extra['warm'])}; cold: {_signed(extra['cold'])}"
            found.setdefault(described, []).append(page["label"])
        for described, labels in found.items():
            who = "" if len(found) == 1 else f" ({'; '.join(labels)})"
            lines.append(f"- {cache}{who}, {described}")
    swap = shared.get("word_swap", {})
    with_cache, without = swap.get("fragment-cache", {}), swap.get("no-fragment-cache", {})
    adapting = shared.get("word_swap_ms", {})
    lines += [
        "",
        "Swapping words, median of the swapping clinic's page minus the other's: "
        f"{_n(without.get('ms'), 2)} ms ({_n(without.get('ratio'), 2)}×) without the fragment "
        f"cache, {_n(with_cache.get('ms'), 2)} ms ({_n(with_cache.get('ratio'), 2)}×) with it. "
        "Adapting the shared page alone before each render (`in_clinic_words`), median: "
        + ", ".join(f"{_n(ms, 2)} ms ({r.upper()} clinic)" for r, ms in adapting.items())
        + ".",
    ]
    return lines


def _rounds(every: int) -> str:
    if every == 1:
        return "in every round"
    return "in every " + {2: "second", 3: "third"}.get(every, f"{every}th") + " round"


def size_lines(results: dict) -> list[str]:
    a = results["assets"]
    total = a.get("html_plus_css_bytes")
    met = total is not None and total < HTML_CSS_TARGET
    scripts = a.get("scripts_other_than_json_ld")
    return [
        "## Page weight",
        "",
        *_table(
            ["What", "Value", "Target"],
            [
                ["spinecare.css", f"{_n(a.get('css_bytes'))} bytes", ""],
                [
                    "HTML + CSS, spinecare 1×",
                    f"{_n(total)} bytes ({_n((total or 0) / 1024)} KB)",
                    f"< 60 KB: {'met' if met else 'NOT met'}",
                ],
                [
                    "Scripts other than JSON-LD",
                    ", ".join(scripts) if scripts else "none",
                    f"none: {'NOT met' if scripts else 'met'}",
                ],
            ],
            "lrl",
        ),
    ]


def first_request_lines(results: dict) -> list[str]:
    rows = []
    for label, runs in results.get("first_request", {}).items():
        for number, run in enumerate(runs, 1):
            rows.append(
                [
                    f"{label} (process {number})",
                    _n(run.get("setup_ms")),
                    _n(run.get("first_get_ms")),
                    _n(run.get("total_ms")),
                ]
            )
    return [
        "## Very first request after a restart",
        "",
        "A fresh Python process per row: `django.setup()`, then the first GET of the page.",
        "",
        *_table(["Page", "django.setup() ms", "First GET ms", "Total ms"], rows),
    ]


def served_lines(results: dict) -> list[str]:
    served = results.get("served", {})
    lines = ["## Cached throughput (gunicorn)", ""]
    if not served:
        return [*lines, "Not measured."]
    if served.get("skipped"):
        return [*lines, f"Skipped: {served['skipped']}."]
    lines += [
        f"gunicorn -w 2 (sync workers) for each mode, all serving at once; `wrk -t2 -c16` "
        f"loads each in turn, {served.get('rounds', 1)} times for "
        f"{served['duration'] // served.get('rounds', 1)} s (the order reversed every other "
        "round), so that every mode shares the machine's load alike; requests/s and latencies "
        "are the means of the rounds. The spinecare 1× page; cached responses counted over 8 "
        "requests after one warm-up request.",
        "",
    ]
    rows = []
    for mode in ("front", "pagecache", "middleware", "ceiling"):
        run = served.get(mode)
        if not run:
            continue
        if run.get("error"):
            rows.append([run["label"], "failed", "", "", "", "", "", ""])
            continue
        wrk = run["wrk"]
        rows.append(
            [
                run["label"],
                _n(wrk.get("requests_per_s")),
                _n(wrk.get("latency_p50_ms"), 2),
                _n(wrk.get("latency_p90_ms"), 2),
                _n(wrk.get("latency_p99_ms"), 2),
                _n(wrk.get("non_2xx")),
                run.get("cache_hits", ""),
                {True: "yes", False: "NO"}.get(run.get("sites_ok"), ""),
            ]
        )
    lines += _table(
        [
            "Mode",
            "Requests/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "Non-2xx",
            "From cache",
            "Each host its own clinic",
        ],
        rows,
        "lrrrrrrl",
    )
    if served.get("ratio") is not None:
        lines += ["", f"Requests/s, (a) / (b): {_n(served['ratio'], 2)}."]
    of_ceiling = served.get("of_ceiling") or {}
    if of_ceiling.get("front") is not None:
        lines += [
            "",
            f"Of the ceiling (c): (a) {_n(of_ceiling['front'], 2)} (target: 0.5 or more: "
            f"{'met' if of_ceiling['front'] >= 0.5 else 'not met'}), "
            f"(a′) {_n(of_ceiling.get('pagecache'), 2)}, "
            f"(b) {_n(of_ceiling.get('middleware'), 2)}.",
        ]
    if served.get("note"):
        lines += ["", served["note"]]
    return lines


def problem_lines(problems: list[str]) -> list[str]:
    """Each problem as a list item; anything after its first line (a log) as code."""
    lines = ["## Problems", ""]
    for problem in problems:
        first, *rest = problem.splitlines()
        lines.append(f"- {first}")
        if rest:
            lines += ["", "  ```", *(f"  {line}" for line in rest), "  ```"]
    return lines


# One run on every database ------------------------------------------------------------------

#: The databases of a combined run, by their key in the results.
DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _measured(results: dict) -> dict[str, dict]:
    """The databases the benchmark ran on, with their results."""
    return {
        key: results[key]
        for key in DATABASE_NAMES
        if results.get(key, {}).get("machine") and not results[key].get("skipped")
    }


def machine_lines(results: dict) -> list[str]:
    measured = _measured(results)
    if not measured:
        return [f"- Run: {results['date']}"]
    first = next(iter(measured.values()))
    m = first["machine"]
    dbs = "; ".join(
        results[key]["machine"]["db"]
        if key in measured
        else f"{name}: not measured ({results.get(key, {}).get('skipped', 'failed')})"
        for key, name in DATABASE_NAMES.items()
    )
    return [
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['os']}",
        f"- Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, "
        f"wagtail-spinecare {m['wagtail_spinecare']}",
        f"- Databases: {dbs}",
        f"- Cache in process (rendering, first requests): {m['cache']}",
        f"- Cache of gunicorn (cached throughput): {m.get('served_cache', m['cache'])}",
        "- Cache across servers: Redis (redis://127.0.0.1:6379/3, a key prefix of the run's "
        "own), shared by both servers",
        f"- gunicorn {m['gunicorn']}, wrk {m['wrk']}, Varnish {results.get('varnish', '—')}",
        f"- Run: {results['date']}",
    ]


def _most_queries(result: dict) -> tuple[int | None, str]:
    """The most queries of any condition page, cold or warm, and which page and state."""
    pages = [p for key, p in result.get("pages", {}).items() if key.startswith("spinecare-")]
    pages += list(result.get("shared", {}).get("pages", {}).values())
    counts = [
        (page[f"queries_{state}"], f"{page['label']}, {state}")
        for page in pages
        for state in ("cold", "warm")
        if page.get(f"queries_{state}") is not None
    ]
    return max(counts, key=lambda c: c[0]) if counts else (None, "")


def _rate(run: dict | None):
    return (run or {}).get("wrk", {}).get("requests_per_s")


def _targets(results: dict, key: str) -> list[tuple]:
    """(what, figure, target text, met) per row of the summary, for one database."""
    result, across = results.get(key, {}), results["across_servers"].get(key, {})
    ratios, served = result.get("ratios", {}), result.get("served", {})
    varnish = across.get("varnish_rates") or {}
    stale = (
        sum(c["stale_after_commit"] for c in across["changes"]) if across.get("changes") else None
    )
    most = _most_queries(result)[0]
    of_ceiling = (served.get("of_ceiling") or {}).get("front")

    def at_most(value, limit):
        return None if value is None else value <= limit

    return [
        ("Default settings: spinecare / plain Wagtail, 1×", ratios.get("1x"), "≤ 0.5",
         at_most(ratios.get("1x"), 0.5)),
        ("No cache: spinecare / plain Wagtail, 1×", ratios.get("1x-no-fragment-cache"), "≤ 1.0",
         at_most(ratios.get("1x-no-fragment-cache"), 1.0)),
        ("Most queries of a condition page, cold or warm, 1× and 5×, shared content included",
         most, "≤ 12", at_most(most, 12)),
        ("Page cache in front of Django, requests/s", _rate(served.get("front")), "", None),
        ("Page cache with PageCacheMiddleware, requests/s", _rate(served.get("pagecache")), "",
         None),
        ("Django per-site cache, requests/s", _rate(served.get("middleware")), "", None),
        ("Varnish, requests/s (median of the changes' wrk runs across servers)",
         varnish.get("median"), "", None),
        ("Bare WSGI ceiling, requests/s", _rate(served.get("ceiling")), "", None),
        ("Page cache in front of Django / ceiling", of_ceiling, "≥ 0.5",
         None if of_ceiling is None else of_ceiling >= 0.5),
        ("Stale responses after the commit, across servers", stale, "0", at_most(stale, 0)),
    ]  # fmt: skip


def _cell(value, target: str, met) -> str:
    if value is None:
        return "not measured"
    figure = _n(value, 2) if isinstance(value, float) and value < 10 else _n(value)
    return figure if not target else f"{figure}: {'met' if met else 'NOT met'}"


def done_lines(results: dict) -> list[str]:
    rows = {}
    for key in DATABASE_NAMES:
        for what, value, target, met in _targets(results, key):
            rows.setdefault((what, target), []).append(_cell(value, target, met))
    table = [[what, *cells, target or "—"] for (what, target), cells in rows.items()]
    lines = [
        "## Done means",
        "",
        *_table(["Figure", *DATABASE_NAMES.values(), "Target"], table, "lrrl"),
        "",
    ]
    for key, name in DATABASE_NAMES.items():
        count, where = _most_queries(results.get(key, {}))
        if count is not None:
            lines.append(f"- Most queries on {name}: {count}, {where}.")
    return lines


def _demoted(lines: list[str]) -> list[str]:
    return [f"#{line}" if line.startswith("## ") else line for line in lines]


def varnish_lines(across: dict) -> list[str]:
    rates = across.get("varnish_rates")
    if across.get("skipped"):
        return [f"Through Varnish (across servers): skipped: {across['skipped']}."]
    if not rates:
        return ["Through Varnish (across servers): not measured."]
    runs = ", ".join(_n(r) for r in rates["runs"])
    return [
        f"Through Varnish, two gunicorn servers behind it (across servers below, `wrk -t2 "
        f"-c16 -d{across['duration_s']}s` during each change): {runs} requests/s; median "
        f"{_n(rates['median'])}, max {_n(rates['max'])}."
    ]


def database_lines(results: dict, key: str) -> list[str]:
    name, result = DATABASE_NAMES[key], results.get(key, {})
    lines = [f"## On {name}", ""]
    if result.get("skipped"):
        return [*lines, f"Not measured: {result['skipped']}."]
    if not result.get("machine"):
        return [*lines, "Not measured (see Problems)."]
    lines += [f"Database: {result['machine']['db']}.", ""]
    for part in (rendering_lines, shared_lines, size_lines, first_request_lines, served_lines):
        part_lines = part(result) if result.get("pages") or part is served_lines else []
        if part_lines:
            lines += [*_demoted(part_lines), ""]
    return [*lines, *varnish_lines(results["across_servers"].get(key, {}))]


def across_lines(results: dict, section) -> list[str]:
    """Two servers behind Varnish, on each database; ``section`` formats one run."""
    lines = ["## Across servers", ""]
    for key, name in DATABASE_NAMES.items():
        across = results["across_servers"].get(key, {})
        if across.get("skipped"):
            lines += [f"On {name}: skipped: {across['skipped']}.", ""]
        elif across.get("error"):
            lines += [f"On {name}: failed (see Problems).", ""]
        elif across.get("changes") is not None:
            lines += [
                section(across).rstrip("\n").replace("### Across servers:", f"### {name}:", 1),
                "",
            ]
    return lines if len(lines) > 2 else [*lines, "Not measured.", ""]


def markdown(results: dict) -> str:
    """Every database's results, the runs across servers and a summary of the targets."""
    from .across_servers import markdown as across_markdown

    lines = ["# wagtail-spinecare benchmark", "", *machine_lines(results), ""]
    lines += [*done_lines(results), ""]
    for key in DATABASE_NAMES:
        lines += [*database_lines(results, key), ""]
    lines += across_lines(results, across_markdown)
    if results.get("problems"):
        lines += [*problem_lines(results["problems"]), ""]
    return "\n".join(lines)
