"""A clinic project's own condition pages, written as a project would write them: subclasses
of the package's pages that add a field, extend the editor's panels and the template, and
keep everything else (routing, content checks, structured data, caches) from the package.
"""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from wagtail_spinecare.models import ConditionIndexPage, ConditionPage


class ProjectConditionIndexPage(ConditionIndexPage):
    """The project's list of conditions: the package's, under the project's own name."""

    # Wagtail names each page class's template after the class; this list looks like the
    # package's.
    template = ConditionIndexPage.template
    # Wagtail allows a child only where both sides name each other, by exact model: the
    # package's comparison and shared-content pages name only the package's index.
    subpage_types = [
        "testapp.ProjectConditionPage",
        "wagtail_spinecare.ClinicConditionPage",
        "wagtail_spinecare.TreatmentComparisonPage",
    ]

    class Meta:
        verbose_name = "project condition index page"


class ProjectConditionPage(ConditionPage):
    """The package's condition page with the clinic's referral note under it."""

    referral_note = RichTextField(
        "referral note",
        blank=True,
        features=["bold", "italic", "link"],
        help_text="How patients can be referred, e.g. by their GP or themselves.",
    )

    content_panels = [*ConditionPage.content_panels, FieldPanel("referral_note")]
    parent_page_types = [
        "testapp.ProjectConditionIndexPage",
        "wagtail_spinecare.ConditionIndexPage",
    ]
    template = "testapp/project_condition_page.html"

    class Meta:
        verbose_name = "project condition page"
