"""Template tags for this app's templates: images, the clinic's logo and icons, phone links,
the brand stylesheet, the structured data and the fragment cache."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from wagtail.images.models import SourceImageIOError

from .. import brand, structured_data
from ..blocks.clinical import weeks_label
from ..blocks.cta import booking_links
from ..blocks.images import RENDITION_SPECS
from ..blocks.sections import Aspect, shown_sections
from ..booking import tel_href as _tel_href
from ..cache import cached_fragment
from ..languages import language_tag
from ..links import page_url
from ..renditions import ICON_SPECS, LOGO_SPEC, PORTRAIT_SPEC, filter_for

register = template.Library()

DEFAULT_SIZES = "(min-width: 48em) 44rem, 100vw"


@register.simple_tag
def responsive_image(image, sizes=DEFAULT_SIZES, loading="lazy"):
    """An ``<img>`` offering the standard widths as a srcset, from renditions loaded in bulk.

    A deleted image, or one whose file is missing from storage, renders nothing: a patient
    is better served by the page without the picture than by an error.
    """
    if image is None:
        return ""
    try:
        renditions = image.get_renditions(*map(filter_for, RENDITION_SPECS))
    except SourceImageIOError:
        return ""
    # Small originals are not upscaled, so several specs can give the same width.
    by_width = {rendition.width: rendition for rendition in renditions.values()}
    largest = by_width[max(by_width)]
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" '
        'loading="{}" decoding="async">',
        largest.url,
        format_html_join(", ", "{} {}w", ((r.url, w) for w, r in sorted(by_width.items()))),
        sizes,
        largest.width,
        largest.height,
        getattr(image, "contextual_alt_text", None) or "",
        loading,
    )


DEFAULT_ICON = "wagtail_spinecare/img/icon.svg"


def _renditions(image, *specs):
    """``image`` at each of ``specs``, or None when there is no image or its file is gone."""
    if image is None:
        return None
    try:
        return list(image.get_renditions(*map(filter_for, specs)).values())
    except SourceImageIOError:
        return None


def _beside_name(image, spec, css_class, loading="eager"):
    """``image`` at ``spec`` beside a written name, which it would only repeat: empty alt."""
    renditions = _renditions(image, spec)
    if renditions is None:
        return ""
    rendition = renditions[0]
    return format_html(
        '<img class="{}" src="{}" width="{}" height="{}" alt="" loading="{}">',
        css_class,
        rendition.url,
        rendition.width,
        rendition.height,
        loading,
    )


@register.simple_tag
def spinecare_language():
    """The active language, as HTML's ``lang`` writes it (``en-GB``, ``es``)."""
    return language_tag()


@register.simple_tag
def spinecare_logo(clinic):
    """The clinic's logo, for beside its name at the top of every page."""
    return _beside_name(getattr(clinic, "logo", None), LOGO_SPEC, "sc-site-header__logo")


@register.simple_tag
def spinecare_portrait(image):
    """A clinician's photo, square, for beside their name."""
    return _beside_name(image, PORTRAIT_SPEC, "sc-clinician__photo", loading="lazy")


@register.simple_tag
def spinecare_icons(clinic):
    """The clinic's icon for browser tabs and home screens; the package's own without one."""
    renditions = _renditions(getattr(clinic, "icon", None), *ICON_SPECS)
    if renditions is None:
        return format_html('<link rel="icon" href="{}" type="image/svg+xml">', static(DEFAULT_ICON))
    tab, home_screen = renditions
    return format_html(
        '<link rel="icon" href="{}" sizes="32x32" type="image/png">\n'
        '    <link rel="apple-touch-icon" href="{}">',
        tab.url,
        home_screen.url,
    )


@register.filter
def tel_href(phone):
    """``{{ clinic.phone|tel_href }}``: a ``tel:`` link for the number as written."""
    return _tel_href(phone)


@register.filter
def phase_weeks(phase):
    """``{{ phase|phase_weeks }}``: "Weeks 2 to 6" for a recovery timeline phase."""
    return weeks_label(phase.get("start_week"), phase.get("end_week"))


@register.simple_tag(takes_context=True)
def spinecare_brand_stylesheet(context):
    """The clinic's brand colour: a link to its site's stylesheet (see ``brand.py``)."""
    clinic = context.get("clinic")
    return brand.stylesheet_tag(clinic) if clinic is not None else ""


@register.simple_tag(takes_context=True)
def spinecare_structured_data(context):
    """The page's JSON-LD, describing what the page shows wherever the tag is placed."""
    page, request = context.get("page"), context.get("request")
    if page is None or request is None:
        return ""
    return structured_data.script_tag(structured_data.graph_for(page, request))


class CachedFragmentNode(template.Node):
    """What ``{% spinecare_cached %}`` encloses, rendered through the fragment cache."""

    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        return cached_fragment(context, self.name, lambda: self.nodelist.render(context))


@register.tag
def spinecare_cached(parser, token):
    """``{% spinecare_cached "name" %}…{% endspinecare_cached %}``: a fragment-cached part."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one quoted name")
    nodelist = parser.parse(("endspinecare_cached",))
    parser.delete_first_token()
    return CachedFragmentNode(nodelist, bits[1][1:-1])


@register.simple_tag(takes_context=True)
def spinecare_pageurl(context, page):
    """Like Wagtail's ``{% pageurl %}``, without a query for a page of the site being served."""
    return page_url(page, context.get("request")) or ""


@register.simple_tag(takes_context=True)
def spinecare_contents(context, body):
    """What "On this page" lists: the ``sections`` the page shows, and the first about when
    to get help (``urgent``), which the page signposts before anything else."""
    sections = shown_sections(body, context)
    urgent = next((s for s in sections if s.value.get("aspect") == Aspect.WHEN_TO_GET_HELP), None)
    return {"sections": sections, "urgent": urgent}


@register.simple_tag(takes_context=True)
def spinecare_booking_href(context, placement):
    """The clinic's booking link, tracked as coming from ``placement`` (the header, say);
    empty when the clinic has none."""
    clinic = context.get("clinic")
    if clinic is None or not clinic.booking_url:
        return ""
    where = {"page": context.get("page"), "request": context.get("request"), "block_id": placement}
    return booking_links({}, clinic, where)["booking_href"]
