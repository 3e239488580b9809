"""Load both demo clinics and an editor login into the browser tests' database.

Run as ``python -m tests.e2e.prepare PORT`` with the e2e settings; prints the public pages as
JSON on the last line.
"""

import json
import sys

import django


def main(port: int) -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from wagtail.models import Site

    from wagtail_spinecare.demo.profiles import HOSTNAMES

    call_command("migrate", verbosity=0, interactive=False)
    call_command("spinecare_demo", port=port, editor_accounts=True, verbosity=0, stdout=sys.stderr)
    get_user_model().objects.create_superuser("editor", "editor@example.com", "e2e-password")
    pages = []
    for site in Site.objects.filter(hostname__in=HOSTNAMES).order_by("hostname"):
        for page in site.root_page.get_descendants(inclusive=True).live().specific():
            pages.append(
                {
                    "site": site.hostname,
                    "site_id": site.pk,
                    "id": page.pk,
                    "title": page.title,
                    "type": page.specific_class.__name__,
                    "url": f"http://{site.hostname}:{port}{page.relative_url(site)}",
                }
            )
    print(json.dumps(pages))


if __name__ == "__main__":
    main(int(sys.argv[1]))
