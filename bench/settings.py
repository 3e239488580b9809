"""Settings for the benchmark: a file SQLite database and media in one temporary directory.

The directory comes from ``BENCH_DIR`` so that the benchmark, its subprocesses and gunicorn
workers share one database; ``BENCH_DATABASE=postgres`` uses the PostgreSQL database at
``BENCH_DATABASE_URL`` instead. ``BENCH_MODE`` picks the caching under test (see the block
below), ``BENCH_REDIS`` the cache backend (1: Redis, 0: local memory, unset: Redis if it
answers); the benchmark sets 0 for its in-process measurements, as a new project has it.
"""

import os
import tempfile
from importlib.util import find_spec
from pathlib import Path

from bench.databases import django_databases
from bench.redis_ping import REDIS_URL, redis_answers
from example_site.settings.base import INSTALLED_APPS as SITE_APPS

BENCH_DIR = Path(os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="spinecare-bench-"))
BENCH_MODE = os.environ.get("BENCH_MODE", "")  # "", "pagecache" or "middleware"

SECRET_KEY = "bench-only"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]

# The demo project's apps, as a clinic's own project would list them, and the plain page.
INSTALLED_APPS = ["bench.naive", *SITE_APPS]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Innermost: marks every response the view stack produced, so the benchmark can tell
    # a rendered page from one served by a cache.
    "bench.middleware.RenderStampMiddleware",
]

ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# BENCH_DATABASE: "sqlite" (a file in BENCH_DIR) or "postgres" (BENCH_DATABASE_URL, a database
# the benchmark created for this run).
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "sqlite")
DATABASES = django_databases(
    os.environ["BENCH_DATABASE_URL"] if BENCH_DATABASE == "postgres" else None,
    BENCH_DIR / "bench.sqlite3",
)


def use_redis() -> bool:
    wanted = os.environ.get("BENCH_REDIS", "")
    if wanted in ("0", "1"):
        return wanted == "1"
    return find_spec("redis") is not None and redis_answers()


if use_redis():
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "spinecare-bench",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Spinecare caching ----------------------------------------------------------------------
# Everything the benchmark switches for the package's own caches is in this block. All of it is
# on only when serving with BENCH_MODE=pagecache; in-process measurements render every page.
#
# The page cache: whole rendered pages for anonymous visitors, in seconds (0 or absent: off).
WAGTAIL_SPINECARE_PAGE_CACHE_TIMEOUT = 600 if BENCH_MODE == "pagecache" else 0
# The bench counts hits and misses by this header.
WAGTAIL_SPINECARE_CACHE_HEADER = True
#
# The fragment cache: page bodies per site (0: off). The in-process measurements switch it
# on and off per request; served pages use it as production does.
WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT = 600
#
# PageCacheMiddleware serves cached pages before the other middleware run. It goes right
# after SecurityMiddleware, as docs/performance.md says. BENCH_PAGE_CACHE_MIDDLEWARE (1 or 0)
# is set by the benchmark: 1 when the module imports.
PAGE_CACHE_MIDDLEWARE = "wagtail_spinecare.middleware.PageCacheMiddleware"
USE_PAGE_CACHE_MIDDLEWARE = (
    BENCH_MODE == "pagecache"
    and os.environ.get("BENCH_PAGE_CACHE_MIDDLEWARE", "") != "0"
    and find_spec("wagtail_spinecare.middleware") is not None
)
if USE_PAGE_CACHE_MIDDLEWARE:
    MIDDLEWARE.insert(1, PAGE_CACHE_MIDDLEWARE)
# ---------------------------------------------------------------------------------------------

if BENCH_MODE == "middleware":
    # Django's per-site cache, for comparison with the page cache.
    MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    CACHE_MIDDLEWARE_SECONDS = 600
    CACHE_MIDDLEWARE_KEY_PREFIX = "site"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-gb"
STATIC_URL = "/static/"
MEDIA_ROOT = str(BENCH_DIR / "media")
MEDIA_URL = "/media/"
WAGTAIL_SITE_NAME = "Spinecare benchmark"
WAGTAILADMIN_BASE_URL = "http://spinecare.bench"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
