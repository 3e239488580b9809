"""A project with the API, search and sitemaps wired as the docs show, checked against the
demo clinics as a front end, a patient searching and a search engine would use them.

- API: each demo clinic's facet joint page, from ``/api/v2/pages/<id>/`` on the clinic's own
  host, holds every value its HTML shows (quick answer, section headings, questions and
  answers, review date and reviewer, booking links); nothing in it is in UK words where the
  HTML is in US words; a story withdrawn is gone from the next response; bad input is 400.
- Search: ``/search/?query=facet`` on each clinic's host finds that clinic's page and no
  other site's page; a word found only in the shared page's body finds it too.
- Sitemaps: each site's ``/sitemap.xml`` lists its own condition and comparison pages, each
  with ``lastmod``, and no page of another site or of the shared library.

Run from the project's folder with the project's Python and settings, after ``spinecare_demo``:
    DJANGO_SETTINGS_MODULE=mysite.settings.dev python front_end_checks.py
"""

import html
import json
import os
import re
import sys
from urllib.parse import urlsplit

sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402

from wagtail_spinecare import consent_actions  # noqa: E402
from wagtail_spinecare.demo.profiles import CLINICS  # noqa: E402
from wagtail_spinecare.models import Testimonial  # noqa: E402

SLUG = "facet-joint-back-pain"
TAG = re.compile(r"<[^>]+>")
UK_WORDS = ("programme", "mobilisation", "anaesthetic", "orthopaedic", "centre", "behaviour")


def text(value: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", value)).split())


def strings(value):
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def get(client, site, url, **params):
    return client.get(url, params, HTTP_HOST=site.hostname, SERVER_PORT=str(site.port))


def shown_values(page_html: str) -> dict[str, list[str]]:
    """What a patient reads on the page that a front end must have too."""
    article = page_html.split("<main", 1)[1].split("</main>", 1)[0]
    return {
        "quick answer": re.findall(r'class="sc-quick-answer__text">(.*?)</p>', article, re.S),
        "section heading": re.findall(r'<h2 class="sc-section__heading">(.*?)</h2>', article, re.S),
        "question": re.findall(r'<summary class="sc-faq__question">(.*?)</summary>', article, re.S),
        "answer": re.findall(r'<div class="sc-faq__answer">(.*?)</div>', article, re.S),
        "review date": re.findall(r'<time datetime="([0-9-]+)"', article),
        # The booking buttons of the body; the header's, sidebar's and bar's are the page's
        # frame, which a front end draws from the clinic's booking link.
        "booking link": [
            html.unescape(href)
            for href in re.findall(
                r'<p class="sc-cta__actions">\s*<a class="sc-button" href="([^"]+)"', article
            )
        ],
    }


def check_api(client, site, page) -> str:
    """The API detail of ``page`` holds every value its HTML shows; returns the detail's text."""
    page_html = get(client, site, page.relative_url(site)).content.decode()
    response = get(client, site, f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200, (site.hostname, response.status_code)
    assert "no-store" in response["Cache-Control"], response["Cache-Control"]
    detail = response.json()
    raw = list(strings(detail))
    api_text = "\n".join(text(value) for value in raw)
    missing, counted = [], 0
    for kind, values in shown_values(page_html).items():
        assert values, f"{site.hostname}: no {kind} on the page"
        for value in values:
            counted += 1
            wanted = value if kind == "booking link" else text(value)
            if wanted not in (raw if kind == "booking link" else api_text):
                missing.append(f"{kind}: {wanted[:80]}")
    reviewer = page.specific.reviewed_by if hasattr(page.specific, "reviewed_by") else None
    if reviewer is None and getattr(page.specific, "shared_page", None):
        reviewer = page.specific.shared_page.specific.reviewed_by
    if reviewer is not None:
        counted += 1
        if reviewer.name not in api_text:
            missing.append(f"reviewer: {reviewer.name}")
    assert not missing, f"{site.hostname}: in the HTML, not in the API: {missing}"
    # The clinic's words: the shared text (people's own titles are theirs, in either words).
    page_text = text(page_html).lower()
    shared_text = " ".join(
        text(value)
        for field in ("title", "other_names", "quick_answer", "body")
        for value in strings(detail.get(field))
    ).lower()
    for word in UK_WORDS:
        if word not in page_text:
            assert word not in shared_text, f"{site.hostname}: the API says {word!r}"
    print(f"  {site.hostname}: page {page.pk}, {counted} values of the HTML, all in the API")
    return json.dumps(detail)


def check_withdrawal(client, pages) -> None:
    """A story shown through the API is gone from the next response once withdrawn."""
    for site, page, detail in pages:
        for story in Testimonial.objects.filter(site=site):
            if story.quote[:60] in detail:
                stories = get(client, site, "/api/v2/stories/").content.decode()
                assert story.quote[:60] in stories, (site.hostname, story.pk)
                assert consent_actions.withdraw(story, channel="email")
                again = get(client, site, f"/api/v2/pages/{page.pk}/").content.decode()
                assert story.quote[:60] not in again, (site.hostname, story.pk)
                stories = get(client, site, "/api/v2/stories/").content.decode()
                assert story.quote[:60] not in stories, (site.hostname, story.pk)
                print(f"  {site.hostname}: story {story.pk} withdrawn, gone from the next response")
                return
    raise AssertionError("no demo clinic's page shows a story through the API")


def check_bad_input(client, site) -> None:
    for query in (
        {"type": "nope.Nope"},
        {"type": "wagtail_spinecare.ConditionPage", "fields": "nope"},
        {"limit": "1000000000"},
        {"child_of": "abc"},
    ):
        status = get(client, site, "/api/v2/pages/", **query).status_code
        assert status == 400, (query, status)
    for query in ("a" * 10_000, "'; DROP TABLE wagtailcore_page;--", '%_\\"'):
        status = get(client, site, "/search/", query=query).status_code
        assert status == 200, (query[:20], status)
    print("  bad input: the API answers 400, search 200")


def found(client, site, query) -> set[str]:
    page_html = get(client, site, "/search/", query=query).content.decode()
    results = page_html.split("sc-search__results", 1)[-1].split("</ol>", 1)[0]
    return set(re.findall(r'<h2[^>]*><a href="([^"]+)"', results))


def check_search(client, site, page, detail: str) -> None:
    own = page.relative_url(site)
    hits = found(client, site, "facet")
    assert own in hits, (site.hostname, hits)
    theirs = {page.relative_url(site) for page in site.root_page.get_descendants().live()}
    assert hits <= theirs, (site.hostname, hits - theirs)
    # A long word of the body's text (its rich text paragraphs) that is in neither the title,
    # the quick answer nor a heading: found only in the shared page's body.
    page_html = get(client, site, own).content.decode()
    body = " ".join(text(p) for p in re.findall(r"<p>(.*?)</p>", page_html))
    shown = json.loads(detail)
    summary = " ".join(
        [page.title, shown["quick_answer"], *re.findall(r"<h[1-6][^>]*>(.*?)</h", page_html)]
    ).lower()
    words = [word for word in re.findall(r"[a-z]{9,}", body.lower()) if word not in summary]
    hits = found(client, site, words[0])
    assert own in hits, (site.hostname, words[0], hits)
    assert hits <= theirs, (site.hostname, hits - theirs)
    print(f"  {site.hostname}: 'facet' and {words[0]!r} find its own pages, its page among them")


def check_sitemap(client, site) -> None:
    response = get(client, site, "/sitemap.xml")
    assert response.status_code == 200, (site.hostname, response.status_code)
    xml = response.content.decode()
    entries = re.findall(r"<url>(.*?)</url>", xml, re.S)
    locations = [re.search(r"<loc>(.*?)</loc>", entry).group(1) for entry in entries]
    for entry, location in zip(entries, locations, strict=True):
        assert urlsplit(location).hostname == site.hostname, (site.hostname, location)
        assert "<lastmod>" in entry, (site.hostname, location)
    root = site.root_page
    expected = {
        page.specific.full_url
        for page in root.get_descendants().live().public()
        if page.specific_class.__name__
        in ("ConditionPage", "ClinicConditionPage", "TreatmentComparisonPage")
    }
    assert expected <= set(locations), (site.hostname, expected - set(locations))
    library = Page.objects.filter(depth__gt=1, content_type__model="conditionlibrarypage").first()
    if library is not None:
        below = {p.url_path for p in library.get_descendants(inclusive=True)}
        assert not any(urlsplit(loc).path in below for loc in locations), site.hostname
    print(f"  {site.hostname}: sitemap lists {len(locations)} pages of its own, each with lastmod")


def main() -> None:
    client = Client()
    checked = []
    for clinic in CLINICS:
        site = Site.objects.get(hostname=clinic.hostname)
        page = Page.objects.descendant_of(site.root_page).get(slug=SLUG)
        checked.append((site, page, check_api(client, site, page)))
    for site, page, detail in checked:
        check_search(client, site, page, detail)
        check_sitemap(client, site)
    check_bad_input(client, checked[0][0])
    check_withdrawal(client, checked)
    print(f"front end: API, search and sitemaps checked on {len(checked)} clinics' sites")


if __name__ == "__main__":
    main()
