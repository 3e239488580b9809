"""This app's own admin screens, included under ``/admin/spinecare/`` by the hooks, in the
``wagtail_spinecare_admin`` namespace."""

from django.urls import path

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
]
