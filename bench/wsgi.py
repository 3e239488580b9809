"""WSGI entry point for serving the benchmark database with gunicorn (``bench.wsgi``).

With ``BENCH_PAGE_CACHE_WSGI=1`` the page cache answers in front of Django
(``wagtail_spinecare.wsgi.with_page_cache``), as a project's ``wsgi.py`` would wrap it.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

application = get_wsgi_application()

if os.environ.get("BENCH_PAGE_CACHE_WSGI") == "1":
    from wagtail_spinecare.wsgi import with_page_cache

    application = with_page_cache(application)
