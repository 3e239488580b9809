"""Public URLs of the package. Include them before Wagtail's own::

    path("spinecare/", include("wagtail_spinecare.urls")),
    path("", include(wagtail_urls)),

Without them pages still show the clinic's brand colour, as an inline style that a strict
Content-Security-Policy blocks; the system check ``wagtail_spinecare.W001`` says so.
"""

from django.urls import path

from . import views

app_name = "wagtail_spinecare"

urlpatterns = [
    path("sites/<int:site_id>/brand.css", views.brand_stylesheet, name="brand_stylesheet"),
]
