from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .blocks.cta import missing_destination_errors
from .streams import stream_errors


class SpinecarePageForm(WagtailAdminPageForm):
    """Page form that checks booking buttons against the settings of the clinic the page is on."""

    #: StreamFields whose booking buttons are checked.
    booking_stream_fields = ("body",)

    def __init__(self, *args, instance=None, **kwargs):
        # A new page opens with its model's outline of recommended sections, if it has one.
        new = instance is not None and instance.pk is None
        if new and hasattr(instance, "skeleton_body") and not instance.body:
            instance.body = instance.skeleton_body()
        super().__init__(*args, instance=instance, **kwargs)

    def clean(self):
        cleaned_data = super().clean()
        if getattr(self, "is_deferred_validation", False):
            # Saving a draft: an unfinished button is not yet a problem.
            return cleaned_data
        clinic = self._clinic_settings()
        for name in self.booking_stream_fields:
            if name in self.errors or name not in cleaned_data:
                continue
            error = stream_errors(
                cleaned_data[name],
                lambda block, value: missing_destination_errors(block, value, clinic),
            )
            if error is not None:
                self.add_error(name, error)
        return cleaned_data

    def _post_clean(self):
        super()._post_clean()
        if getattr(self, "is_deferred_validation", False) or self.errors:
            return
        from .checks import errors, run_checks

        # The publication gate: content-check errors (review missing, alt text that is a
        # file name, a promised comparison that never comes...) block publishing, not drafts.
        for finding in errors(run_checks(self.instance, site=self._site())):
            field = FINDING_FIELDS.get(finding.code)
            if field in self.fields:
                self.add_error(field, finding.message)
            else:
                self.add_error(None, f"{finding.location}: {finding.message}")

    def _site(self):
        page = self.parent_page if self.instance.pk is None else self.instance
        return page.get_site() if page is not None else None

    def _clinic_settings(self):
        from .models import ClinicSettings

        return ClinicSettings.for_site_or_defaults(self._site())


FINDING_FIELDS = {
    "review-missing": "reviewed_by",
    "review-date-future": "last_reviewed",
    "review-interval-too-long": "next_review_due",
    "shared-missing": "shared_page",
    "shared-not-in-library": "shared_page",
    "shared-not-live": "shared_page",
}


class TreatmentComparisonPageForm(SpinecarePageForm):
    """A comparison page cannot be published without a comparison in it."""

    def clean(self):
        cleaned_data = super().clean()
        if getattr(self, "is_deferred_validation", False) or "body" in self.errors:
            return cleaned_data
        body = cleaned_data.get("body") or ()
        if not any(child.block_type == "comparison" for child in body):
            self.add_error(
                "body",
                _("Add a treatment comparison: this page cannot be published without one."),
            )
        return cleaned_data
