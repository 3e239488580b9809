"""Serve the demo with Django's development server and, once it answers, say where the demo
clinics are and how to log in: the last thing ``make demo`` prints. Ctrl+C stops the server.

Usage: ``python -m example_site.serve_demo PORT``, after ``manage.py spinecare_demo``.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

MANAGE_PY = Path(__file__).resolve().parent.parent / "manage.py"
#: How long the server may take to answer its first request before the script gives up
#: waiting (the server keeps running).
STARTUP_SECONDS = 120


def answers(url: str) -> bool:
    """Whether the server at ``url`` answers an HTTP request, whatever its status."""
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local server
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def wait_until_answers(url: str, server: subprocess.Popen) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False  # It stopped, e.g. the port is taken: it has said why.
        if answers(url):
            return True
        time.sleep(0.25)
    return False


def summary(port: int) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings.dev")
    django.setup()
    # Only once Django is set up: the command's module imports the package's models.
    from wagtail_spinecare.management.commands.spinecare_demo import summary_lines

    return "\n".join(
        [
            "",
            "Django's development server is serving the demo, for trying it on this machine "
            "only (Ctrl+C stops it):",
            *summary_lines(port),
        ]
    )


def main(port: int) -> int:
    address = f"127.0.0.1:{port}"
    # In this process group, so that Ctrl+C reaches the server as well as this script. The
    # summary's first line says what Django's warning about its development server would.
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, str(MANAGE_PY), "runserver", address],
        env={**os.environ, "DJANGO_RUNSERVER_HIDE_WARNING": "true"},
    )
    try:
        if wait_until_answers(f"http://{address}/", server):
            # The server logs the request just answered; let that line come first.
            time.sleep(0.5)
            print(summary(port), flush=True)
        return server.wait()
    except KeyboardInterrupt:
        # The server had Ctrl+C too: let it finish stopping.
        try:
            return server.wait(timeout=10)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            server.terminate()
            return server.wait()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8000))
