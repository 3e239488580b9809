"""Settings for the server the browser tests talk to: the test settings on a real database."""

import os

import dj_database_url

from tests.settings import *  # noqa: F403

DATABASES = {"default": dj_database_url.parse(os.environ["SPINECARE_E2E_DATABASE_URL"])}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The server answers in threads; on a loaded machine a write may wait for another.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
ROOT_URLCONF = "tests.e2e.urls"
WAGTAILADMIN_BASE_URL = os.environ.get("SPINECARE_E2E_BASE_URL", "http://localhost")

# A failing browser test shows the server log's last lines: with them, any error's traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}

# Wagtail's autosave turns the add view into the edit view once it has saved a draft, which
# races the editor tests' own clicks and counted actions. What autosave posts (partial pages,
# answered as JSON) is tested in tests/test_admin_validation.py.
WAGTAIL_AUTOSAVE_INTERVAL = 0
