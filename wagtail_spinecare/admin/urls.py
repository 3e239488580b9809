"""This app's own admin screens, included under ``/admin/spinecare/`` by the hooks, in the
``wagtail_spinecare_admin`` namespace."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from .add_clinic import AddClinicView
from .reports import ClinicalReviewReportView

app_name = "wagtail_spinecare_admin"

urlpatterns = [
    path("reports/clinical-review/", ClinicalReviewReportView.as_view(), name="review_report"),
    path(
        "reports/clinical-review/results/",
        ClinicalReviewReportView.as_view(results_only=True),
        name="review_report_results",
    ),
    path("clinics/add/", AddClinicView.as_view(), name="add_clinic"),
    # The editor guidance's words, beside Wagtail's own catalogue, which it adds to.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["wagtail_spinecare"]),
        name="javascript_catalog",
    ),
]
