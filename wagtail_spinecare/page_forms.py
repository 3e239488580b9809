"""The forms editors fill in for this app's pages: the content checks stop a publish,
and a new condition page starts with the recommended sections."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .blocks.cta import missing_destination_errors
from .blocks.testimonials import ReaderWidget
from .checks import errors, run_checks
from .checks.pages import local_reviewer_elsewhere_message
from .models.clinic import ClinicSettings
from .models.library import library_of
from .streams import iter_blocks, stream_errors
from .testimonial_display import TestimonialReader

#: Wagtail's search description has no limit of its own; search engines show about 160
#: characters, so this is far more than any description needs.
SEARCH_DESCRIPTION_MAX_LENGTH = 1000

#: A review date further than this from today is a typing mistake (9999 for 2026, say).
REVIEW_DATE_YEARS = 10


def years_from(day: date, years: int) -> date:
    """The same day ``years`` later (earlier if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class SpinecarePageForm(WagtailAdminPageForm):
    """Page form that checks booking buttons against the settings of the clinic the page is on."""

    #: StreamFields whose booking buttons and chosen testimonials are checked.
    stream_fields = ("body",)

    def __init__(self, *args, instance=None, **kwargs):
        # A new page opens with its model's outline of recommended sections, if it has one.
        new = instance is not None and instance.pk is None
        if new and hasattr(instance, "skeleton_body") and not instance.body:
            instance.body = instance.skeleton_body()
        super().__init__(*args, instance=instance, **kwargs)
        #: Which chosen testimonials the user may read, for drawing the page and checking it.
        self.testimonial_reader = None
        user = getattr(self, "for_user", None)
        if user is not None:
            self.testimonial_reader = TestimonialReader(user)
            for name in self.stream_fields:
                if name in self.fields:
                    widget = self.fields[name].widget
                    self.fields[name].widget = ReaderWidget(widget, self.testimonial_reader)
        description = self.fields.get("search_description")
        if description is not None and description.max_length is None:
            description.max_length = SEARCH_DESCRIPTION_MAX_LENGTH
            description.validators.append(MaxLengthValidator(SEARCH_DESCRIPTION_MAX_LENGTH))
            description.widget.attrs["maxlength"] = str(SEARCH_DESCRIPTION_MAX_LENGTH)

    def clean_last_reviewed(self):
        """Refuse a date so far from today that it must be a typing mistake."""
        return self._review_date("last_reviewed")

    def clean_next_review_due(self):
        """Refuse a date so far from today that it must be a typing mistake."""
        return self._review_date("next_review_due")

    def _review_date(self, name):
        day = self.cleaned_data.get(name)
        if day is None:
            return day
        today = timezone.localdate()
        earliest, latest = (
            years_from(today, -REVIEW_DATE_YEARS),
            years_from(today, REVIEW_DATE_YEARS),
        )
        if not earliest <= day <= latest:
            raise ValidationError(
                _(
                    "Enter a date within %(years)d years of today, between %(earliest)s and "
                    "%(latest)s."
                ),
                code="out_of_range",
                params={
                    "years": REVIEW_DATE_YEARS,
                    "earliest": earliest.isoformat(),
                    "latest": latest.isoformat(),
                },
            )
        return day

    def clean(self):
        """Chosen testimonials must be the editor's clinics'; unless saving a draft, every booking
        button must lead somewhere."""
        cleaned_data = super().clean()
        self._check_chosen_testimonials(cleaned_data)
        if getattr(self, "is_deferred_validation", False):
            # Saving a draft: an unfinished button is not yet a problem.
            return cleaned_data
        clinic = self._clinic_settings()
        for name in self.stream_fields:
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
        # The publication gate: content-check errors (review missing, alt text that is a
        # file name, a promised comparison that never comes...) block publishing, not drafts.
        for finding in errors(run_checks(self.instance, site=self._site())):
            field = FINDING_FIELDS.get(finding.code)
            if field in self.fields:
                self.add_error(field, finding.message)
            else:
                self.add_error(None, f"{finding.location}: {finding.message}")

    def _check_chosen_testimonials(self, cleaned_data) -> None:
        """An editor may add only testimonials of the clinics whose patient records they manage,
        drafts included: the chooser offers no others, and a hand-made request must not
        either. Testimonials already on the page stay, whoever chose them."""
        if self.testimonial_reader is None:
            return
        for name in self.stream_fields:
            if name in self.errors or name not in cleaned_data:
                continue
            before = chosen_testimonial_ids(getattr(self.instance, name, None))
            added = chosen_testimonial_ids(cleaned_data[name]) - before
            if added - self.testimonial_reader.readable(added):
                self.add_error(
                    name, _("Choose only testimonials of the clinics whose records you manage.")
                )

    def _site(self):
        page = self.parent_page if self.instance.pk is None else self.instance
        return page.get_site() if page is not None else None

    def _clinic_settings(self):
        return ClinicSettings.for_site_or_defaults(self._site())


def chosen_testimonial_ids(stream) -> set[int]:
    """The ids of the testimonials chosen anywhere in ``stream``."""
    return {
        testimonial.pk
        for _path, _block, value in iter_blocks(stream or ())
        if hasattr(value, "get")
        for testimonial in (value.get("testimonials") or ())
        if testimonial is not None and hasattr(testimonial, "pk")
    }


FINDING_FIELDS = {
    "review-missing": "reviewed_by",
    "review-date-future": "last_reviewed",
    "review-interval-too-long": "next_review_due",
    "shared-missing": "shared_page",
    "shared-not-in-library": "shared_page",
    "shared-not-live": "shared_page",
    "local-reviewer-missing": "local_reviewed_by",
    "local-review-date-missing": "local_last_reviewed",
    "local-review-date-future": "local_last_reviewed",
    "local-reviewer-elsewhere": "local_reviewed_by",
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


class ClinicConditionPageForm(SpinecarePageForm):
    """A clinic's page may only draw on a page of a shared library, even in a draft: anything
    else (another clinic's own page, say) is not shared content."""

    def clean_shared_page(self):
        shared = self.cleaned_data.get("shared_page")
        if shared is not None and library_of(shared) is None:
            raise ValidationError(
                _(
                    "'%(title)s' is not in a shared condition library. Choose a page from "
                    "the library."
                ),
                code="not_shared",
                params={"title": shared.title},
            )
        return shared

    def clean_local_reviewed_by(self):
        """Only a clinician who works for this page's clinic may review it for the clinic,
        even in a draft."""
        clinician = self.cleaned_data.get("local_reviewed_by")
        if clinician is not None and not clinician.works_for(self._site()):
            raise ValidationError(
                local_reviewer_elsewhere_message(clinician, self._site()), code="elsewhere"
            )
        return clinician

    def clean_local_last_reviewed(self):
        """Refuse a date so far from today that it must be a typing mistake."""
        return self._review_date("local_last_reviewed")
