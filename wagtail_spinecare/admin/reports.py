"""The clinical review report: which pages are due or overdue for review."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.reports import PageReportView
from wagtail.models import Page, Site
from wagtail.permission_policies.pages import PagePermissionPolicy

from ..governance import drawing_page_models, review_queryset
from ..models import Clinician
from ..models.review import ReviewStatus
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


def clinics() -> list[tuple[int, str, str]]:
    """Every site as (its id, its root page's path, the clinic's name: its own, or its
    site's), in one query, the deepest roots first."""
    rows = [
        (site_id, url_path, clinic_name or site_name or hostname)
        for site_id, url_path, clinic_name, site_name, hostname in Site.objects.values_list(
            "pk", "root_page__url_path", "clinicsettings__clinic_name", "site_name", "hostname"
        )
    ]
    return sorted(rows, key=lambda row: len(row[1]), reverse=True)


def clinic_names(pages, sites=None) -> dict:
    """The name of the clinic each page belongs to, by the page's id (one query unless
    ``sites`` from :func:`clinics` is given). A page outside every clinic's site is in the
    shared library."""
    sites = clinics() if sites is None else sites
    return {
        page.pk: next(
            (name for _pk, url_path, name in sites if page.url_path.startswith(url_path)),
            _("Shared library"),
        )
        for page in pages
    }


class ClinicalReviewReportView(PageReportView):
    """Clinical pages by when their review is due, overdue and never-reviewed first; each
    clinic's page shown with the shared page whose review it carries."""

    page_title = _("Clinical review")
    header_icon = "time"
    results_template_name = "wagtail_spinecare/admin/review_report_results.html"
    filterset_class = ReviewReportFilterSet
    index_url_name = "wagtail_spinecare_admin:review_report"
    index_results_url_name = "wagtail_spinecare_admin:review_report_results"
    any_permission_required = ["add", "change", "publish"]
    list_export = [
        "report_title",
        "clinic_name",
        "url_path",
        "review_status_label",
        "reviewer_name",
        "local_reviewer_name",
        "local_last",
        "review_last",
        "review_due",
    ]
    export_headings = {
        "report_title": _("Page"),
        "clinic_name": _("Clinic"),
        "url_path": _("Path"),
        "review_status_label": _("Status"),
        "reviewer_name": _("Reviewer"),
        "local_reviewer_name": _("Reviewed for the clinic by"),
        "local_last": _("Reviewed for the clinic on"),
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
        # A clinic's page with no shared page chosen has no review to report.
        drawing = ContentType.objects.get_for_models(*drawing_page_models()).values()
        self.queryset = review_queryset(
            self.visible_pages(self.request), drawing_pages=True
        ).exclude(content_type__in=list(drawing), shared_title__isnull=True)
        return super().get_queryset()

    def decorate_paginated_queryset(self, pages):
        reviewers = {p.reviewer_id for p in pages} | {
            getattr(p, "local_reviewer_id", None) for p in pages
        }
        names = dict(Clinician.objects.filter(pk__in=reviewers - {None}).values_list("pk", "name"))
        clinics = clinic_names(pages)
        for page in pages:
            page.reviewer_name = names.get(page.reviewer_id, "")
            page.local_reviewer_name = names.get(getattr(page, "local_reviewer_id", None), "")
            page.local_last = getattr(page, "local_last", None)
            page.review_status_label = ReviewStatus(page.review_status).label
            page.clinic_name = clinics[page.pk]
            page.report_title = (
                format_lazy(
                    _("{title} (shared page: {shared})"),
                    title=page.get_admin_display_title(),
                    shared=page.shared_title,
                )
                if page.shared_title
                else page.get_admin_display_title()
            )
        return pages

    def preprocess_field_value(self, field, value, export_format):
        # Every cell of the CSV and XLSX exports passes here: none may run as a formula.
        return safe_cell(super().preprocess_field_value(field, value, export_format))
