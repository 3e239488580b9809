"""Clinical governance: which pages are due or overdue for clinical review, and the gate
that keeps pages with content errors from being published in bulk."""

from django.contrib import messages
from django.db.models import DateField, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Page, get_page_models

from .checks import errors, run_checks
from .models.review import ClinicalReviewMixin


def reviewed_page_models() -> list:
    """Every page model with a clinical review, a project's own among them."""
    return [model for model in get_page_models() if issubclass(model, ClinicalReviewMixin)]


def _field(models, name, output_field):
    return Coalesce(
        *[Subquery(model.objects.filter(pk=OuterRef("pk")).values(name)[:1]) for model in models],
        output_field=output_field,
    )


def review_queryset(queryset=None):
    """Pages that carry a clinical review, annotated with its dates and reviewer, ordered with
    the most overdue first and pages never reviewed before them."""
    models = reviewed_page_models()
    queryset = queryset if queryset is not None else Page.objects.all()
    if len(models) == 1:
        # Coalesce needs two or more expressions.
        models = models * 2
    return (
        queryset.type(*set(models))
        .annotate(
            review_last=_field(models, "last_reviewed", DateField()),
            review_due=_field(models, "next_review_due", DateField()),
            reviewer_id=_field(models, "reviewed_by", IntegerField()),
        )
        .order_by(F("review_due").asc(nulls_first=True), "title")
    )


def overdue(queryset=None, today=None):
    """Live pages whose review is overdue or that were never given a review date."""
    today = today or timezone.localdate()
    return (
        review_queryset(queryset)
        .live()
        .filter(Q(review_due__lt=today) | Q(review_due__isnull=True))
    )


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
