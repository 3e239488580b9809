"""Settings for two application servers behind Varnish (``bench/across_servers.py``).

The benchmark's settings with the page cache and its middleware on, the admin (changes are
made through it, as editors make them), Redis as the shared cache and Wagtail's frontend cache
purging Varnish (or, with ``SPINECARE_SERVERS_CACHE=locmem``, each process's own memory).
``SPINECARE_SERVERS_DATABASE`` (a database URL, SQLite in ``BENCH_DIR`` when
unset), ``SPINECARE_SERVERS_REDIS`` and ``SPINECARE_SERVERS_VARNISH`` (Varnish's address) are
set by the harness.
"""

import os

os.environ.setdefault("BENCH_MODE", "pagecache")

from bench.databases import django_databases  # noqa: E402
from bench.settings import *  # noqa: E402, F403
from bench.settings import BENCH_DIR, INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.contrib.frontend_cache"]
ROOT_URLCONF = "bench.servers_urls"

DATABASES = django_databases(
    os.environ.get("SPINECARE_SERVERS_DATABASE"), BENCH_DIR / "servers.sqlite3"
)

if os.environ.get("SPINECARE_SERVERS_CACHE") == "locmem":
    # A new project's default: each process keeps its own, the generation is in the database.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("SPINECARE_SERVERS_REDIS", "redis://127.0.0.1:6379/12"),
            "KEY_PREFIX": os.environ.get("SPINECARE_SERVERS_PREFIX", "spinecare-servers"),
        }
    }

# Both caches of the package, as production runs them; PageCacheMiddleware comes from the
# benchmark's settings (BENCH_MODE=pagecache), last but for the render stamp.
WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600
WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 600

# Empty while the database is built, before Varnish runs: nothing to purge then.
if os.environ.get("SPINECARE_SERVERS_VARNISH", "http://127.0.0.1:6081"):
    WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ.get("SPINECARE_SERVERS_VARNISH", "http://127.0.0.1:6081"),
        }
    }
