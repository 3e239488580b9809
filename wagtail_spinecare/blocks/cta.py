"""The booking button, usable on any page."""

import re

from django.core.exceptions import ValidationError
from django.http.request import split_domain_port
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

from ..booking import add_tracking, tel_href
from ..models.clinic import ClinicSettings
from .previews import BlockGroup, PreviewBlock

# Link text that tells a screen-reader user nothing about where the link goes.
VAGUE_LABEL = re.compile(r"^\s*(click|here|link|more|read more|learn more|submit)\b", re.IGNORECASE)


class BookingCTABlock(PreviewBlock, blocks.StructBlock):
    """A booking button: the clinic's booking link with tracking, and its phone number.

    The link comes from the clinic settings unless the editor gives one, so a clinic that
    changes booking system updates every button at once.
    """

    heading = blocks.CharBlock(
        required=False,
        max_length=120,
        help_text=_("Optional, e.g. 'Book your back pain assessment'."),
    )
    text = blocks.TextBlock(
        required=False,
        max_length=400,
        help_text=_("Optional. One or two sentences on what happens when they book."),
    )
    label = blocks.CharBlock(
        default=_("Book an assessment"),
        max_length=60,
        help_text=_(
            "The button text. Start with what the patient will do, e.g. 'Book an assessment'."
        ),
    )
    link = blocks.URLBlock(
        required=False,
        max_length=2000,
        help_text=_(
            "Leave blank to use the clinic's booking link. Paste a link to one practitioner or "
            "appointment type to send patients straight there."
        ),
    )
    show_phone = blocks.BooleanBlock(
        default=True,
        required=False,
        help_text=_("Also show the clinic's phone number, for patients who prefer to call."),
    )
    open_in_new_tab = blocks.BooleanBlock(
        default=False,
        required=False,
        help_text=_(
            "Usually best left off. Screen-reader users are told when a link opens a new tab."
        ),
    )

    class Meta:
        icon = "link"
        label = _("Booking button")
        description = _("A button to book an appointment, with the clinic's phone number.")
        template = "wagtail_spinecare/blocks/booking_cta_block.html"
        group = BlockGroup.ENGAGEMENT

    def get_preview_value(self):
        return self.to_python(
            {
                "heading": "Ready to get moving again?",
                "text": "Book an assessment with one of our team.",
                "label": "Book an assessment",
                "link": "https://booking.example/",
                "show_phone": True,
                "open_in_new_tab": False,
            }
        )

    def clean(self, value):
        """Refuse button text such as "Click here", which says nothing of where it goes."""
        value = super().clean(value)
        label = value.get("label") or ""
        if label and VAGUE_LABEL.match(label):
            raise StructBlockValidationError(
                block_errors={
                    "label": ValidationError(
                        _(
                            "Say what the button does, e.g. 'Book an assessment'. Words like "
                            "'click here' do not tell screen-reader users where it goes."
                        )
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        """Adds the clinic and its links: see :func:`booking_links`."""
        context = super().get_context(value, parent_context=parent_context)
        clinic = ClinicSettings.for_context(parent_context)
        context.update(booking_links(value, clinic, parent_context or {}))
        context["clinic"] = clinic
        return context

    def get_api_representation(self, value, context=None):
        """The button as the page shows it: its final booking link (tracked, as the page's)
        and phone; None (left out) when it leads nowhere."""
        context = context or {}
        links = booking_links(value, ClinicSettings.for_context(context), context)
        if not (links["booking_href"] or links["phone_href"]):
            return None
        return {
            "heading": value.get("heading") or "",
            "text": value.get("text") or "",
            "label": value.get("label") or "",
            "href": links["booking_href"],
            "phone": links["phone"],
            "phone_href": links["phone_href"],
            "open_in_new_tab": bool(value.get("open_in_new_tab")),
        }

    def shows_anything(self, value, context) -> bool:
        """Whether the button leads anywhere: to a booking link or a phone number."""
        links = booking_links(value, ClinicSettings.for_context(context), context)
        return bool(links["booking_href"] or links["phone_href"])


def booking_links(value, clinic, context) -> dict:
    """The booking ``href`` (tracked) and ``tel:`` link a CTA block shows on this page."""
    page = context.get("page")
    request = context.get("request")
    source = clinic.utm_source or (split_domain_port(request.get_host())[0] if request else "")
    url = value.get("link") or clinic.booking_url
    href = add_tracking(
        url,
        source=source,
        medium=clinic.utm_medium,
        campaign=getattr(page, "slug", ""),
        content=context.get("block_id") or slugify(value.get("label") or ""),
    )
    phone = clinic.phone if (value.get("show_phone") or not href) else ""
    return {"booking_href": href, "phone": phone, "phone_href": tel_href(phone)}


def missing_destination_errors(block, value, clinic) -> dict:
    """Field errors for a CTA that leads nowhere: no link of its own, no clinic link, no phone."""
    if not isinstance(block, BookingCTABlock) or value.get("link"):
        return {}
    if clinic.booking_url or clinic.phone:
        return {}
    return {
        "link": ValidationError(
            _(
                "This button has nowhere to send patients. Add a booking link here, or add the "
                "clinic's booking link or phone number in Settings > Clinic settings."
            )
        )
    }
