"""The checks of a page as a whole: its clinic's settings, its shared content and its
clinical review; and :func:`run_checks`, which runs every check on a page."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models.clinic import ClinicSettings
from ..models.library import library_of
from ..models.review import add_months
from .body import check_body
from .findings import ERROR, WARNING, Finding


def run_checks(page, site=None, today: date | None = None, *, reader=None) -> list[Finding]:
    """Every finding for ``page``, as ``reader``'s user may be told them. Empty when the
    page is ready for patients."""
    today = today or timezone.localdate()
    site = site or _site_of(page)
    findings = check_clinic(site)
    if hasattr(page, "shared_page_id"):
        return findings + check_shared(page, site, today, reader)
    return findings + check_page(page, site, today, reader)


def check_page(page, site, today, reader=None) -> list[Finding]:
    """What is wrong with the page's own content: its review and its body."""
    findings = []
    if hasattr(page, "reviewed_by_id"):
        findings += check_review(page, site, today)
    body = getattr(page, "body", None)
    if body is not None:
        findings += check_body(body, site, reader)
    return findings


def _site_of(page):
    try:
        return page.get_site()
    except AttributeError:
        return None


# The clinic -------------------------------------------------------------------------------


def check_clinic(site) -> list[Finding]:
    """A clinic site whose settings were never filled in shows patients no name, phone or
    booking link: tell its editors where to fill them in."""
    if site is None:
        return []
    settings = ClinicSettings.objects.filter(site=site).first()
    if settings is not None and settings.clinic_name:
        return []
    return [
        Finding(
            "clinic-settings-missing",
            WARNING,
            _(
                "The clinic settings of %(site)s have not been filled in, so its pages show "
                "no clinic name, phone number or booking link. Fill them in under Settings, "
                "Clinic settings."
            )
            % {"site": site.site_name or site.hostname},
            _("Clinic settings"),
        )
    ]


# Shared content ---------------------------------------------------------------------------


def check_shared(page, site, today, reader=None) -> list[Finding]:
    """A clinic's page for a shared condition: is there something to show, and is it sound?

    The shared page's own findings are reported as this clinic sees them (its words, its
    patients' testimonials).
    """
    where = _("Shared condition page")
    shared = page.shared_page.specific if page.shared_page_id else None
    if shared is None:
        return [
            Finding(
                "shared-missing",
                ERROR,
                _(
                    "Choose the shared condition page this page shows. Until then, patients "
                    "are told the page is not available."
                ),
                where,
            )
        ]
    if library_of(shared) is None:
        return [
            Finding(
                "shared-not-in-library",
                ERROR,
                _(
                    "'%s' is not in a shared condition library. Choose a page from the "
                    "library, so that its words can be adapted to this clinic."
                )
                % shared.title,
                where,
            )
        ]
    if not shared.live:
        return [
            Finding(
                "shared-not-live",
                ERROR,
                _(
                    "The shared page '%s' is not published, so this page has nothing to show "
                    "patients. Publish the shared page first."
                )
                % shared.title,
                where,
            )
        ]
    clinic = ClinicSettings.for_site_or_defaults(site)
    stand_in = page.adapted(shared, clinic, library_of(shared))
    return check_local_review(page, site, today) + [
        Finding(
            f.code, f.severity, f.message, f"{where}: {f.location}" if f.location else where, f.path
        )
        for f in check_page(stand_in, site, today, reader)
    ]


def check_local_review(page, site, today) -> list[Finding]:
    """A clinic's own review of its page of shared content: a reviewer and a date together,
    the date not in the future, and the reviewer one of the clinic's own clinicians."""
    where = _("Your clinic's clinical review")
    reviewer, day = page.local_reviewed_by_id, page.local_last_reviewed
    findings = []
    if day and not reviewer:
        findings.append(
            Finding(
                "local-reviewer-missing",
                ERROR,
                _(
                    "Choose the clinician who reviewed this page for your clinic, or clear "
                    "the date."
                ),
                where,
            )
        )
    if reviewer and not day:
        findings.append(
            Finding(
                "local-review-date-missing",
                ERROR,
                _("Give the date your clinician reviewed this page for your clinic."),
                where,
            )
        )
    if day and day > today:
        findings.append(
            Finding(
                "local-review-date-future",
                ERROR,
                _("The date reviewed for your clinic (%s) is in the future.") % day.isoformat(),
                where,
            )
        )
    if reviewer and not page.local_reviewed_by.works_for(site):
        findings.append(
            Finding(
                "local-reviewer-elsewhere",
                ERROR,
                local_reviewer_elsewhere_message(page.local_reviewed_by, site),
                where,
            )
        )
    return findings


def local_reviewer_elsewhere_message(clinician, site) -> str:
    """Why ``clinician`` cannot review a page for the clinic of ``site``."""
    clinic = ClinicSettings.for_site_or_defaults(site).display_name if site else ""
    return _(
        "%(name)s does not work for %(clinic)s. Choose one of your clinic's own clinicians, "
        "or add this clinic to theirs under Clinicians."
    ) % {"name": clinician.name, "clinic": clinic or _("this clinic")}


# Clinical review --------------------------------------------------------------------------


def check_review(page, site, today) -> list[Finding]:
    """Reviewer and dates present, last review not in the future, next one due within the
    clinic's longest interval, and a warning once it is overdue."""
    findings = []
    missing = [
        label
        for label, present in (
            (_("the reviewing clinician"), page.reviewed_by_id),
            (_("the date it was last reviewed"), page.last_reviewed),
            (_("the date the next review is due"), page.next_review_due),
        )
        if not present
    ]
    if missing:
        findings.append(
            Finding(
                "review-missing",
                ERROR,
                _("This page needs a clinical review before it is published. Missing: %s.")
                % ", ".join(str(item) for item in missing),
                _("Clinical review"),
            )
        )
    if page.last_reviewed and page.last_reviewed > today:
        findings.append(
            Finding(
                "review-date-future",
                ERROR,
                _("The last review date (%s) is in the future.") % page.last_reviewed.isoformat(),
                _("Clinical review"),
            )
        )
    if page.last_reviewed and page.next_review_due:
        months = ClinicSettings.for_site_or_defaults(site).review_interval_months
        if page.next_review_due > add_months(page.last_reviewed, months):
            findings.append(
                Finding(
                    "review-interval-too-long",
                    ERROR,
                    _(
                        "The next review must be due within %(months)d months of the last "
                        "review (by %(date)s)."
                    )
                    % {
                        "months": months,
                        "date": add_months(page.last_reviewed, months).isoformat(),
                    },
                    _("Clinical review"),
                )
            )
    if page.next_review_due and page.next_review_due < today:
        findings.append(
            Finding(
                "review-overdue",
                WARNING,
                _("The clinical review was due on %s. Ask a clinician to check the page again.")
                % page.next_review_due.isoformat(),
                _("Clinical review"),
            )
        )
    return findings
