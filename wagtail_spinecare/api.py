"""Wagtail's API v2 for front ends: the pages as patients read them, and patients' stories.

Register these with a ``WagtailAPIRouter`` (see docs/api.md). Never register Wagtail's
documents endpoint: documents include consent evidence.

Every response is sent ``Cache-Control: private, no-store``: a frontend cache keeps no copy,
so a story whose consent is withdrawn is gone from the very next response, and nothing needs
purging when a page changes.
"""

from django.http import Http404
from django.utils.cache import patch_cache_control
from rest_framework.response import Response
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet
from wagtail.api.v2.views import PagesAPIViewSet as WagtailPagesAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet as WagtailImagesAPIViewSet
from wagtail.models import Site

from . import consent
from .blocks import TestimonialChooserBlock
from .blocks.testimonials import story_api_value
from .models import ClinicConditionPage, ClinicSettings, Testimonial
from .testimonial_display import shown_testimonial


class NotStored:
    """Sends every response ``Cache-Control: private, no-store``."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response


class PagesAPIViewSet(NotStored, WagtailPagesAPIViewSet):
    """Wagtail's pages endpoint, never kept by a cache."""


class ImagesAPIViewSet(NotStored, WagtailImagesAPIViewSet):
    """Wagtail's images endpoint, never kept by a cache, without patients' photos: a photo
    reaches the API only with its story, as far as its consent allows."""

    def get_queryset(self):
        photos = Testimonial.objects.filter(photo__isnull=False).values("photo_id")
        return super().get_queryset().exclude(pk__in=photos)


class TestimonialsAPIViewSet(NotStored, BaseAPIViewSet):
    """Patients' stories the consent rule lets the API show on the request's site (or the
    ``site`` asked for), newest first, each with only the details its consent allows.

    ``?condition=<page id>`` keeps those about one condition (a clinic's page of shared
    content stands for its shared page); ``?site=<hostname>[:<port>]`` asks for another
    site's.
    """

    model = Testimonial
    name = "stories"
    known_query_parameters = frozenset(["limit", "offset", "condition", "site", "format", "_"])

    def check_query_parameters(self, queryset=None):
        unknown = set(self.request.GET) - self.known_query_parameters
        if unknown:
            raise BadRequestError(
                "query parameter is not an operation or a recognised field: "
                + ", ".join(sorted(unknown))
            )

    def site(self):
        """The site whose consent is asked: ``?site=``, or the one the request reached."""
        asked = self.request.GET.get("site")
        if asked is None:
            return Site.find_for_request(self.request)
        hostname, _colon, port = asked.partition(":")
        sites = Site.objects.filter(hostname=hostname)
        if port:
            if not port.isdigit():
                raise BadRequestError("site must be a hostname, optionally with :port")
            sites = sites.filter(port=int(port))
        site = sites.first()
        if site is None:
            raise BadRequestError("site doesn't exist")
        return site

    def condition_id(self):
        """The condition page asked for, or None; a clinic's page stands for its shared page."""
        asked = self.request.GET.get("condition")
        if asked is None:
            return None
        if not asked.isdigit():
            raise BadRequestError("condition must be a page id")
        shared = ClinicConditionPage.objects.filter(pk=asked).values_list("shared_page_id")
        return next(iter(shared), (int(asked),))[0]

    def shown(self) -> list:
        """The stories to list, each with what its consent allows, in one query for the
        consent and one for the stories with their photos."""
        site = self.site()
        details = consent.shown_details(site, consent.API_CHANNEL) if site else {}
        condition = self.condition_id()
        ids = sorted(details, reverse=True)
        stories = TestimonialChooserBlock().bulk_to_python(ids)
        clinic = ClinicSettings.for_site_or_defaults(site)
        return [
            (story, shown_testimonial(story, details[story.pk], clinic))
            for story in sorted(
                (s for s in stories if s is not None),
                key=lambda s: (s.created_at, s.pk),
                reverse=True,
            )
            if condition is None or story.condition_page_id == condition
        ]

    def represent(self, story, shown) -> dict:
        return {
            "id": story.pk,
            "meta": {"type": "wagtail_spinecare.Testimonial"},
            "condition": story.condition_page_id,
            **story_api_value(shown, self.request),
        }

    def listing_view(self, request):
        self.check_query_parameters()
        stories = self.paginate_queryset(ShownList(self.shown()))
        return self.get_paginated_response([self.represent(*item) for item in stories])

    def detail_view(self, request, pk):
        self.check_query_parameters()
        for story, shown in self.shown():
            if story.pk == int(pk):
                return Response(self.represent(story, shown))
        raise Http404("not found")

    def find_view(self, request):
        raise Http404("not found")


class ShownList(list):
    """A list Wagtail's pagination can count."""

    def count(self, *args):
        return len(self) if not args else super().count(*args)
