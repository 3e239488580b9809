"""A live server with both demo clinics, and Debian's Chromium driven by Playwright.

The server runs in its own process on its own database (SQLite, or PostgreSQL when
``DATABASE_URL`` points there), so the browser sees exactly what a visitor would. Without
Chromium or the npm tools the browser tests are skipped, unless ``SPINECARE_E2E_REQUIRED`` is
set, as CI sets it, in which case they fail.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Much of what the browser tests read is drawn by the admin's scripts after the page loads,
# so they assert with Playwright's ``expect``, which retries until the page shows it. An
# assertion waits as long as an action (a click, a fill) does, not ``expect``'s own 5 s: on a
# loaded machine a script may take as long to draw a message as a page takes to answer.
ACTION_TIMEOUT = 15_000

CHROMIUM = os.environ.get("SPINECARE_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("SPINECARE_NODE_MODULES", ROOT / "node_modules"))
ARTIFACTS = Path(os.environ.get("SPINECARE_ARTIFACTS", ROOT / "artifacts"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
EDITOR = ("editor", "e2e-password")


def missing_tools() -> list[str]:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"Chromium at {CHROMIUM}")
    if not shutil.which("node"):
        missing.append("Node.js (node on PATH)")
    for package in ("axe-core", "html-validate", "lighthouse"):
        if not (NODE_MODULES / package).is_dir():
            missing.append(f"npm package {package} in {NODE_MODULES}")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright")
    return missing


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    browser_tests = [item for item in items if here in Path(str(item.fspath)).parents]
    # With pytest-xdist, the browser tests share one worker, so one live site serves them all.
    for item in browser_tests:
        item.add_marker(pytest.mark.xdist_group("browser"))
    missing = missing_tools()
    if not missing:
        return
    reason = "browser tests need " + ", ".join(missing)
    if os.environ.get("SPINECARE_E2E_REQUIRED"):
        raise pytest.UsageError(reason)
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test reports the last lines the live server logged."""
    report = yield
    site = item.funcargs.get("live_site") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(site, LiveSite) and site.log.exists():
        tail = site.log.read_text(errors="replace").splitlines()[-60:]
        report.sections.append(("live server log (last lines)", "\n".join(tail)))
    return report


@dataclass
class LiveSite:
    port: int
    pages: list[dict]
    log: Path

    def url(self, hostname: str, path: str = "/") -> str:
        return f"http://{hostname}:{self.port}{path}"

    @property
    def admin(self) -> str:
        return f"http://localhost:{self.port}/admin/"

    def pages_of(self, page_type: str) -> list[dict]:
        return [page for page in self.pages if page["type"] == page_type]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(workdir: Path, name: str = "e2e") -> tuple[str, callable]:
    """A database of the server's own, and how to drop it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{workdir / f'{name}.sqlite3'}", lambda: None
    import psycopg

    base = url.rpartition("/")[0]
    database = f"spinecare_{name.replace('-', '_')}_{os.getpid()}"

    def admin(sql):
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{database}"')
    admin(f'CREATE DATABASE "{database}"')
    return f"{base}/{database}", lambda: admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wait_for(port: int, process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the e2e server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the e2e server did not answer in time")


@contextmanager
def serving_demo(settings_module: str, name: str = "e2e"):
    """Both demo clinics on a server of their own, with ``settings_module``, on a database of
    their own: yields (port, demo pages, server log, environment)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"spinecare-{name}-"))
    port = free_port()
    db_url, drop_database = database_url(workdir, name)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SPINECARE_E2E_DATABASE_URL": db_url,
        "SPINECARE_E2E_BASE_URL": f"http://localhost:{port}",
        "SPINECARE_TEST_MEDIA_ROOT": str(workdir / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    prepared = subprocess.run(
        [sys.executable, "-m", "tests.e2e.prepare", str(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if prepared.returncode:
        drop_database()
        raise RuntimeError(f"preparing the e2e database failed:\n{prepared.stderr}")
    pages = json.loads(prepared.stdout.strip().splitlines()[-1])
    log_path = workdir / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "django",
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--insecure",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, server)
            yield port, pages, log_path, env
        finally:
            server.terminate()
            server.wait(timeout=10)
            drop_database()
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_site():
    with serving_demo("tests.e2e.settings") as (port, pages, log, _env):
        yield LiveSite(port=port, pages=pages, log=log)


def log_in(page, live_site, account=None):
    """Sign ``page`` in to the admin as a demo clinic's editor (or ``account``)."""
    username, password = account or EDITOR
    page.goto(live_site.admin + "login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--host-resolver-rules=MAP * 127.0.0.1", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages at a viewport: ``new_page("phone")``; closed after the test."""
    contexts = []

    def open_page(viewport: str = "desktop", **options):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            device_scale_factor=1,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
            **options,
        )
        context.set_default_timeout(ACTION_TIMEOUT)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def settle(page) -> None:
    """Wait until the page has fetched all it asked for (no request for half a second) and
    drawn two frames since, so what its scripts do on loading has been done."""
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


def run_axe(page, **only) -> list[dict]:
    """axe-core's violations on the page, for WCAG 2.0, 2.1 and 2.2 at levels A and AA."""
    page.evaluate((NODE_MODULES / "axe-core" / "axe.min.js").read_text())
    options = {
        "runOnly": {
            "type": "tag",
            "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"],
        },
        "resultTypes": ["violations"],
        **only,
    }
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in violations
    )


def screenshot(page, name: str, full_page: bool = True) -> Path:
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path
