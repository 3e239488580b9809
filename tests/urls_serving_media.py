"""URLs as ``wagtail start`` makes them with DEBUG on: all of MEDIA_ROOT served as files."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from .urls import urlpatterns as package_urlpatterns

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *package_urlpatterns,
]
