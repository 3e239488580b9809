"""Two application servers behind Varnish: no visitor sees what an editor has taken down.

Two gunicorn servers (two workers each, each on its own port, as two machines would run them)
share one database and one Redis; Varnish (``varnish.vcl``) serves the condition page in front
of both, and Wagtail's frontend cache purges it. Under wrk load through Varnish, and while a
few probe threads request the page through Varnish and from each server directly, an editor,
logged in to the admin over HTTP, makes three changes in turn:

- withdraws consent for a patient story the page shows (server A);
- publishes a new revision of the page with another quick answer (server B);
- makes the page private to logged-in users (server A).

Every probe response records when it started and ended and whether it still holds what the
change took away. None that started after the admin's answer (a bound on the commit: the
transaction commits before the view returns) may hold it, and none may fail.

``python -m bench.across_servers`` runs it and prints the results as Markdown; ``run`` and
``markdown`` are the same for other callers. The database is a PostgreSQL database of its own
when ``DATABASE_URL`` names a PostgreSQL server, otherwise a SQLite file. Redis is
``SPINECARE_SERVERS_REDIS_DB`` (default 3) on 127.0.0.1:6379, under a key prefix of this run's
own, whose keys are deleted before and after. On PostgreSQL, ``SPINECARE_SERVERS_SLOW_COMMIT``
(seconds, default 0.3) makes each change's commit that much slower, as on a loaded database
server.
"""

import contextlib
import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import content, served
from .databases import own_database
from .middleware import HEADER
from .pages import SPINECARE_HOST, path_for
from .served import Server, fetch, free_port, run_wrk, wrk_command

ROOT = Path(__file__).resolve().parent.parent
VCL = Path(__file__).with_name("varnish.vcl")
HOST = SPINECARE_HOST
PATH = path_for(1)
EDITOR = ("editor", "servers-password")
PROBE_THREADS = 3
#: Seconds of load before the change (at most), so that Varnish is seen serving the old page,
#: and at least after its commit, even when the change outlasts the load.
BEFORE_S = 2.0
AFTER_S = 1.0
#: What each change takes away, and what the page shows instead.
QUOTE = "Six weeks of simple exercises at home changed that"
OTHER_QUOTE = "fitted the plan around my shifts"
NEW_ANSWER = "Most people are moving more freely within a few weeks of starting exercises."
CONTENT = content.FAQ[0][0]


def varnishd_command() -> str | None:
    return shutil.which("varnishd")


def missing_tools() -> list[str]:
    """What this machine lacks to run the servers, Varnish and wrk."""
    from .served import gunicorn_command

    missing = []
    if gunicorn_command() is None:
        missing.append("gunicorn (the bench extra)")
    if varnishd_command() is None:
        missing.append("varnishd (apt-get install varnish)")
    if wrk_command() is None:
        missing.append("wrk (apt-get install wrk)")
    return missing


# The database and the cache ------------------------------------------------------------------


#: The tables each change writes: a slow commit (see :func:`slow_commits`) delays them all.
CHANGED_TABLES = (
    "wagtail_spinecare_consentevent",
    "wagtailcore_page",
    "wagtailcore_pageviewrestriction",
)


def slow_commits(url: str, seconds: float) -> None:
    """Make every commit that wrote to :data:`CHANGED_TABLES` take ``seconds`` longer, as on
    a loaded database server: a deferred trigger sleeps at commit, after everything the
    application did inside the transaction."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION spinecare_slow_commit() RETURNS trigger AS $$ BEGIN "
            f"PERFORM pg_sleep({float(seconds)}); RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in CHANGED_TABLES:
            connection.execute(
                f"CREATE CONSTRAINT TRIGGER spinecare_slow_commit AFTER INSERT OR UPDATE "
                f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION spinecare_slow_commit()"
            )


def redis_url() -> str:
    return f"redis://127.0.0.1:6379/{int(os.environ.get('SPINECARE_SERVERS_REDIS_DB', '3'))}"


def delete_keys(prefix: str) -> None:
    """Delete this run's keys only: the database may be shared."""
    import redis

    client = redis.Redis.from_url(redis_url())
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


# Steps run with the servers' settings, in a process of their own ---------------------------


def django_step(env: dict, *args: str) -> dict:
    """Run a step below (``python -m bench.across_servers step …``) and return its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.across_servers", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"step {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def step_build() -> dict:
    """Migrate, build the benchmark's pages and an editor; say what the harness needs."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from wagtail_spinecare.models import ConditionPage, Testimonial

    from .pages import build

    build()
    get_user_model().objects.create_superuser(EDITOR[0], "editor@example.com", EDITOR[1])
    page = ConditionPage.objects.get(url_path__endswith=f"/spinecare{PATH}")
    # The page's own story, not the one about the shared condition.
    story = Testimonial.objects.get(
        quote__contains=QUOTE, site__hostname=HOST, condition_page__isnull=True
    )
    return {
        "page": page.pk,
        "story": story.pk,
        "withdraw": reverse("wagtail_spinecare_testimonial_modeladmin_withdraw", args=[story.pk]),
        "publish": reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
        + f"?id={page.pk}",
        "privacy": reverse("wagtailadmin_pages:set_privacy", args=[page.pk]),
    }


def step_draft(page_id: str) -> dict:
    """Save a draft of the page with another quick answer: nothing public changes yet."""
    from wagtail_spinecare.models import ConditionPage

    page = ConditionPage.objects.get(pk=int(page_id))
    page.quick_answer = NEW_ANSWER
    revision = page.save_revision()
    return {"revision": revision.pk}


STEPS = {"build": step_build, "draft": step_draft}


# Processes -------------------------------------------------------------------------------------


class Varnish(Server):
    """varnishd in the foreground, in its own process group, with ``varnish.vcl``."""

    def __init__(self, work: Path, port: int, backends: list[int]):
        self.port = port
        self.log = work / "varnish.log"
        self.name = work / "varnish"
        vcl = work / "varnish.vcl"
        vcl.write_text(
            VCL.read_text()
            .replace("@PORT_A@", str(backends[0]))
            .replace("@PORT_B@", str(backends[1]))
        )
        command = [
            varnishd_command(),
            "-F",
            # No jail: as root, Varnish would otherwise read the files as its own user, who
            # cannot enter the run's private temporary directory.
            "-j",
            "none",
            "-n",
            str(self.name),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-s",
            "malloc,64m",
        ]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"varnishd exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                fetch(self.port, HOST, "/varnish-is-up/", timeout=5)
                return
            time.sleep(0.2)
        raise RuntimeError(f"varnishd did not start within {timeout:.0f} s:\n{self.log_tail()}")

    def counters(self) -> dict[str, int]:
        """Varnish's cache hits, misses and purges so far."""
        done = subprocess.run(
            ["varnishstat", "-n", str(self.name), "-1", "-j"],
            capture_output=True,
            text=True,
            timeout=20,
        )
        counters = json.loads(done.stdout).get("counters", {})
        return {
            name: counters.get(f"MAIN.{name}", {}).get("value", 0)
            for name in ("cache_hit", "cache_miss", "n_purges", "s_pass")
        }


class Editor:
    """An editor in the admin over HTTP: a session cookie, CSRF tokens, no redirects followed."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, port: int):
        self.port = port
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._Stay
        )

    def request(self, path: str, fields: dict | None = None, port: int | None = None) -> int:
        """GET (or POST ``fields``, with the CSRF token) ``path``; the status."""
        data = None
        if fields is not None:
            token = next(c.value for c in self.jar if c.name == "csrftoken")
            data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        url = f"http://127.0.0.1:{port or self.port}{path}"
        try:
            with self.opener.open(url, data=data, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def log_in(self) -> None:
        self.request("/admin/login/")
        status = self.request(
            "/admin/login/", {"username": EDITOR[0], "password": EDITOR[1], "next": "/admin/"}
        )
        if status != 302:
            raise RuntimeError(f"logging in to the admin answered {status}")

    def post(self, path: str, fields: dict, port: int, expect: int = 302) -> None:
        self.request("/admin/", port=port)  # a fresh CSRF cookie, as a browser would hold
        status = self.request(path, fields, port=port)
        if status != expect:
            raise RuntimeError(f"POST {path} answered {status}, not {expect}")


# Probing ---------------------------------------------------------------------------------------


@dataclass
class Response:
    """One probe request: where it went, when, and what it showed."""

    via: str  # "varnish", "a" or "b"
    start: float
    end: float
    status: int = 0
    holds: bool = False  # still shows what the change took away
    cache: str = ""  # Varnish's X-Cache: hit, miss or pass
    page_cache: str = ""  # the package's page cache: hit or miss (X-Spinecare-Cache)
    stamp: str = ""  # the server process and render that made the HTML (X-Bench-Render)
    shows_after: bool = False  # looks as the page must after the change
    context: str = ""  # what precedes what the change took away, where it still shows
    error: str = ""


def probe(targets, change, stop: threading.Event, out: list) -> None:
    while not stop.is_set():
        for via, port in targets:
            start = time.monotonic()
            try:
                status, headers, body = fetch(port, HOST, PATH, timeout=20)
            except OSError as error:
                out.append(Response(via, start, time.monotonic(), error=repr(error)))
                continue
            end, html = time.monotonic(), body.decode(errors="replace")
            holds = change.holds(status, html)
            at = html.find(change.marker) if holds else -1
            out.append(
                Response(
                    via,
                    start,
                    end,
                    status,
                    holds,
                    headers.get("X-Cache", ""),
                    headers.get("X-Spinecare-Cache", ""),
                    headers.get(HEADER, ""),
                    change.shows_after(status, html),
                    " ".join(html[max(0, at - 200) : at].split()) if at >= 0 else "",
                )
            )


@dataclass
class Change:
    """What an editor does, and how to tell a response that still shows what it took away."""

    key: str
    label: str
    server: str  # "a" or "b": the admin it is made on
    marker: str  # the text that shows what the change takes away
    holds: object  # (status, html) -> bool
    shows_after: object  # (status, html) -> bool: the page as it must look afterwards
    make: object  # (editor, port) -> None


def changes(built: dict) -> list[Change]:
    def withdraw(editor, port):
        editor.post(built["withdraw"], {"channel": "phone"}, port)

    def publish(editor, port):
        editor.post(built["publish"], {"include_descendants": ""}, port)

    def restrict(editor, port):
        # The privacy dialog answers with JSON for the admin's script, not a redirect.
        editor.post(built["privacy"], {"restriction_type": "login"}, port, expect=200)

    return [
        Change(
            "withdraw",
            "Consent for a shown patient story withdrawn (admin, server A)",
            "a",
            QUOTE,
            lambda status, html: QUOTE in html,
            lambda status, html: status == 200 and OTHER_QUOTE in html and QUOTE not in html,
            withdraw,
        ),
        Change(
            "publish",
            "A new revision with another quick answer published (admin, server B)",
            "b",
            content.QUICK_ANSWER,
            lambda status, html: content.QUICK_ANSWER in html,
            lambda status, html: status == 200 and NEW_ANSWER in html,
            publish,
        ),
        Change(
            "restrict",
            "The page made private to logged-in users (admin, server A)",
            "a",
            CONTENT,
            lambda status, html: status == 200 and CONTENT in html,
            lambda status, html: status == 302,
            restrict,
        ),
    ]


def measure(change: Change, servers: dict, varnish: Varnish, editor: Editor, duration: int):
    """Load the page through Varnish, make ``change`` part way through, and sum up."""
    problems = []
    status, headers, body = fetch(varnish.port, HOST, PATH)
    status, headers, body = fetch(varnish.port, HOST, PATH)
    if not change.holds(status, body.decode(errors="replace")):
        problems.append(f"before the change the page did not show it (HTTP {status})")
    if headers.get("X-Cache") != "hit":
        problems.append("before the change Varnish did not serve the page from its cache")
    targets = [("varnish", varnish.port)] + [(name, s.port) for name, s in servers.items()]
    stop, records, load = threading.Event(), [], {}
    probes = [
        threading.Thread(target=probe, args=(targets[i:] + targets[:i], change, stop, records))
        for i in range(PROBE_THREADS)
    ]
    wrk = threading.Thread(
        target=lambda: load.update(run_wrk(varnish.port, HOST, PATH, duration)), daemon=True
    )
    before = varnish.counters()
    for thread in [wrk, *probes]:
        thread.start()
    try:
        time.sleep(min(BEFORE_S, duration / 3))
        started = time.monotonic()
        change.make(editor, servers[change.server].port)
        committed = time.monotonic()
        wrk.join(duration + 60)
        time.sleep(max(0.0, committed + AFTER_S - time.monotonic()))
    finally:
        stop.set()
        for thread in probes:
            thread.join(60)
    after = varnish.counters()
    status, _headers, body = fetch(varnish.port, HOST, PATH)
    if not change.shows_after(status, body.decode(errors="replace")):
        problems.append(f"after the change the page did not look as it should (HTTP {status})")
    return summary(change, records, started, committed, load, before, after, problems)


def origin(stamp: str, records, started: float, committed: float) -> dict:
    """Where a stale copy came from: the first probe response with its render stamp, with
    its start and end in ms from the start of the change and from its commit."""
    first = next((r for r in records if r.stamp == stamp), None)
    if first is None:
        return {"rendered": stamp}
    return {
        "rendered": stamp,
        "first_seen_via": first.via,
        "page_cache": first.page_cache,
        "start_ms_from_change": round((first.start - started) * 1000, 1),
        "end_ms_from_commit": round((first.end - committed) * 1000, 1),
    }


def summary(change, records, started, committed, load, before, after, problems) -> dict:
    records = sorted(records, key=lambda r: r.start)
    earlier = [r for r in records if r.end < started]
    later = [r for r in records if r.start > committed]
    stale = [r for r in later if r.holds]
    errors = [r for r in records if r.error or not 200 <= r.status < 400]
    fresh = [r for r in later if not r.holds and not r.error]
    stale_stamps = sorted({r.stamp for r in stale})
    if not later:
        problems.append("no response started after the change")
    if load.get("non_2xx") or load.get("socket_errors"):
        problems.append("wrk saw errors")
    return {
        "key": change.key,
        "label": change.label,
        "change_ms": round((committed - started) * 1000, 1),
        "responses": len(records),
        "before": len(earlier),
        "before_holding": sum(r.holds for r in earlier),
        "before_from_varnish_cache": sum(r.cache == "hit" for r in earlier),
        "before_through_varnish": sum(r.via == "varnish" for r in earlier),
        "during": len(records) - len(earlier) - len(later),
        "after": len(later),
        "after_by_target": {via: sum(r.via == via for r in later) for via in ("varnish", "a", "b")},
        "after_from_varnish_cache": sum(r.cache == "hit" for r in later),
        "stale_after_commit": len(stale),
        "stale_examples": [
            {
                "via": r.via,
                "started_ms_after_commit": round((r.start - committed) * 1000, 1),
                "status": r.status,
                "cache": r.cache,
                "page_cache": r.page_cache,
                "rendered": r.stamp,
                "as_it_must_look_after": r.shows_after,
                "shown_after": r.context,
            }
            for r in stale[:5]
        ],
        "stale_renders": [origin(stamp, records, started, committed) for stamp in stale_stamps],
        "first_fresh_ms_after_commit": (
            round((fresh[0].end - committed) * 1000, 1) if fresh else None
        ),
        "errors": len(errors),
        "error_examples": [r.error or f"HTTP {r.status} via {r.via}" for r in errors[:5]],
        "wrk": load,
        "varnish": {name: after[name] - before[name] for name in after},
        "problems": problems,
    }


# The run ---------------------------------------------------------------------------------------

#: The caches the servers can use, as the results name them.
CACHES = {
    "redis": "Redis, shared by both servers",
    "locmem": "local memory, each process its own (the generation in the database)",
}


def slow_commit_s() -> float:
    """``SPINECARE_SERVERS_SLOW_COMMIT``: how much slower each change's commit is made on
    PostgreSQL, so that a purge sent before the commit, or a page rendered from the data
    before it and reaching Varnish after, would show."""
    return float(os.environ.get("SPINECARE_SERVERS_SLOW_COMMIT", "") or 0.3)


def run(duration: int = 10, slow_commit: float = 0.0, cache: str = "redis") -> dict:
    """Build everything, serve it, measure each change under ``duration`` seconds of load.

    ``slow_commit`` (seconds, PostgreSQL only) delays the commit of each change: a purge sent
    before the commit then lets Varnish fetch the page again from the data before it.
    ``cache``: "redis", shared by both servers, or "locmem", each process its own (a new
    project's default), with the caches' generation in the database.
    """
    if missing := missing_tools():
        raise RuntimeError("missing: " + ", ".join(missing))
    keep = os.environ.get("BENCH_KEEP") == "1"
    work = Path(tempfile.mkdtemp(prefix="spinecare-servers-"))
    prefix = f"spinecare-servers-{os.getpid()}"
    delete_keys(prefix)
    try:
        with contextlib.ExitStack() as stack:
            database = stack.enter_context(own_database(f"spinecare_servers_{os.getpid()}"))
            varnish_port = free_port()
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "bench.servers_settings",
                "BENCH_DIR": str(work),
                "BENCH_MODE": "pagecache",
                "BENCH_PAGE_CACHE_MIDDLEWARE": "1",
                "SPINECARE_SERVERS_REDIS": redis_url(),
                "SPINECARE_SERVERS_CACHE": cache,
                "SPINECARE_SERVERS_PREFIX": prefix,
                "SPINECARE_SERVERS_VARNISH": f"http://127.0.0.1:{varnish_port}",
                "PYTHONPATH": str(ROOT),
            }
            env.pop("SPINECARE_SERVERS_DATABASE", None)
            if database:
                env["SPINECARE_SERVERS_DATABASE"] = database
            began = time.monotonic()
            # Nothing is cached yet: building purges nothing.
            built = django_step({**env, "SPINECARE_SERVERS_VARNISH": ""}, "build")
            built_s = time.monotonic() - began
            if database and slow_commit:
                slow_commits(database, slow_commit)
            servers = {
                name: stack.enter_context(Server(env, work / f"gunicorn-{name}.log"))
                for name in ("a", "b")
            }
            for server in servers.values():
                server.wait_until_serving()
            varnish = stack.enter_context(
                Varnish(work, varnish_port, [s.port for s in servers.values()])
            )
            varnish.wait_until_serving()
            editor = Editor(servers["a"].port)
            editor.log_in()
            results = {
                "database": "PostgreSQL" if database else "SQLite (file)",
                "cache": CACHES[cache],
                "duration_s": duration,
                "build_s": round(built_s, 1),
                "slow_commit_s": slow_commit if database else 0.0,
                "changes": [],
            }
            for change in changes(built):
                if change.key == "publish":
                    django_step(env, "draft", str(built["page"]))
                try:
                    results["changes"].append(measure(change, servers, varnish, editor, duration))
                except (OSError, RuntimeError) as error:
                    logs = "\n".join(
                        f"{name}:\n{process.log_tail()}"
                        for name, process in [*servers.items(), ("varnish", varnish)]
                    )
                    raise RuntimeError(f"{change.key}: {error}\n{logs}") from error
            return results
    finally:
        delete_keys(prefix)
        if keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def markdown(results: dict) -> str:
    """The results as a Markdown section."""
    lines = [
        "### Across servers: two gunicorn servers behind Varnish",
        "",
        f"Database: {results['database']}; cache: {results.get('cache', CACHES['redis'])}"
        + (
            f", each change's commit {results['slow_commit_s']} s slower"
            if results.get("slow_commit_s")
            else ""
        )
        + f". Each change under `wrk -t{served.WRK_THREADS} "
        f"-c{served.WRK_CONNECTIONS} -d{results['duration_s']}s` through Varnish, with "
        f"{PROBE_THREADS} probe threads requesting the page through Varnish and from each "
        "server directly. Stale: probe responses that started after the admin answered and "
        "still showed what the change took away. Varnish's hits, misses and purges include "
        "wrk's requests.",
        "",
        "| Change | Probe responses before / after | Before: from Varnish's cache "
        "| After: from Varnish's cache / from the servers | Stale after | Errors "
        "| First fresh ms | wrk requests/s | Varnish hits / misses / purges |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for change in results["changes"]:
        varnish, load = change["varnish"], change["wrk"]
        errors = change["errors"] + load.get("non_2xx", 0) + load.get("socket_errors", 0)
        lines.append(
            f"| {change['label']} | {change['before']:,} / {change['after']:,} "
            f"| {change['before_from_varnish_cache']:,}/{change['before_through_varnish']:,} "
            f"| {change['after_from_varnish_cache']:,} / "
            f"{change['after_by_target']['a'] + change['after_by_target']['b']:,} "
            f"| {change['stale_after_commit']} | {errors} "
            f"| {change['first_fresh_ms_after_commit']} "
            f"| {load.get('requests_per_s', 0):,.1f} "
            f"| {varnish['cache_hit']:,} / {varnish['cache_miss']:,} / {varnish['n_purges']:,} |"
        )
    problems = [f"{c['key']}: {p}" for c in results["changes"] for p in c["problems"]]
    if problems:
        lines += ["", "Problems:", "", *[f"- {p}" for p in problems]]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv and argv[0] in STEPS:
        import django

        django.setup()
        print(json.dumps(STEPS[argv[0]](*argv[1:])))
        return 0
    duration = int(argv[0]) if argv else int(os.environ.get("BENCH_DURATION", "10"))
    results = run(duration, slow_commit_s())
    print(markdown(results))
    stale = sum(
        c["stale_after_commit"] + c["errors"] + len(c["problems"]) for c in results["changes"]
    )
    return 1 if stale else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main(sys.argv[1:]))
