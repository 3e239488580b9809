"""Checks that a page shows the intended content, so timings compare like with like."""

from html import escape
from html.parser import HTMLParser

from . import content

# What each page shows once per copy of the content: (marker in the HTML, how many).
EXPECTED = {
    "spinecare": {
        "sections": ('<section class="sc-section ', len(content.SECTIONS)),
        "figures": ('class="sc-figure"', 6),
        "questions": ('class="sc-faq__item"', len(content.FAQ)),
        "stories": ('class="sc-testimonial"', len(content.STORIES)),
        "booking buttons": ('class="sc-cta"', 2),
        "treatments": ('class="sc-comparison__row"', len(content.TREATMENTS)),
    },
    "naive": {
        "sections": ('class="section-heading"', len(content.SECTIONS)),
        "figures": ('<figure class="figure">', 6),
        "questions": ("<details>", len(content.FAQ)),
        "stories": ('class="testimonial"', len(content.STORIES)),
        "booking buttons": ('class="cta"', 2),
        "treatments": ('<th scope="row">', len(content.TREATMENTS)),
    },
}


def _as_html(text: str) -> str:
    """Rich text is stored as HTML; everything else is escaped by the templates."""
    return text if text.startswith("<") else escape(text)


def expected_texts(words: tuple[str, str] | None = None) -> list[str]:
    """Every text the page shows; ``words``: (from, to) regions, for shared content shown in
    a clinic's words (the page's text and the treatments, written in the library's words,
    change; stories and guidelines' conditions are not the page's)."""
    texts = content.visible_texts(stories=False)
    treatments = [text for t in content.TREATMENTS for text in (t.name, t.summary)]
    if words:
        from wagtail_spinecare.terminology import adapt_text, terminology_for

        source, target = (terminology_for(region) for region in words)
        texts = [adapt_text(text, source, target) for text in texts]
        treatments = [adapt_text(text, source, target) for text in treatments]
    for story in content.STORIES:
        texts += [story.quote, story.shown_name]
    texts += treatments
    for treatment in content.TREATMENTS:
        texts += [caveats for _number, _strength, caveats in treatment.recommendations]
    return [_as_html(text) for text in texts if text]


def content_problems(
    kind: str, repeat: int, html: str, words: tuple[str, str] | None = None
) -> list[str]:
    """What differs from the intended content: missing words, or parts shown too few times.

    ``words``: the content is shared, written in the first region's words and shown in the
    second's.
    """
    problems = []
    for name, (marker, per_copy) in EXPECTED[kind].items():
        found = html.count(marker)
        if found != per_copy * repeat:
            problems.append(f"{name}: {found} shown, {per_copy * repeat} intended")
    missing = [text for text in expected_texts(words) if text not in html]
    if missing:
        problems.append(f"{len(missing)} texts missing, first: {missing[0][:60]!r}")
    return problems


def clinic_problems(html: str, own: str, other: str) -> list[str]:
    """A clinic's page must name that clinic and never another."""
    problems = []
    if escape(own) not in html:
        problems.append(f"{own!r} is not named on its own page")
    if escape(other) in html:
        problems.append(f"{other!r} appears on {own!r}'s page")
    return problems


def shared_problems(html: str) -> list[str]:
    """A clinic page drawing on shared content adds its clinic's introduction and clinicians."""
    problems = []
    if escape(content.CLINIC_INTRODUCTION) not in html:
        problems.append("the clinic's introduction is not shown")
    if 'class="sc-clinicians"' not in html:
        problems.append("the clinic's clinicians are not shown")
    return problems


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.types = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.types.append(dict(attrs).get("type") or "text/javascript")


def scripts_other_than_json_ld(html: str) -> list[str]:
    """The type of every <script> on the page that is not JSON-LD data."""
    parser = _Scripts()
    parser.feed(html)
    return [kind for kind in parser.types if kind != "application/ld+json"]
