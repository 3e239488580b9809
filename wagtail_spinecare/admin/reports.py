"""The clinical review report: which pages are due or overdue for review."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.reports import PageReportView
from wagtail.models import Page, Site
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..governance import review_queryset
from ..models import Clinician
from ..spreadsheets import safe_cell


class ReviewReportFilterSet(WagtailFilterSet):
    """The clinical review report's filters: by clinic site, reviewer and live status."""

    site = django_filters.ModelChoiceFilter(
        label=_("Clinic site"), queryset=Site.objects.all(), method="filter_site"
    )
    reviewer = django_filters.ModelChoiceFilter(
        label=_("Reviewer"), queryset=Clinician.objects.all(), method="filter_reviewer"
    )

    class Meta:
        model = Page
        fields = ["live"]

    def filter_site(self, queryset, name, site):
        return queryset.descendant_of(site.root_page, inclusive=True) if site else queryset

    def filter_reviewer(self, queryset, name, clinician):
        return queryset.filter(reviewer_id=clinician.pk) if clinician else queryset


class ClinicalReviewReportView(PageReportView):
    """Clinical pages by when their review is due, overdue and never-reviewed first."""

    page_title = _("Clinical review")
    header_icon = "time"
    results_template_name = "wagtail_spinecare/admin/review_report_results.html"
    filterset_class = ReviewReportFilterSet
    index_url_name = "wagtail_spinecare_admin:review_report"
    index_results_url_name = "wagtail_spinecare_admin:review_report_results"
    any_permission_required = ["add", "change", "publish"]
    list_export = [
        "title",
        "url_path",
        "review_status",
        "reviewer_name",
        "review_last",
        "review_due",
    ]
    export_headings = {
        "title": _("Page"),
        "url_path": _("Path"),
        "review_status": _("Status"),
        "reviewer_name": _("Reviewer"),
        "review_last": _("Last reviewed"),
        "review_due": _("Next review due"),
    }

    @classmethod
    def visible_pages(cls, request):
        """The pages this user may edit: the report and the dashboard count only these."""
        return PagePermissionPolicy().instances_user_has_any_permission_for(
            request.user, cls.any_permission_required
        )

    def get_queryset(self):
        self.queryset = review_queryset(self.visible_pages(self.request))
        return super().get_queryset()

    def decorate_paginated_queryset(self, pages):
        today = timezone.localdate()
        names = dict(
            Clinician.objects.filter(pk__in={p.reviewer_id for p in pages}).values_list(
                "pk", "name"
            )
        )
        for page in pages:
            page.reviewer_name = names.get(page.reviewer_id, "")
            if page.review_due is None:
                page.review_status = _("Never reviewed")
            elif page.review_due < today:
                page.review_status = _("Overdue")
            else:
                page.review_status = _("Due")
        return pages

    def preprocess_field_value(self, field, value, export_format):
        # Every cell of the CSV and XLSX exports passes here: none may run as a formula.
        return safe_cell(super().preprocess_field_value(field, value, export_format))
