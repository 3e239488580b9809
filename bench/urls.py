"""Pages only: the benchmark needs no admin."""

from django.urls import include, path
from wagtail import urls as wagtail_urls

urlpatterns = [
    path("spinecare/", include("wagtail_spinecare.urls")),
    path("", include(wagtail_urls)),
]
