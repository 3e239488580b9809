"""Settings for the server the browser tests talk to: the test settings on a real database."""

import os

import dj_database_url

from tests.settings import *  # noqa: F403

DATABASES = {"default": dj_database_url.parse(os.environ["SPINECARE_E2E_DATABASE_URL"])}
ROOT_URLCONF = "tests.e2e.urls"
WAGTAILADMIN_BASE_URL = os.environ.get("SPINECARE_E2E_BASE_URL", "http://localhost")
