"""POST data for the Wagtail page editor, which builds StreamField inputs in JavaScript."""

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield


def listblock(items):
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i), "id": ""}
        for i, value in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def faq_form(items, heading="Common questions"):
    return {
        "heading": heading,
        "items": listblock([{"question": q, "answer": rich_text(a)} for q, a in items]),
    }


def cta_form(label="Book an assessment", link="", **extra):
    return {
        "heading": "",
        "text": "",
        "label": label,
        "link": link,
        "show_phone": "on",
        **extra,
    }


EMPTY_INLINES = {
    f"{prefix}-{key}": value
    for prefix in ("comments", "spinecare_sources")
    for key, value in (
        ("TOTAL_FORMS", "0"),
        ("INITIAL_FORMS", "0"),
        ("MIN_NUM_FORMS", "0"),
        ("MAX_NUM_FORMS", "1000"),
    )
}


def condition_page_form(body=(), **fields):
    data = {
        "title": "Facet joint back pain",
        "slug": "facet-joint-back-pain",
        "alternative_names": "",
        "quick_answer": "Most people get better with exercise.",
        "body": streamfield(list(body)),
        "reviewed_by": "",
        "last_reviewed": "",
        "next_review_due": "",
        "disclaimer": "",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        **EMPTY_INLINES,
    }
    data.update(fields)
    return nested_form_data(data)
