"""Public views the package serves beside Wagtail's pages; see ``urls.py``."""

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from wagtail.models import Site

from . import brand
from .models import ClinicSettings

#: A year: the address changes with the stylesheet, so a kept copy is never stale.
VERSIONED_MAX_AGE = 365 * 24 * 60 * 60
#: The largest id a Site can have (its primary key is a 32-bit AutoField); a larger number in
#: an address is no site, rather than a database error.
MAX_SITE_ID = 2**31 - 1


@require_safe
def brand_stylesheet(request, site_id: int):
    """The clinic's brand colour as CSS, for the pages of the site ``site_id``.

    One query for a site with clinic settings; a site without them gets the default colour
    (nothing is written here), and an unknown site a 404. Asked for under its current
    version, the answer may be kept for a year; under any other it must be checked again.
    """
    if site_id > MAX_SITE_ID:
        raise Http404("No such site.")
    stored = (
        ClinicSettings.objects.filter(site_id=site_id)
        .values_list("brand_colour", flat=True)
        .first()
    )
    if stored is None and not Site.objects.filter(pk=site_id).exists():
        raise Http404("No such site.")
    colour = ClinicSettings(brand_colour=stored or "").brand_colour_css
    response = HttpResponse(brand.css(colour), content_type="text/css; charset=utf-8")
    if request.GET.get("v") == brand.version(colour):
        patch_cache_control(response, public=True, max_age=VERSIONED_MAX_AGE, immutable=True)
    else:
        patch_cache_control(response, no_cache=True)
    return response
