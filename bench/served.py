"""Cached throughput: the page served by gunicorn, loaded with wrk, in one caching mode."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .middleware import HEADER

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
WRK_THREADS = 2
WRK_CONNECTIONS = 16
CACHE_CHECKS = 8


def gunicorn_command() -> list[str] | None:
    beside = Path(sys.executable).parent / "gunicorn"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("gunicorn")
    return [found] if found else None


def wrk_command() -> str | None:
    return shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, host: str, path: str, timeout: float = 30):
    """(status, headers, body) of a GET to the local server with the given Host.

    The headers are case-insensitive (an ``http.client.HTTPMessage``).
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


class Server:
    """gunicorn in its own process group, stopped with the whole group."""

    def __init__(self, env: dict, log: Path, app: str = "bench.wsgi:application"):
        self.port = free_port()
        self.log = log
        command = [
            *gunicorn_command(),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            app,
        ]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # Workers left behind by a master that died first belong to the same group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(number: str, unit: str) -> float:
    return round(float(number) * UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    result = {}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["requests_per_s"] = float(match.group(1))
    if match := re.search(r"^\s+Latency\s+([\d.]+)(us|ms|s)\b", output, re.M):
        result["latency_avg_ms"] = _ms(*match.groups())
    for percent, number, unit in re.findall(
        r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\b", output, re.M
    ):
        result[f"latency_p{percent}_ms"] = _ms(number, unit)
    if match := re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", output):
        result["requests"] = int(match.group(1))
    match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["socket_errors"] = sum(map(int, match.groups())) if match else 0
    return result


def run_wrk(port: int, host: str, path: str, duration: int) -> dict:
    command = [
        wrk_command(),
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Host: {host}",
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0 or "Requests/sec" not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def measure_ceiling(env: dict, log: Path, page, body: bytes, duration: int) -> dict:
    """The same gunicorn serving ``body`` from a bare WSGI callable (``bench/ceiling.py``):
    the most any Django middleware could answer with."""
    path = Path(env["BENCH_DIR"]) / "ceiling.html"
    path.write_bytes(body)
    with Server(
        {**env, "BENCH_CEILING_BODY": str(path)}, log, "bench.ceiling:application"
    ) as server:
        server.wait_until_serving()
        status, _headers, served = fetch(server.port, page.host, page.path)
        problems = [] if status == 200 and served == body else ["the ceiling served another body"]
        load = run_wrk(server.port, page.host, page.path, duration)
    return {"wrk": load, "body_bytes": len(body), "problems": problems}


def from_cache(headers, seen: set) -> bool:
    """Whether a response was served by a cache rather than rendered for this request."""
    if headers.get("X-Spinecare-Cache") == "hit":
        return True
    stamp = headers.get(HEADER)
    if stamp is None or stamp in seen:
        return True
    seen.add(stamp)
    return False


def measure_mode(env: dict, log: Path, page, other_site, checks, duration: int) -> dict:
    """Serve with ``env``, check the page, load it with wrk, then check each site's page.

    ``checks`` has ``page(html)`` and ``site(target, html)``, which return lists of problems,
    and ``reference``, the page as rendered in process.
    """
    with Server(env, log) as server:
        try:
            return _measure(server, page, other_site, checks, duration)
        except (OSError, RuntimeError, subprocess.SubprocessError) as error:
            raise RuntimeError(f"{error}\ngunicorn log:\n{server.log_tail()}") from error


def _measure(server, page, other_site, checks, duration: int) -> dict:
    server.wait_until_serving()
    status, headers, first_body = fetch(server.port, page.host, page.path)
    if status != 200:
        raise RuntimeError(f"HTTP {status} for {page.host}{page.path}")
    problems = [f"warm-up response: {p}" for p in checks.page(first_body.decode())]
    seen = set()
    from_cache(headers, seen)
    hits, same_body = 0, True
    for _ in range(CACHE_CHECKS):
        status, headers, body = fetch(server.port, page.host, page.path)
        hits += from_cache(headers, seen)
        same_body = same_body and status == 200 and body == first_body
    if not same_body:
        problems.append("repeated requests returned a different page")
    load = run_wrk(server.port, page.host, page.path, duration)
    if load.get("non_2xx"):
        problems.append(f"{load['non_2xx']} responses under load were not 2xx or 3xx")
    site_problems = []
    for target in (page, other_site):
        status, _headers, body = fetch(server.port, target.host, target.path)
        if status != 200:
            site_problems.append(f"{target.host}{target.path}: HTTP {status} after the load")
        else:
            site_problems += [f"{target.host}: {p}" for p in checks.site(target, body.decode())]
    return {
        "wrk": load,
        "cache_hits": f"{hits}/{CACHE_CHECKS}",
        "identical_to_in_process": first_body == checks.reference,
        "sites_ok": not site_problems,
        "problems": problems + site_problems,
    }
