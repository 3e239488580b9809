"""What this app adds to the admin's dashboard: what needs doing in the user's clinics, and
why someone in no clinic's group sees no testimonials."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.models import get_page_models
from wagtail.permission_policies.sites import SitePermissionPolicy

from .. import consent
from ..governance import needing_review
from ..models import ClinicSettings, ConditionIndexPage
from ..models.review import DUE_SOON_DAYS, ReviewStatus
from ..permissions import managed_testimonials
from .reports import ClinicalReviewReportView, clinic_names, clinics

#: The clinic settings a clinic's pages need, as (field, what the editor is told is missing):
#: the name in the header and structured data, the phone number for the phone bar and the
#: booking buttons' "or call", the booking link every "Book" button goes to.
NEEDED_SETTINGS = (
    ("clinic_name", _("clinic name")),
    ("phone", _("phone number")),
    ("booking_url", _("booking link")),
)


def clinic_sites(user):
    """The clinics whose settings ``user`` may edit: sites with clinic settings, or whose
    home is a condition index (a clinic's home that was never given settings)."""
    homes = [model for model in get_page_models() if issubclass(model, ConditionIndexPage)]
    home_types = ContentType.objects.get_for_models(*homes).values()
    return (
        SitePermissionPolicy(ClinicSettings)
        .sites_user_has_permission_for(user, "change")
        .filter(Q(clinicsettings__isnull=False) | Q(root_page__content_type__in=list(home_types)))
    )


def missing_settings(user) -> list[dict]:
    """Each clinic ``user`` may edit the settings of that lacks a setting its pages need,
    with what is missing and the link to its settings (one query)."""
    fields = [f"clinicsettings__{name}" for name, _label in NEEDED_SETTINGS]
    found = []
    for site_id, site_name, hostname, *values in (
        clinic_sites(user)
        .order_by("site_name", "hostname")
        .values_list("pk", "site_name", "hostname", *fields)
    ):
        missing = [
            label
            for (_name, label), value in zip(NEEDED_SETTINGS, values, strict=True)
            if not value
        ]
        if missing:
            found.append(
                {
                    "clinic": values[0] or site_name or hostname,
                    "missing": missing,
                    "url": reverse(
                        "wagtailsettings:edit",
                        args=("wagtail_spinecare", "clinicsettings", site_id),
                    ),
                }
            )
    return found


class DashboardPanel(Component):
    """A panel of this app's on the dashboard, in the frame Wagtail's own panels have
    (``dashboard_panel.html``), its heading's id made from its name."""

    def get_context_data(self, parent_context=None):
        return {"panel_name": self.name}


class ToDoPanel(DashboardPanel):
    """What needs doing in the clinics the user works on: clinical reviews overdue or due
    soon, consents about to expire, clinic settings pages need. Each item links to the screen
    that fixes it. Testimonials are named by their number and clinic, never their words."""

    name = "spinecare-to-do"
    order = 150
    template_name = "wagtail_spinecare/admin/to_do_panel.html"
    #: How many items each list shows; the report or listing has the rest.
    LIMIT = 10

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        pages = needing_review(ClinicalReviewReportView.visible_pages(self.request))
        review_count = pages.count()
        pages = list(pages[: self.LIMIT]) if review_count else []
        # The consent rule says which consents expire soon; the permission policy whose.
        consents = list(
            consent.expiring_soon(DUE_SOON_DAYS).filter(
                testimonial__in=managed_testimonials(user).values("pk")
            )[: self.LIMIT + 1]
        )
        sites = clinics() if pages or consents else []
        names = clinic_names(pages, sites)
        site_names = {site_id: name for site_id, _path, name in sites}
        settings = missing_settings(user)
        return {
            **super().get_context_data(parent_context),
            "reviews": [
                {
                    "title": page.get_admin_display_title(),
                    "clinic": names[page.pk],
                    "status": ReviewStatus(page.review_status).label,
                    "due": page.review_due,
                    "url": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                }
                for page in pages
            ],
            "more_reviews": review_count - len(pages),
            "report_url": reverse("wagtail_spinecare_admin:review_report"),
            "consents": [
                {
                    "label": record.testimonial.label,
                    "clinic": site_names.get(record.testimonial.site_id, ""),
                    "expires_on": record.expires_on,
                    "url": reverse(
                        "wagtail_spinecare_testimonial_modeladmin_inspect",
                        args=(record.testimonial_id,),
                    ),
                }
                for record in consents[: self.LIMIT]
            ],
            "more_consents": len(consents) > self.LIMIT,
            "testimonials_url": reverse("wagtail_spinecare_testimonial_modeladmin_index")
            + "?consent=expiring",
            "settings": settings,
            "nothing": not (review_count or consents or settings),
            "days": DUE_SOON_DAYS,
        }


class NoClinicPanel(DashboardPanel):
    """Tells staff in no clinic's editors group why they see no testimonials."""

    name = "spinecare-no-clinic"
    order = 140
    template_name = "wagtail_spinecare/admin/no_clinic_panel.html"
