"""Clinical review across every page type that has one: what is due, what is overdue."""

from django.db.models import DateField, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page, get_page_models

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
