"""Purging cached copies of pages when what they show changes.

The frontend cache (``wagtail.contrib.frontend_cache``) is purged only when that app is
installed and configured; otherwise there is nothing to purge and nothing fails.
"""

from django.apps import apps
from django.conf import settings
from wagtail.models import Page, ReferenceIndex


def frontend_cache_enabled() -> bool:
    return apps.is_installed("wagtail.contrib.frontend_cache") and bool(
        getattr(settings, "WAGTAILFRONTENDCACHE", None)
    )


def purge_pages(pages) -> None:
    pages = [page for page in pages if page is not None and page.live]
    if not pages or not frontend_cache_enabled():
        return
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.purge()


def pages_referring_to(obj):
    """Live pages whose content refers to ``obj`` (Wagtail's reference index)."""
    page_ids = {
        int(reference.object_id)
        for reference in ReferenceIndex.get_references_to(obj).filter(
            base_content_type=ReferenceIndex._get_base_content_type(Page)
        )
    }
    return list(Page.objects.filter(pk__in=page_ids).live().specific())


def purge_pages_showing(testimonial) -> None:
    pages = pages_referring_to(testimonial)
    if testimonial.condition_page_id:
        pages.append(testimonial.condition_page)
    purge_pages(pages)
