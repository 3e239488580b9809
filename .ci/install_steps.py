"""The installation steps of docs/installation.md, applied to a project as its developer would.

Each step adds only what the project lacks: an app it lists already (bakerydemo lists
``wagtail.contrib.settings``) is left alone. Prints what it changed.
Usage: python install_steps.py SETTINGS_FILE URLS_FILE
"""

import ast
import sys
from pathlib import Path

APPS = ["wagtail_spinecare", "wagtail_modeladmin", "wagtail.contrib.settings"]
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


def settings_steps(path: Path) -> None:
    text = path.read_text()
    missing = [app for app in APPS if app not in listed_apps(text)]
    if missing:
        added = "".join(f'    "{app}",\n' for app in missing)
        text = text.replace("INSTALLED_APPS = [\n", f"INSTALLED_APPS = [\n{added}", 1)
        print(f"{path}: added {', '.join(missing)} to INSTALLED_APPS")
    for app in set(APPS) - set(missing):
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


if __name__ == "__main__":
    settings_file, urls_file = map(Path, sys.argv[1:])
    settings_steps(settings_file)
    url_steps(urls_file)
