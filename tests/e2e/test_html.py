"""Every demo page is valid HTML, as html-validate's standard preset judges it."""

import json
import subprocess
import urllib.request

import pytest

from .conftest import NODE_MODULES

pytestmark = pytest.mark.e2e


def fetch(url: str, port: int) -> str:
    """The page's HTML as the server sends it (not the browser's DOM)."""
    hostname = url.split("//", 1)[1].split(":", 1)[0]
    path = url.split(str(port), 1)[1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": hostname})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return response.read().decode()


def test_every_demo_page_is_valid_html(live_site, tmp_path):
    files = []
    for number, page in enumerate(live_site.pages):
        path = tmp_path / f"{number}-{page['site'].split('.')[0]}-{page['type']}.html"
        path.write_text(fetch(page["url"], live_site.port))
        files.append(path)
    assert len(files) == 6
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            "node",
            str(NODE_MODULES / "html-validate" / "bin" / "html-validate.mjs"),
            "--preset=standard",
            f"--formatter=json={report}",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
    )
    assert report.exists(), result.stderr
    reports = json.loads(report.read_text())
    errors = [
        f"{report['filePath'].rsplit('/', 1)[-1]}:{message['line']} {message['ruleId']}: "
        f"{message['message']}"
        for report in reports
        for message in report["messages"]
        if message["severity"] == 2
    ]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stderr
