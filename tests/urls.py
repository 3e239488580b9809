from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap

from wagtail_spinecare.search import search_view

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("spinecare/", include("wagtail_spinecare.urls")),
    path("search/", search_view, name="spinecare_search"),
    path("sitemap.xml", sitemap),
    path("", include(wagtail_urls)),
]
