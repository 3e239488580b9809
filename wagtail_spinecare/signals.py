"""Signal wiring: what must happen elsewhere when content changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import invalidate_pages
from .consent_actions import on_visibility_change
from .invalidation import (
    content_changed,
    guidelines_chosen,
    page_moved,
    reindex_clinic_pages,
    restriction_changed,
    site_changed,
    site_deleted,
    site_saving,
)
from .models import (
    Clinician,
    ClinicSettings,
    Guideline,
    GuidelineRecommendation,
    Testimonial,
    Treatment,
)


def testimonial_saved(sender, instance, **kwargs):
    """Editing a testimonial can close its consent gate (the wording changed): ask the rule
    again."""
    on_visibility_change(instance)


def connect():
    """Connect the receivers that keep caches, purges and the search index up to date."""
    page_published.connect(content_changed, dispatch_uid="spinecare-cache-published")
    page_unpublished.connect(content_changed, dispatch_uid="spinecare-cache-unpublished")
    # A shared page moved into or out of a library changes what clinics' pages show.
    post_page_move.connect(content_changed, dispatch_uid="spinecare-cache-moved")
    # Each clinic page is indexed with its shared page's text, in its clinic's words.
    for signal, name in (
        (page_published, "published"),
        (page_unpublished, "unpublished"),
        (post_page_move, "moved"),
    ):
        signal.connect(reindex_clinic_pages, dispatch_uid=f"spinecare-search-{name}")
    post_save.connect(
        reindex_clinic_pages, sender=ClinicSettings, dispatch_uid="spinecare-search-clinic"
    )
    # ... and may now be inside a restricted section, as may every page below it.
    post_page_move.connect(page_moved, dispatch_uid="spinecare-cache-moved-pages")
    # A page made private (login, password, groups) must leave every cache at once.
    for signal in (post_save, post_delete):
        signal.connect(
            restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"spinecare-cache-restriction-{signal is post_save}",
        )
    m2m_changed.connect(
        invalidate_pages,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="spinecare-cache-restriction-groups",
    )
    # A clinic choosing other guidelines shows other recommendations on its pages.
    m2m_changed.connect(
        guidelines_chosen,
        sender=ClinicSettings.guidelines.through,
        dispatch_uid="spinecare-cache-clinic-guidelines",
    )
    for model in (ClinicSettings, Clinician, Treatment, GuidelineRecommendation, Guideline):
        post_save.connect(
            content_changed, sender=model, dispatch_uid=f"spinecare-cache-{model.__name__}"
        )
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"spinecare-cache-del-{model.__name__}"
        )
    # Cached pages are keyed by host name: a site that changes its host names or root page
    # must not leave pages behind for whichever site takes those names next.
    pre_save.connect(site_saving, sender=Site, dispatch_uid="spinecare-cache-site-before")
    pre_delete.connect(site_saving, sender=Site, dispatch_uid="spinecare-cache-del-site-before")
    post_save.connect(site_changed, sender=Site, dispatch_uid="spinecare-cache-site")
    post_delete.connect(site_deleted, sender=Site, dispatch_uid="spinecare-cache-del-site")
    post_save.connect(
        testimonial_saved, sender=Testimonial, dispatch_uid="spinecare-testimonial-saved"
    )
    post_delete.connect(
        invalidate_pages, sender=Testimonial, dispatch_uid="spinecare-testimonial-deleted"
    )
