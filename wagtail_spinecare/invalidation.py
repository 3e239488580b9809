"""Which cached copies of pages go stale when something changes, and purging them.

The page and fragment caches (:mod:`wagtail_spinecare.cache`) are made stale at once. The
frontend cache (``wagtail.contrib.frontend_cache``) is purged only when that app is
installed and configured; otherwise there is nothing to purge and nothing fails.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.search import index

from .cache import invalidate_pages
from .conf import frontend_cache_enabled
from .models import (
    ClinicConditionPage,
    Clinician,
    ClinicSettings,
    ConditionLibraryPage,
    ConditionPage,
    Guideline,
    GuidelineRecommendation,
    Treatment,
    TreatmentComparisonPage,
)


def purge_pages(pages, urls=()) -> None:
    """Purge ``pages`` and every clinic's page that shows one of them as shared content
    (also when the shared page itself has just been unpublished), and ``urls``."""
    pages = [page for page in pages if page is not None]
    if not (pages or urls) or not frontend_cache_enabled():
        return
    pages = [page for page in pages + with_clinic_pages(pages) if page.live]
    # Imported here: the frontend cache app is optional, and may not be installed.
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_pages(pages)
    batch.add_urls(urls)
    batch.purge()


def with_clinic_pages(pages) -> list:
    """The live clinic pages drawing on any of ``pages`` (shared condition pages)."""
    ids = [page.pk for page in pages]
    if not ids:
        return []
    return list(ClinicConditionPage.objects.live().filter(shared_page_id__in=ids))


def pages_referring_to(obj):
    """Live pages whose content refers to ``obj`` (Wagtail's reference index)."""
    page_ids = {
        int(reference.object_id)
        for reference in ReferenceIndex.get_references_to(obj).filter(
            base_content_type=ContentType.objects.get_for_model(Page)
        )
    }
    return list(Page.objects.filter(pk__in=page_ids).live().specific())


def purge_pages_showing(testimonial) -> None:
    """Once the change commits, purge the pages that chose ``testimonial``, and its
    condition's page, whose latest testimonials may show it.

    Not before: a frontend cache asked for the page again between the purge and the commit
    would keep it from the data before the change.
    """
    if not frontend_cache_enabled():
        return
    pages = pages_referring_to(testimonial)
    if testimonial.condition_page_id:
        pages.append(testimonial.condition_page)
    purge_on_commit(pages)


def pages_affected_by(instance) -> list:
    """Live pages whose rendering shows ``instance`` (a treatment, a clinic's settings…).

    A shared condition page among them stands for the clinics' pages that show it: see
    :func:`purge_pages`.
    """
    if isinstance(instance, ClinicSettings):
        root = instance.site.root_page
        return list(root.get_descendants(inclusive=True).live().specific())
    if isinstance(instance, Treatment):
        return pages_referring_to(instance)
    if isinstance(instance, GuidelineRecommendation):
        return pages_referring_to(instance.treatment)
    if isinstance(instance, Guideline):
        treatments = Treatment.objects.filter(recommendations__guideline=instance).distinct()
        return [page for treatment in treatments for page in pages_referring_to(treatment)]
    if isinstance(instance, Clinician):
        # Pages name their reviewer; clinics' pages name their clinicians.
        return [
            *ConditionPage.objects.live().filter(reviewed_by=instance),
            *TreatmentComparisonPage.objects.live().filter(reviewed_by=instance),
            *ClinicConditionPage.objects.live().filter(clinicians=instance),
        ]
    if isinstance(instance, ConditionPage):
        # A shared page: purge_pages adds the clinics' pages that show it.
        return [instance]
    if isinstance(instance, ConditionLibraryPage):
        # Its words and canonical choice show on every clinic page of its shared pages.
        return list(ConditionPage.objects.child_of(instance).live())
    if isinstance(instance, TreatmentComparisonPage):
        # Condition pages list the comparisons that link to them.
        return list(instance.conditions.live())
    return []


def content_changed(sender, instance=None, **kwargs) -> None:
    """A signal receiver: cached copies of whatever shows ``instance`` are now stale."""
    invalidate_pages()
    if instance is not None and frontend_cache_enabled():
        purge_on_commit(pages_affected_by(instance))


def guidelines_chosen(sender, instance=None, action="", reverse=False, pk_set=None, **kwargs):
    """An ``m2m_changed`` receiver for the guidelines clinics follow: the pages of each clinic
    whose choice changed show other recommendations now."""
    if not action.startswith("post_"):
        return
    invalidate_pages()
    if not frontend_cache_enabled():
        return
    if reverse:  # from a guideline's side: the clinics it was added to or taken from (all,
        # once cleared: which they were is no longer known)
        clinics = (
            ClinicSettings.objects.filter(pk__in=pk_set) if pk_set else ClinicSettings.objects.all()
        )
    else:
        clinics = [instance]
    purge_on_commit([page for clinic in clinics for page in pages_affected_by(clinic)])


def clinic_pages_showing(instance):
    """The clinic pages, live or not, whose search entry holds text from ``instance``: a
    shared page, a library (its words), or a clinic's settings (the clinic's words)."""
    if isinstance(instance, ConditionPage):
        return ClinicConditionPage.objects.filter(shared_page=instance)
    if isinstance(instance, ConditionLibraryPage):
        return ClinicConditionPage.objects.filter(shared_page__in=Page.objects.child_of(instance))
    if isinstance(instance, ClinicSettings):
        return ClinicConditionPage.objects.descendant_of(instance.site.root_page)
    return ClinicConditionPage.objects.none()


def reindex_clinic_pages(sender, instance=None, **kwargs) -> None:
    """A signal receiver: the search index holds each clinic page with its shared page's
    text in its clinic's words, so the pages showing ``instance`` are indexed again (one with
    nothing left to show keeps only its own title)."""
    if instance is None:
        return
    if isinstance(instance, Page):
        # A moved page comes as a plain Page: as its own type, without a query.
        instance = instance.specific_deferred
    for page in clinic_pages_showing(instance):
        index.insert_or_update_object(page)


def purge_on_commit(pages, urls=()) -> None:
    """Purge after commit, so that the purged pages are fetched again from committed data."""
    transaction.on_commit(lambda: purge_pages(pages, urls))


# Pages that stop being public --------------------------------------------------------------
#
# A view restriction (login, password, groups), a move under a restricted section or a
# change of a site's address must not leave a public copy of a page in any cache. The page
# and fragment caches are made stale at once; the frontend cache is purged at the addresses
# the pages had.


def restriction_changed(sender, instance, **kwargs) -> None:
    """A signal receiver for ``PageViewRestriction``: its page, the pages below it and the
    clinics' pages drawing on any of them are no longer (or newly) public."""
    invalidate_pages()
    if frontend_cache_enabled():
        page = Page.objects.filter(pk=instance.page_id).first()
        if page is not None:
            purge_on_commit(list(page.get_descendants(inclusive=True).specific()))


def page_moved(sender, instance, url_path_before="", url_path_after="", **kwargs) -> None:
    """A signal receiver for ``post_page_move``: the page and those below it answer at new
    addresses, perhaps inside a restricted section; their old addresses are purged too."""
    invalidate_pages()
    if not frontend_cache_enabled():
        return
    pages = list(instance.get_descendants(inclusive=True).specific())
    old_paths = [
        url_path_before + page.url_path[len(url_path_after) :]
        for page in pages
        if url_path_before and page.url_path.startswith(url_path_after)
    ]
    purge_on_commit(pages, urls_of(old_paths))


def urls_of(url_paths, roots=None) -> list[str]:
    """Full URLs of the pages at ``url_paths`` on every site whose root holds them.

    ``roots`` are (root page path, root URL) pairs; by default every site's.
    """
    if roots is None:
        roots = [(root[1], root[2]) for root in Site.get_site_root_paths()]
    return [
        f"{root_url.rstrip('/')}/{url_path[len(root_path) :]}"
        for url_path in url_paths
        for root_path, root_url in roots
        if url_path.startswith(root_path)
    ]


def site_saving(sender, instance, **kwargs) -> None:
    """Remember where a site answered before it is saved or deleted (see
    :func:`site_changed`); only a frontend cache needs to know."""
    if not frontend_cache_enabled():
        return
    old = Site.objects.filter(pk=instance.pk).select_related("root_page").first()
    instance._spinecare_before = (old.root_page.url_path, old.root_url) if old else None


def site_changed(sender, instance, **kwargs) -> None:
    """A site's address or root page changed: cached pages are keyed by host name, so
    whichever site answers at the old address next must not find them."""
    invalidate_pages()
    before = getattr(instance, "_spinecare_before", None)
    if before and (instance.root_page.url_path, instance.root_url) != before:
        _purge_old_addresses(before)


def site_deleted(sender, instance, **kwargs) -> None:
    """A signal receiver for a deleted site: no cached page of it may be served again."""
    invalidate_pages()
    before = getattr(instance, "_spinecare_before", None)
    if before:
        _purge_old_addresses(before)


def _purge_old_addresses(before) -> None:
    """Purge the live pages under a site's old root page at the site's old root URL."""
    if not frontend_cache_enabled():
        return
    root_path, _root_url = before
    paths = Page.objects.filter(url_path__startswith=root_path).live()
    purge_on_commit([], urls_of(list(paths.values_list("url_path", flat=True)), [before]))
