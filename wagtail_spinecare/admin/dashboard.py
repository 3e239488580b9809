"""What this app adds to the admin's dashboard."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from ..governance import overdue
from .reports import ClinicalReviewReportView


class OverdueReviewsPanel(Component):
    """How many of the user's pages are overdue for clinical review."""

    name = "spinecare_overdue_reviews"
    order = 150
    template_name = "wagtail_spinecare/admin/overdue_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "count": overdue(ClinicalReviewReportView.visible_pages(self.request)).count(),
            "report_url": reverse("wagtail_spinecare_admin:review_report"),
        }


class NoClinicPanel(Component):
    """Tells staff in no clinic's editors group why they see no testimonials."""

    name = "spinecare_no_clinic"
    order = 140
    template_name = "wagtail_spinecare/admin/no_clinic_panel.html"
