from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from wagtail_spinecare.api import ImagesAPIViewSet, PagesAPIViewSet, TestimonialsAPIViewSet
from wagtail_spinecare.search import search_view

# Wagtail's API for front ends (docs/api.md). No documents endpoint: documents include
# patients' consent evidence.
api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("stories", TestimonialsAPIViewSet)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Images only. Documents (consent evidence among them) are served by Wagtail's own view
    # at /documents/, which asks who may see each one; never as plain files.
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>(?:original_images|images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [
    # Before Wagtail's pages: each clinic's brand stylesheet, which keeps inline styles off
    # the pages (see the Content-Security-Policy in settings/production.py).
    path("spinecare/", include("wagtail_spinecare.urls")),
    # Each clinic's own search and sitemap, at its own address.
    path("search/", search_view, name="spinecare_search"),
    path("sitemap.xml", sitemap),
    path("", include(wagtail_urls)),
]
