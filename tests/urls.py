from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.contrib.sitemaps.views import sitemap

from wagtail_spinecare.api import ImagesAPIViewSet, PagesAPIViewSet, TestimonialsAPIViewSet
from wagtail_spinecare.search import search_view

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("stories", TestimonialsAPIViewSet)

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("api/v2/", api_router.urls),
    path("spinecare/", include("wagtail_spinecare.urls")),
    path("search/", search_view, name="spinecare_search"),
    path("sitemap.xml", sitemap),
    path("", include(wagtail_urls)),
]
