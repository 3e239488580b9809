"""What the figures were measured on."""

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import PackageNotFoundError, version


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def wrk_version(wrk: str | None) -> str:
    if not wrk:
        return "not installed"
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
    first = (done.stdout or done.stderr).strip().splitlines()
    return first[0].split()[1] if first and len(first[0].split()) > 1 else "unknown"


def describe(cache: str, wrk: str | None) -> dict:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu_model(),
        "cores": affinity or os.cpu_count(),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": package_version("django"),
        "wagtail": package_version("wagtail"),
        "wagtail_spinecare": package_version("wagtail-spinecare"),
        "db": f"SQLite {sqlite3.sqlite_version} (file)",
        "cache": cache,
        "gunicorn": package_version("gunicorn"),
        "wrk": wrk_version(wrk),
    }
