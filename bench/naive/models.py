"""A plain Wagtail page and the snippets it chooses."""

from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.snippets.models import register_snippet

from .blocks import BodyBlock


class NaivePage(Page):
    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True)

    template = "naive/naive_page.html"


@register_snippet
class NaiveTestimonial(models.Model):
    quote = models.TextField()
    name = models.CharField(max_length=150)
    occupation = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return self.name


@register_snippet
class NaiveTreatment(ClusterableModel):
    name = models.CharField(max_length=120)
    summary = models.TextField()
    typical_course = models.CharField(max_length=100, blank=True)
    time_to_benefit = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return self.name


class NaiveRecommendation(Orderable):
    STRENGTHS = [
        ("offer", "Offer"),
        ("consider", "Consider"),
        ("consider_with_exercise", "Consider, only as part of a package including exercise"),
        ("do_not_offer", "Do not offer"),
    ]

    treatment = ParentalKey(
        NaiveTreatment, on_delete=models.CASCADE, related_name="recommendations"
    )
    guideline = models.CharField(max_length=50)
    recommendation_id = models.CharField(max_length=30)
    strength = models.CharField(max_length=30, choices=STRENGTHS)
    caveats = models.CharField(max_length=300, blank=True)
    source_url = models.URLField()
