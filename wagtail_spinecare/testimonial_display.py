"""Turning chosen testimonials into what a page shows, as far as consent allows."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from . import consent
from .models.clinic import ClinicSettings
from .models.consent_records import Channel
from .models.testimonials import AgeBand, MaterialConnection
from .permissions import managed_testimonials


@dataclass
class ShownTestimonial:
    """A testimonial as a page shows it: only what its consent allows, in display form."""

    quote: str
    name: str
    age: str = ""
    occupation: str = ""
    connection: str = ""
    typicality: str = ""
    photo: object = None

    def as_dict(self) -> dict:
        """The testimonial for the API: everything but the photo."""
        data = asdict(self)
        data.pop("photo")
        return data


def shown_testimonial(testimonial, details, clinic) -> ShownTestimonial:
    """``testimonial`` as a page shows it, given what its consent allows (``details``) and
    the clinic's statement on typical results."""
    connection = ""
    if testimonial.material_connection:
        connection = str(MaterialConnection(testimonial.material_connection).label)
        if testimonial.material_connection_detail:
            connection = f"{connection}: {testimonial.material_connection_detail}"
    photo = testimonial.photo if details.photo else None
    name = testimonial.display_name(details.name)
    if photo is not None:
        photo.contextual_alt_text = _("Photo of %(name)s") % {"name": name}
    return ShownTestimonial(
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


def testimonials_for(value, context, channel=Channel.WEB) -> dict:
    """The testimonials a TestimonialsBlock shows in this context, and, in previews, what it hides.

    A hidden testimonial is told to the editor previewing as far as they may know of it (see
    :func:`hidden_testimonial`), whichever clinic the preview is for.
    """
    request = context.get("request")
    page = context.get("page")
    if request is None:
        return {"testimonials": [], "hidden": []}
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
    unshown = [t for t in chosen if t.pk not in allowed]
    if unshown and getattr(request, "is_preview", False):
        site = Site.find_for_request(request)
        reader = reader_for_request(request)
        reader.readable({t.pk for t in unshown})
        hidden = [hidden_testimonial(t, site, reader, channel) for t in unshown]
    return {
        "testimonials": [shown_testimonial(t, allowed[t.pk], clinic) for t in shown],
        "hidden": hidden,
    }


#: What editors see of a testimonial whose patient's words are not theirs to read.
OTHER_CLINICS_TESTIMONIAL = _("a testimonial from another clinic")

#: Why a testimonial cannot be shown on a page that belongs to no clinic's site.
NO_SITE = _("testimonials are shown only on a clinic's site")


@dataclass(frozen=True)
class HiddenTestimonial:
    """A chosen testimonial that is not shown, as an editor is told of it."""

    #: Its first words; :data:`OTHER_CLINICS_TESTIMONIAL` or its label when masked.
    excerpt: str
    #: Why it is not shown; empty when that is not the editor's to know.
    reason: str
    #: True when neither its words nor what its consent says are told.
    masked: bool = False


def hidden_testimonial(testimonial, site, reader, channel=Channel.WEB) -> HiddenTestimonial:
    """How ``reader``'s user is told of ``testimonial``, chosen for a page but not shown on
    ``site``: by its first words and why only when they manage the testimonial's clinic.

    Any other testimonial is "a testimonial from another clinic", with no reason, whatever the site:
    another clinic's patient's words and consent are not theirs to know. With no reader (the
    findings are for nobody in particular), a testimonial is named only by its label.
    """
    if reader is None:
        return HiddenTestimonial(str(testimonial.label), "", masked=True)
    if not reader.may_read(testimonial.pk):
        return HiddenTestimonial(str(OTHER_CLINICS_TESTIMONIAL), "", masked=True)
    if site is None:
        # On no clinic's site (a shared page's checks, or its preview as written): what would
        # hide it on every site, or else that only a clinic's site shows testimonials.
        return HiddenTestimonial(
            testimonial.excerpt, consent.why_hidden(testimonial, None, channel) or str(NO_SITE)
        )
    return HiddenTestimonial(
        testimonial.excerpt, consent.why_hidden(testimonial, site, channel) or ""
    )


def reader_for_request(request) -> "TestimonialReader":
    """The :class:`TestimonialReader` of the request's user, made once per request, so a preview's
    blocks and content checks ask about each testimonial once between them."""
    reader = request.__dict__.get("_spinecare_testimonial_reader")
    if reader is None:
        reader = request._spinecare_testimonial_reader = TestimonialReader(
            getattr(request, "user", None)
        )
    return reader


class TestimonialReader:
    """The user a page form or a preview is drawn for, and which chosen testimonials they may read:
    those of the clinics whose patient records they manage. Each testimonial is asked about once."""

    def __init__(self, user):
        self.user = user
        self._may_read = {}

    def readable(self, pks) -> set:
        """Those of ``pks`` the user may read; one question to the permission policy for the
        ones not asked about yet, none for an anonymous user."""
        new = set(pks) - self._may_read.keys()
        if new and not getattr(self.user, "is_authenticated", False):
            # Nobody, or an anonymous visitor: no clinic's records are theirs.
            self._may_read.update((pk, False) for pk in new)
        elif new:
            found = set(
                managed_testimonials(self.user).filter(pk__in=new).values_list("pk", flat=True)
            )
            self._may_read.update((pk, pk in found) for pk in new)
        return {pk for pk in pks if self._may_read[pk]}

    def may_read(self, pk) -> bool:
        """Whether the user may read the testimonial with id ``pk``."""
        return bool(self.readable({pk}))


def _latest_for(request, page, channel) -> list:
    """Every testimonial about ``page``'s condition that may be shown here, newest first.

    A clinic's page for a shared condition shows its own patients' testimonials about the shared
    condition: the consent rule keeps them to this site.

    No query of its own: the consent query for the request brought the testimonials.
    """
    shown = consent.shown_testimonials_for_request(request, channel).values()
    return sorted(
        (t for t in shown if t.condition_page_id == getattr(page, "condition_id", page.pk)),
        key=lambda t: (t.created_at, t.pk),
        reverse=True,
    )
