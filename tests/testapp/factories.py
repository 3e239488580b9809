"""Factories for the project's pages, built on the package's as a project would build them."""

from wagtail_spinecare.factories import ConditionIndexPageFactory, ConditionPageFactory

from .models import ProjectConditionIndexPage, ProjectConditionPage


class ProjectConditionIndexPageFactory(ConditionIndexPageFactory):
    class Meta:
        model = ProjectConditionIndexPage


class ProjectConditionPageFactory(ConditionPageFactory):
    referral_note = "<p>Your GP can refer you, or you can refer yourself.</p>"

    class Meta:
        model = ProjectConditionPage
