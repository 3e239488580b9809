"""The installation steps of docs/installation.md, applied to a project as its developer would.

Each step adds only what the project lacks: an app it lists already (bakerydemo lists
``wagtail.contrib.settings``) is left alone. Prints what it changed. With ``--front-end``, also
the API, search and sitemaps as docs/api.md and docs/search-and-sitemaps.md show them; the
search view takes the place of a ``wagtail start`` project's own.
Usage: python install_steps.py SETTINGS_FILE URLS_FILE [--front-end]
"""

import ast
import sys
from pathlib import Path

APPS = ["wagtail_spinecare", "wagtail_modeladmin", "wagtail.contrib.settings"]
FRONT_END_APPS = [
    "rest_framework",
    "wagtail.api.v2",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
]
FRONT_END_IMPORTS = (
    "from wagtail.api.v2.router import WagtailAPIRouter\n"
    "from wagtail.contrib.sitemaps.views import sitemap\n\n"
    "from wagtail_spinecare.api import ImagesAPIViewSet, PagesAPIViewSet, TestimonialsAPIViewSet\n"
    "from wagtail_spinecare.search import search_view\n\n"
    'api_router = WagtailAPIRouter("wagtailapi")\n'
    'api_router.register_endpoint("pages", PagesAPIViewSet)\n'
    'api_router.register_endpoint("images", ImagesAPIViewSet)\n'
    'api_router.register_endpoint("stories", TestimonialsAPIViewSet)\n\n'
)
FRONT_END_URLS = (
    'path("api/v2/", api_router.urls),',
    'path("sitemap.xml", sitemap),',
)
STARTER_SEARCH = 'path("search/", search_views.search, name="search"),'
SPINECARE_SEARCH = 'path("search/", search_view, name="search"),'
WAGTAIL_URLS = 'path("", include(wagtail_urls)),'
SERVE_MEDIA = "urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)"
# Only images from MEDIA_URL: documents (consent evidence) go through Wagtail's own view.
SERVE_IMAGES = (
    "from django.urls import re_path\n"
    "    from django.views.static import serve\n\n"
    "    urlpatterns += [\n"
    "        re_path(\n"
    '            r"^media/(?P<path>(?:original_images|images)/.+)$",\n'
    "            serve,\n"
    '            {"document_root": settings.MEDIA_ROOT},\n'
    "        )\n"
    "    ]"
)


def listed_apps(text: str) -> list[str]:
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", None) == "INSTALLED_APPS" for target in node.targets
        ):
            return [element.value for element in node.value.elts]
    raise SystemExit("no INSTALLED_APPS list found")


def settings_steps(path: Path, apps=APPS) -> None:
    text = path.read_text()
    missing = [app for app in apps if app not in listed_apps(text)]
    if missing:
        added = "".join(f'    "{app}",\n' for app in missing)
        text = text.replace("INSTALLED_APPS = [\n", f"INSTALLED_APPS = [\n{added}", 1)
        print(f"{path}: added {', '.join(missing)} to INSTALLED_APPS")
    for app in set(apps) - set(missing):
        print(f"{path}: {app} is listed already")
    assert listed_apps(text).count("wagtail.contrib.settings") == 1
    path.write_text(text)


def url_steps(path: Path) -> None:
    text = path.read_text()
    assert WAGTAIL_URLS in text, f"{path} does not include Wagtail's URLs as expected"
    indent = text.split(WAGTAIL_URLS)[0].rsplit("\n", 1)[1]
    text = text.replace(
        WAGTAIL_URLS,
        f'path("spinecare/", include("wagtail_spinecare.urls")),\n{indent}{WAGTAIL_URLS}',
        1,
    )
    print(f"{path}: included wagtail_spinecare.urls before Wagtail's own")
    if SERVE_MEDIA in text:
        text = text.replace(SERVE_MEDIA, SERVE_IMAGES, 1)
        print(f"{path}: serves only images from MEDIA_URL in development")
    path.write_text(text)


def front_end_steps(path: Path) -> None:
    text = path.read_text()
    indent = text.split(WAGTAIL_URLS)[0].rsplit("\n", 1)[1]
    text = text.replace("\nurlpatterns = [", f"\n{FRONT_END_IMPORTS}urlpatterns = [", 1)
    added = "".join(f"{url}\n{indent}" for url in FRONT_END_URLS)
    if STARTER_SEARCH in text:
        text = text.replace(STARTER_SEARCH, "", 1)
        print(f"{path}: the project's own search view left out")
    added += f"{SPINECARE_SEARCH}\n{indent}"
    text = text.replace(WAGTAIL_URLS, f"{added}{WAGTAIL_URLS}", 1)
    print(f"{path}: the API at /api/v2/, search at /search/ and /sitemap.xml")
    path.write_text(text)


if __name__ == "__main__":
    settings_file, urls_file = map(Path, sys.argv[1:3])
    settings_steps(settings_file)
    url_steps(urls_file)
    if "--front-end" in sys.argv[3:]:
        settings_steps(settings_file, FRONT_END_APPS)
        front_end_steps(urls_file)
