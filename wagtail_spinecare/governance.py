"""Clinical governance: which pages are due or overdue for clinical review, and the gate
that keeps pages with content errors from being published in bulk."""

from django.contrib import messages
from django.db.models import CharField, DateField, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Page, get_page_models

from .checks import errors, run_checks
from .models.review import (
    DUE_SOON_DAYS,
    NEEDS_REVIEW,
    ClinicalReviewMixin,
    review_status_expression,
)


def reviewed_page_models() -> list:
    """Every page model with a clinical review, a project's own among them."""
    return [model for model in get_page_models() if issubclass(model, ClinicalReviewMixin)]


def drawing_page_models() -> dict:
    """Every page model that shows another page's clinical review, with the name of the
    field that points at that page (``review_from``): a clinic's page and its shared page."""
    return {
        model: model.review_from
        for model in get_page_models()
        if getattr(model, "review_from", None) and not issubclass(model, ClinicalReviewMixin)
    }


def _field(models, name, output_field, drawing=None):
    queries = [
        Subquery(model.objects.filter(pk=OuterRef("pk")).values(name)[:1]) for model in models
    ]
    queries += [
        Subquery(model.objects.filter(pk=OuterRef("pk")).values(f"{via}__{name}")[:1])
        for model, via in (drawing or {}).items()
    ]
    if len(queries) == 1:
        # Coalesce needs two or more expressions.
        queries *= 2
    return Coalesce(*queries, output_field=output_field)


def review_queryset(queryset=None, today=None, days=DUE_SOON_DAYS, drawing_pages=False):
    """Pages that carry a clinical review, annotated with its dates, reviewer and status
    (``review_status``, a :class:`ReviewStatus` value), ordered with the most overdue first
    and pages never reviewed before them.

    With ``drawing_pages``, each clinic's page that shows a shared page is listed too, with
    the shared page's review and its title as ``shared_title``, and the clinic's own review
    of it, if any, as ``local_reviewer_id`` and ``local_last``.
    """
    models = reviewed_page_models()
    drawing = drawing_page_models() if drawing_pages else {}
    queryset = queryset if queryset is not None else Page.objects.all()
    queryset = queryset.type(*set(models), *drawing).annotate(
        review_last=_field(models, "last_reviewed", DateField(), drawing),
        review_due=_field(models, "next_review_due", DateField(), drawing),
        reviewer_id=_field(models, "reviewed_by", IntegerField(), drawing),
    )
    if drawing:
        queryset = queryset.annotate(shared_title=_field([], "title", CharField(), drawing))
        # A clinic's own review of its page, after the shared page's (see models.shared).
        local = [model for model in drawing if hasattr(model, "local_reviewed_by_id")]
        if local:
            queryset = queryset.annotate(
                local_reviewer_id=_field(local, "local_reviewed_by", IntegerField()),
                local_last=_field(local, "local_last_reviewed", DateField()),
            )
    return queryset.annotate(
        review_status=review_status_expression("review_due", today or timezone.localdate(), days)
    ).order_by(F("review_due").asc(nulls_first=True), "title")


def needing_review(queryset=None, today=None):
    """Live pages never reviewed, overdue, or due within :data:`DUE_SOON_DAYS`."""
    return review_queryset(queryset, today).live().filter(review_status__in=NEEDS_REVIEW)


def gate_bulk_publishing(request, action_type, objects, action_class_instance):
    """Bulk publishing goes through the same gate as the editor: errors stop it.

    A ``before_bulk_action`` hook: returns a redirect back, with a message naming the pages,
    when any of them has an error; None lets the action go ahead.
    """
    if action_type != "publish":
        return None
    blocked = []
    for page in objects:
        revision = page.get_latest_revision()
        draft = revision.as_object() if revision else page.specific
        if errors(run_checks(draft)):
            blocked.append(page.get_admin_display_title())
    if not blocked:
        return None
    messages.error(
        request,
        _("Nothing was published. Fix the content checks on: %(pages)s.")
        % {"pages": ", ".join(blocked)},
    )
    # Back where the editor came from, but only within this site.
    back = get_valid_next_url_from_request(request)
    return redirect(back or reverse("wagtailadmin_explore_root"))
