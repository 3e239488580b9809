"""The renditions every page shows beside its content (the clinic's logo and icons, its
clinicians' photos), found in one go.

Wagtail finds each image's renditions in Django's cache, or else with a query for that image:
after a restart, one query an image. :func:`load_renditions` reads the cache once for them
all and, for whatever it lacks, makes one query, and puts what it found in the cache.
"""

from functools import cache

from django.db.models import Prefetch, prefetch_related_objects
from wagtail.images import get_image_model
from wagtail.images.models import Filter

#: The clinic's logo beside its name, at twice the height it is shown at.
LOGO_SPEC = "height-96"
#: What browsers ask for: a tab icon, and the larger one phones put on the home screen.
ICON_SPECS = ("fill-32x32|format-png", "fill-180x180|format-png")
#: A clinician's photo, square.
PORTRAIT_SPEC = "fill-160x160"


@cache
def filter_for(spec: str) -> Filter:
    """Wagtail's ``Filter`` for ``spec``, made once: ``image.get_renditions()`` takes filters
    as well as specs, and a filter made afresh for each image parses its spec again."""
    return Filter(spec)


def load_renditions(wanted) -> None:
    """Make the renditions ``wanted`` ((image, specs) pairs; an image may be None) cost no
    query more: each is in the rendition cache, or prefetched on its image.

    One read of the cache, and at most one query. SVG images, whose renditions Wagtail
    makes differently, are left to Wagtail.
    """
    rendition_model = get_image_model().get_rendition_model()
    keys = {}
    for image, specs in wanted:
        if image is None or image.is_svg():
            continue
        for spec in specs:
            spec_filter = filter_for(spec)
            focal_point = spec_filter.get_cache_key(image)
            key = rendition_model.construct_cache_key(image, focal_point, spec)
            keys[key] = (image, spec, focal_point)
    if not keys:
        return
    cached = rendition_model.cache_backend.get_many(list(keys))
    # Each image object once, though the logo and the icon may be the same image.
    missing = {id(image): image for key, (image, _s, _f) in keys.items() if key not in cached}
    if not missing:
        return
    prefetch_related_objects(
        list(missing.values()),
        Prefetch(
            "renditions",
            queryset=rendition_model.objects.filter(
                filter_spec__in={spec for _i, spec, _f in keys.values()}
            ),
            to_attr="prefetched_renditions",
        ),
    )
    found = {
        key: rendition
        for key, (image, spec, focal_point) in keys.items()
        if id(image) in missing
        for rendition in image.prefetched_renditions
        if rendition.filter_spec == spec and rendition.focal_point_key == focal_point
    }
    if found:
        rendition_model.cache_backend.set_many(found)
