"""Two application servers behind Varnish: what an editor takes down is gone for every visitor.

Runs ``bench/across_servers.py`` once for the module (about a minute): its own servers, its own
database and Redis keys, not pytest-django's. Skipped without varnishd, wrk or gunicorn, or
where bench/ is not beside the tests, unless ``SPINECARE_E2E_REQUIRED`` is set (then missing
tools fail). On PostgreSQL, each change's commit is made 0.3 s slower
(``SPINECARE_SERVERS_SLOW_COMMIT`` to change it), so that a purge sent before the commit, or a
page rendered from the data before it and reaching Varnish after, would show.
"""

import os

import pytest

across_servers = pytest.importorskip(
    "bench.across_servers", reason="the benchmark (bench/) is not beside the tests"
)

# One worker runs the whole module: the servers are started once, and the load would slow
# every other test on the machine's cores at once.
pytestmark = pytest.mark.xdist_group("across-servers")

DURATION = 6  # seconds of wrk load around each change
CHANGES = ("withdraw", "publish", "restrict")


@pytest.fixture(scope="module", params=["redis", "locmem"])
def results(request):
    """With Redis shared by both servers, and with each process's own memory (a new
    project's default), where the caches' generation is read from the database."""
    missing = across_servers.missing_tools()
    if missing:
        reason = "two servers behind Varnish need " + ", ".join(missing)
        if os.environ.get("SPINECARE_E2E_REQUIRED"):
            pytest.fail(reason)
        pytest.skip(reason)
    results = across_servers.run(DURATION, across_servers.slow_commit_s(), cache=request.param)
    print(across_servers.markdown(results))
    return {change["key"]: change for change in results["changes"]}


@pytest.mark.parametrize("key", CHANGES)
def test_no_response_started_after_the_change_shows_what_it_took_away(results, key):
    change = results[key]
    assert change["after"] > 0
    assert change["stale_after_commit"] == 0, change["stale_examples"]
    assert change["stale_renders"] == []


@pytest.mark.parametrize("key", CHANGES)
def test_no_errors(results, key):
    change = results[key]
    assert change["errors"] == 0, change["error_examples"]
    assert change["wrk"]["non_2xx"] == 0
    assert change["wrk"]["socket_errors"] == 0


@pytest.mark.parametrize("key", CHANGES)
def test_varnish_served_the_page_from_its_cache_before_the_change(results, key):
    """Otherwise nothing needed purging, and the check above proves nothing."""
    change = results[key]
    assert change["before_holding"] == change["before"] > 0
    assert change["before_from_varnish_cache"] == change["before_through_varnish"] > 0
    assert change["varnish"]["cache_hit"] > change["varnish"]["cache_miss"]
    assert change["varnish"]["n_purges"] > 0


@pytest.mark.parametrize("key", CHANGES)
def test_the_page_shows_the_change(results, key):
    assert results[key]["problems"] == []
