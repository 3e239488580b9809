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
from dataclasses import dataclass
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


def from_cache(headers, seen: set) -> bool:
    """Whether a response was served by a cache rather than rendered for this request."""
    if headers.get("X-Spinecare-Cache") == "hit":
        return True
    stamp = headers.get(HEADER)
    if stamp is None or stamp in seen:
        return True
    seen.add(stamp)
    return False


@dataclass
class Mode:
    """One way of serving the page: its own gunicorn, with ``env``, serving ``app``."""

    name: str
    env: dict
    log: Path
    app: str = "bench.wsgi:application"
    #: A page Django serves, checked as such; otherwise the ceiling's bare bytes.
    django: bool = True


#: Each mode is loaded this many times, in turn with the others (the order reversed every
#: other round), for ``duration / ROUNDS`` seconds each time: the modes share the machine's
#: load over the same minutes, so their ratios do not move with what else runs.
ROUNDS = 2


def measure_modes(modes: list[Mode], page, other_site, checks, duration: int) -> dict:
    """Serve every mode at once, check each, load them in turn with wrk, then check each
    site's page. A result per mode: ``wrk`` (requests per second and latencies, the mean of
    the rounds) and ``problems``, or ``error`` if it could not be served.

    ``checks`` has ``page(html)`` and ``site(target, html)``, which return lists of problems,
    and ``reference``, the page as rendered in process.
    """
    results = {}
    with contextlib.ExitStack() as stack:
        servers = {m.name: stack.enter_context(Server(m.env, m.log, m.app)) for m in modes}
        for mode in modes:
            server = servers[mode.name]
            try:
                server.wait_until_serving()
                check = _before_load if mode.django else _ceiling_before_load
                results[mode.name] = check(server, page, checks)
            except (OSError, RuntimeError, subprocess.SubprocessError) as error:
                results[mode.name] = {"error": f"{error}\ngunicorn log:\n{server.log_tail()}"}
        live = [mode for mode in modes if "error" not in results[mode.name]]
        loads = {mode.name: [] for mode in live}
        seconds = max(1, duration // ROUNDS)
        for round_ in range(ROUNDS):
            for mode in live if round_ % 2 == 0 else live[::-1]:
                port = servers[mode.name].port
                loads[mode.name].append(run_wrk(port, page.host, page.path, seconds))
        for mode in live:
            result = results[mode.name]
            result["wrk"] = _combined(loads[mode.name])
            if result["wrk"].get("non_2xx"):
                result["problems"].append(
                    f"{result['wrk']['non_2xx']} responses under load were not 2xx or 3xx"
                )
            if mode.django:
                site_problems = _after_load(servers[mode.name], page, other_site, checks)
                result["sites_ok"] = not site_problems
                result["problems"] += site_problems
    return results


def _combined(loads: list[dict]) -> dict:
    """The rounds of one mode as one: means of rates and latencies, sums of counts."""
    combined = {}
    for key in loads[0]:
        values = [load[key] for load in loads if key in load]
        if key in ("requests", "non_2xx", "socket_errors"):
            combined[key] = sum(values)
        else:
            combined[key] = round(sum(values) / len(values), 2)
    combined["rounds"] = len(loads)
    return combined


def _ceiling_before_load(server, page, checks) -> dict:
    status, _headers, served = fetch(server.port, page.host, page.path)
    problems = [] if status == 200 and served == checks.reference else ["another body served"]
    return {"body_bytes": len(served), "problems": problems}


def _before_load(server, page, checks) -> dict:
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
    return {
        "cache_hits": f"{hits}/{CACHE_CHECKS}",
        "identical_to_in_process": first_body == checks.reference,
        "problems": problems,
    }


def _after_load(server, page, other_site, checks) -> list[str]:
    problems = []
    for target in (page, other_site):
        status, _headers, body = fetch(server.port, target.host, target.path)
        if status != 200:
            problems.append(f"{target.host}{target.path}: HTTP {status} after the load")
        else:
            problems += [f"{target.host}: {p}" for p in checks.site(target, body.decode())]
    return problems
