"""Turning chosen testimonials into what a page shows, as far as consent allows."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from . import consent
from .models.testimonials import AgeBand, Channel, MaterialConnection


@dataclass
class Story:
    quote: str
    name: str
    age: str = ""
    occupation: str = ""
    connection: str = ""
    typicality: str = ""
    photo: object = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("photo")
        return data


def story(testimonial, details, clinic) -> Story:
    connection = ""
    if testimonial.material_connection:
        connection = str(MaterialConnection(testimonial.material_connection).label)
        if testimonial.material_connection_detail:
            connection = f"{connection}: {testimonial.material_connection_detail}"
    photo = testimonial.photo if details.photo else None
    name = testimonial.display_name(details.name)
    if photo is not None:
        photo.contextual_alt_text = _("Photo of %(name)s") % {"name": name}
    return Story(
        quote=testimonial.quote,
        name=name,
        age=str(AgeBand(testimonial.age_band).label)
        if details.age and testimonial.age_band
        else "",
        occupation=testimonial.occupation if details.occupation else "",
        connection=connection,
        typicality=clinic.typicality_statement if testimonial.claims_outcome else "",
        photo=photo,
    )


def stories_for(value, context, channel=Channel.WEB) -> dict:
    """The stories a TestimonialsBlock shows in this context, and, in previews, what it hides."""
    from .models import ClinicSettings

    request = context.get("request")
    page = context.get("page")
    if request is None:
        return {"stories": [], "hidden": []}
    allowed = consent.shown_details_for_request(request, channel)
    chosen = [t for t in value.get("testimonials") or [] if t is not None]
    shown = [t for t in chosen if t.pk in allowed]
    count = value.get("latest_count") or 0
    if count and page is not None:
        chosen_ids = {t.pk for t in shown}
        latest = [t for t in _latest_for(request, page, channel) if t.pk not in chosen_ids]
        shown += latest[:count]
    clinic = ClinicSettings.for_context(context)
    hidden = []
    if getattr(request, "is_preview", False):
        site = Site.find_for_request(request)
        hidden = [
            {"excerpt": excerpt_for(t, site), "reason": consent.why_hidden(t, site, channel)}
            for t in chosen
            if t.pk not in allowed
        ]
    return {
        "stories": [story(t, allowed[t.pk], clinic) for t in shown],
        "hidden": hidden,
    }


#: What editors see of a story whose patient's words are not theirs to read.
OTHER_CLINICS_STORY = _("a story from another clinic")


def excerpt_for(testimonial, site) -> str:
    """How editors of ``site`` see a story that is not shown there: by its words only if it
    is their clinic's. Another clinic's patient's words are not theirs to read."""
    if site is None or testimonial.site_id == site.pk:
        return testimonial.excerpt
    return str(OTHER_CLINICS_STORY)


class StoryReader:
    """The user a page form is for, and which chosen stories they may read: those of the
    clinics whose patient records they manage. Each story is asked about once."""

    def __init__(self, user):
        self.user = user
        self._may_read = {}

    def readable(self, pks) -> set:
        """Those of ``pks`` the user may read; one query for the ones not asked about yet."""
        from .permissions import managed_testimonials

        new = set(pks) - self._may_read.keys()
        if new:
            found = set(
                managed_testimonials(self.user).filter(pk__in=new).values_list("pk", flat=True)
            )
            self._may_read.update((pk, pk in found) for pk in new)
        return {pk for pk in pks if self._may_read[pk]}

    def may_read(self, pk) -> bool:
        return bool(self.readable({pk}))


def _latest_for(request, page, channel) -> list:
    """Every story about ``page``'s condition that may be shown here, newest first.

    A clinic's page for a shared condition shows its own patients' stories about the shared
    condition: the consent rule keeps them to this site.

    No query of its own: the consent query for the request brought the testimonials.
    """
    shown = consent.shown_testimonials_for_request(request, channel).values()
    return sorted(
        (t for t in shown if t.condition_page_id == getattr(page, "condition_id", page.pk)),
        key=lambda t: (t.created_at, t.pk),
        reverse=True,
    )
