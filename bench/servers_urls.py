"""The benchmark's pages with Wagtail's admin, through which the changes are made."""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("spinecare/", include("wagtail_spinecare.urls")),
    path("", include(wagtail_urls)),
]
