"""Signal wiring: what must happen elsewhere when content changes."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import content_changed, invalidate_pages


def story_saved(sender, instance, **kwargs):
    """Editing a story can close its consent gate (the wording changed): ask the rule again."""
    from .consent import on_visibility_change

    on_visibility_change(instance)


def connect():
    from .models import (
        Clinician,
        ClinicSettings,
        Guideline,
        GuidelineRecommendation,
        Testimonial,
        Treatment,
    )

    page_published.connect(content_changed, dispatch_uid="spinecare-cache-published")
    page_unpublished.connect(content_changed, dispatch_uid="spinecare-cache-unpublished")
    # A shared page moved into or out of a library changes what clinics' pages show.
    post_page_move.connect(content_changed, dispatch_uid="spinecare-cache-moved")
    for model in (ClinicSettings, Clinician, Treatment, GuidelineRecommendation, Guideline):
        post_save.connect(
            content_changed, sender=model, dispatch_uid=f"spinecare-cache-{model.__name__}"
        )
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"spinecare-cache-del-{model.__name__}"
        )
    # Cached pages are keyed by host name: a site that changes its host names or root page
    # must not leave pages behind for whichever site takes those names next.
    post_save.connect(invalidate_pages, sender=Site, dispatch_uid="spinecare-cache-site")
    post_delete.connect(invalidate_pages, sender=Site, dispatch_uid="spinecare-cache-del-site")
    post_save.connect(story_saved, sender=Testimonial, dispatch_uid="spinecare-story-saved")
    post_delete.connect(
        invalidate_pages, sender=Testimonial, dispatch_uid="spinecare-story-deleted"
    )
