"""A project with the package installed and ``spinecare_demo`` run, checked as its people use it.

- Visitors: every live page of every site answers 200; the demo clinics' pages take their
  colour from the brand stylesheet, not an inline style.
- An administrator: every admin screen reachable by following the admin's own links answers
  200 (or redirects, or refuses an action that needs a POST).
- Each demo clinic's editor, signed in with the demo password: sees the clinic's patient stories
  and no other clinic's; records consent on one of their own stories, which then appears on the
  clinic's pages, and withdraws it, which takes it down again; cannot record consent on another
  clinic's story.

Run from the project's folder with the project's Python and settings:
    DJANGO_SETTINGS_MODULE=mysite.settings.dev python project_checks.py
"""

import os
import re
import sys
from collections import Counter, deque
from datetime import timedelta
from urllib.parse import urlsplit

sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import escape  # noqa: E402
from wagtail.documents import get_document_model  # noqa: E402
from wagtail.models import Site  # noqa: E402

from wagtail_spinecare.admin import consent_state  # noqa: E402
from wagtail_spinecare.clinic_collections import evidence_collection  # noqa: E402
from wagtail_spinecare.demo.profiles import CLINICS  # noqa: E402
from wagtail_spinecare.management.commands.spinecare_demo import DEMO_PASSWORD  # noqa: E402
from wagtail_spinecare.models import Testimonial  # noqa: E402

# Each demo clinic: its home (the condition index), the condition page, the comparison page.
DEMO_PAGES_PER_CLINIC = 3
ADMIN_LINK = re.compile(r"""href=["']([^"'#]*)["']""")
# Links the crawl does not follow: signing out ends the crawl; a bulk action needs the objects
# chosen in a listing; a page's preview, a revision or a comparison shows a page crawled already.
NOT_FOLLOWED = re.compile(
    r"/logout/|^/admin/bulk/|/preview/|/revisions/\d+/view/|/revisions/compare/"
)
MAX_ADMIN_SCREENS = int(os.environ.get("PROJECT_CHECKS_MAX_ADMIN_SCREENS", "2000"))


def get(client, url, site=None):
    if site is None:
        return client.get(url)
    return client.get(url, HTTP_HOST=site.hostname, SERVER_PORT=str(site.port))


def site_pages(site):
    return site.root_page.get_descendants(inclusive=True).live().specific()


def site_html(client, site) -> str:
    return "".join(
        get(client, page.relative_url(site), site).content.decode() for page in site_pages(site)
    )


def crawl_pages() -> int:
    client = Client()
    demo_hosts = {clinic.hostname for clinic in CLINICS}
    per_site = Counter()
    for site in Site.objects.order_by("hostname"):
        for page in site_pages(site):
            url = page.relative_url(site)
            response = get(client, url, site)
            assert response.status_code == 200, (site.hostname, url, response.status_code)
            if site.hostname in demo_hosts:
                html = response.content.decode()
                assert "brand.css" in html and "<style" not in html, (site.hostname, url)
            per_site[site.hostname] += 1
    for hostname, count in sorted(per_site.items()):
        print(f"  {hostname}: {count} pages answered 200")
    for hostname in demo_hosts:
        assert per_site[hostname] == DEMO_PAGES_PER_CLINIC, (hostname, per_site[hostname])
    total = sum(per_site.values())
    print(f"pages: {total} of {total} answered 200, on {len(per_site)} sites")
    return total


def crawl_admin(client, who) -> int:
    """Follow every admin link from the dashboard; every screen must answer."""
    seen, queue, statuses = {"/admin/"}, deque(["/admin/"]), Counter()
    while queue:
        url = queue.popleft()
        response = client.get(url)
        statuses[response.status_code] += 1
        # 405: a link to an action that takes a POST (Wagtail renders some as forms' targets).
        assert response.status_code in (200, 302, 405), (who, url, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in ADMIN_LINK.findall(response.content.decode()):
            parts = urlsplit(link.replace("&amp;", "&"))
            if parts.netloc or parts.query or not parts.path.startswith("/admin/"):
                continue
            if parts.path in seen or NOT_FOLLOWED.search(parts.path):
                continue
            seen.add(parts.path)
            queue.append(parts.path)
        assert len(seen) <= MAX_ADMIN_SCREENS, f"more than {MAX_ADMIN_SCREENS} admin screens"
    summary = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
    print(f"admin screens as {who}: {sum(statuses.values())} ({summary})")
    return statuses[200]


def log_in(username, password) -> Client:
    client = Client()
    response = client.post("/admin/login/", {"username": username, "password": password})
    assert response.status_code == 302, (username, response.status_code)
    return client


def testimonial_url(action, testimonial) -> str:
    return reverse(f"wagtail_spinecare_testimonial_modeladmin_{action}", args=[testimonial.pk])


def states(queryset) -> dict[int, str]:
    return dict(consent_state.with_consent_state(queryset).values_list("pk", "consent_state"))


def editor_checks(clinic, other) -> int:
    username = f"{clinic.root_slug}-editor"
    site = Site.objects.get(hostname=clinic.hostname)
    other_site = Site.objects.get(hostname=other.hostname)
    client = log_in(username, DEMO_PASSWORD)

    # Their clinic's stories and no other's.
    html = client.get(reverse("wagtail_spinecare_testimonial_modeladmin_index")).content.decode()
    mine = Testimonial.objects.filter(site=site)
    theirs = Testimonial.objects.filter(site=other_site)
    assert mine.exists() and theirs.exists()
    assert all(escape(story.excerpt[:40]) in html for story in mine), username
    assert not any(escape(story.excerpt[:40]) in html for story in theirs), username
    stranger = theirs.first()
    for action in ("inspect", "record_consent", "withdraw"):
        status = client.get(testimonial_url(action, stranger)).status_code
        assert status in (403, 404), (username, action, status)
    print(f"{username}: sees the {mine.count()} stories of {clinic.hostname} and none of the other")

    # A story no page shows, its consent expired or withdrawn: the editor records a new one.
    state = states(mine)
    hidden = (consent_state.ConsentState.EXPIRED, consent_state.ConsentState.WITHDRAWN)
    story = next(s for s in mine.order_by("pk") if state[s.pk] in hidden)
    shown = next(s for s in mine.order_by("pk") if state[s.pk] == consent_state.ConsentState.VALID)
    public = Client()
    before = site_html(public, site)
    assert escape(shown.quote[:40]) in before, "a story with valid consent is not on the pages"
    assert escape(story.quote[:40]) not in before
    previous = story.consent_records.order_by("-pk").first()
    evidence = get_document_model().objects.filter(collection=evidence_collection(site)).first()
    assert evidence is not None, f"no consent evidence in {clinic.hostname}'s collection"
    assert client.get(testimonial_url("inspect", story)).status_code == 200
    assert client.get(testimonial_url("record_consent", story)).status_code == 200
    records = story.consent_records.count()
    response = client.post(
        testimonial_url("record_consent", story),
        {
            "given_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "method": previous.method,
            "evidence": str(evidence.pk),
            "lawful_basis": previous.lawful_basis,
            "wording": previous.wording,
            "wording_version": previous.wording_version,
            "sites": [str(site.pk)],
            "channels": ["web"],
            "details": ["name"],
            "expires_on": (timezone.localdate() + timedelta(days=180)).isoformat(),
        },
    )
    assert response.status_code == 302, (username, "record_consent", response.status_code)
    assert story.consent_records.count() == records + 1
    record = story.consent_records.order_by("-pk").first()
    assert record.captured_by.username == username
    assert list(record.sites.all()) == [site]
    assert states(mine)[story.pk] == consent_state.ConsentState.VALID
    assert escape(story.quote[:40]) in site_html(public, site), "recorded, but not shown"
    assert escape(story.quote[:40]) not in site_html(public, other_site)
    print(f"{username}: recorded consent on '{story.excerpt[:40]}…': the story is on the pages")

    # The patient changes their mind: the editor withdraws it and the story comes down.
    assert client.get(testimonial_url("withdraw", story)).status_code == 200
    response = client.post(testimonial_url("withdraw", story), {"channel": "email"})
    assert response.status_code == 302, (username, "withdraw", response.status_code)
    record.refresh_from_db()
    assert record.withdrawn_at is not None and record.withdrawal_channel == "email"
    assert states(mine)[story.pk] == consent_state.ConsentState.WITHDRAWN
    assert escape(story.quote[:40]) not in site_html(public, site), "withdrawn, but still shown"
    print(f"{username}: withdrew that consent: the story is off the pages")

    # Nothing recorded on another clinic's story, whatever is posted.
    records = stranger.consent_records.count()
    response = client.post(testimonial_url("record_consent", stranger), {"sites": [str(site.pk)]})
    assert response.status_code in (403, 404), (username, response.status_code)
    assert stranger.consent_records.count() == records
    return crawl_admin(client, username)


def main():
    crawl_pages()
    User = get_user_model()
    if not User.objects.filter(username="checks-admin").exists():
        User.objects.create_superuser("checks-admin", "checks-admin@example.com", DEMO_PASSWORD)
    crawl_admin(log_in("checks-admin", DEMO_PASSWORD), "an administrator")
    first, second = CLINICS
    editor_checks(first, second)
    editor_checks(second, first)
    print("project checks: passed")


if __name__ == "__main__":
    main()
