"""The results as Markdown tables."""

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


def machine_lines(results: dict) -> list[str]:
    m = results["machine"]
    return [
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['os']}",
        f"- Python {m['python']}, Django {m['django']}, Wagtail {m['wagtail']}, "
        f"wagtail-spinecare {m['wagtail_spinecare']}",
        f"- Database: {m['db']}",
        f"- Cache: {m['cache']}",
        f"- gunicorn {m['gunicorn']}, wrk {m['wrk']}",
        f"- Run: {results['date']}",
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
        f"gunicorn -w 2 (sync workers), `wrk -t2 -c16 -d{served['duration']}s`, the spinecare 1× "
        "page; cached responses counted over 8 requests after one warm-up request.",
        "",
    ]
    rows = []
    for mode in ("pagecache", "middleware"):
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
                run["cache_hits"],
                "yes" if run["sites_ok"] else "NO",
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


def markdown(results: dict) -> str:
    lines = ["# wagtail-spinecare benchmark", "", *machine_lines(results), ""]
    for part in (rendering_lines, size_lines, first_request_lines, served_lines):
        lines += [*part(results), ""]
    if results.get("problems"):
        lines += [*problem_lines(results["problems"]), ""]
    return "\n".join(lines)
