"""Building the benchmark database: sites, images, stories, treatments and the pages.

Besides the four pages compared (spinecare and plain Wagtail, 1× and 5×), a shared library
holds the 1× content once, and a clinic page on each clinic's site draws on it: one in the
library's words, one in other words.
"""

import random
from dataclasses import dataclass
from io import BytesIO

from django.core.files.images import ImageFile
from django.core.management import call_command
from PIL import Image, ImageDraw, ImageFilter

from . import content

SPINECARE_HOST = "spinecare.bench"
SECOND_HOST = "second.bench"
NAIVE_HOST = "naive.bench"
IMAGE_SIZE = (1600, 1000)
REPEATS = (1, 5)
LIBRARY_REGION = "uk"  # the words the shared pages are written in
SHARED_SLUG = f"{content.SLUG}-shared"


@dataclass(frozen=True)
class Target:
    """A page to request: which implementation, how many copies of the content, where."""

    kind: str  # "spinecare" or "naive"
    repeat: int
    host: str
    path: str
    fragment_cache: bool = False  # spinecare's fragment cache, as production runs it
    # A clinic page drawing on the shared library: the clinic's region ("" for a page with
    # its own content). The library is written in LIBRARY_REGION's words.
    shared: str = ""

    @property
    def key(self) -> str:
        shared = f"-shared-{self.shared}" if self.shared else ""
        return f"{self.kind}-{self.repeat}x{shared}" + ("-fragments" if self.fragment_cache else "")

    @property
    def label(self) -> str:
        shared = ""
        if self.shared:
            words = "same words" if self.shared == LIBRARY_REGION else "words swapped"
            shared = f", shared content ({self.shared.upper()} clinic, {words})"
        suffix = ", fragment cache" if self.fragment_cache else ""
        return f"{self.kind} {self.repeat}×{shared}{suffix}"


def path_for(repeat: int) -> str:
    return f"/{content.SLUG}/" if repeat == 1 else f"/{content.SLUG}-{repeat}x/"


TARGETS = [
    Target(kind, repeat, SPINECARE_HOST if kind == "spinecare" else NAIVE_HOST, path_for(repeat))
    for kind in ("spinecare", "naive")
    for repeat in REPEATS
]
FRAGMENT_TARGETS = [
    Target("spinecare", repeat, SPINECARE_HOST, path_for(repeat), fragment_cache=True)
    for repeat in REPEATS
]
SECOND_SITE = Target("spinecare", 1, SECOND_HOST, path_for(1))
# Each clinic's words. The clinic pages drawing on the library's 1× page: the first clinic's
# is in the library's words, the second clinic's is not, so its every render swaps words.
CLINIC_REGIONS = {SPINECARE_HOST: LIBRARY_REGION, SECOND_HOST: "us"}
SHARED_TARGETS = [
    Target("spinecare", 1, host, f"/{SHARED_SLUG}/", fragment_cache, shared=region)
    for fragment_cache in (False, True)
    for host, region in CLINIC_REGIONS.items()
]


def target(kind: str, repeat: int) -> Target:
    return next(t for t in TARGETS if t.kind == kind and t.repeat == repeat)


def fragment_target(repeat: int) -> Target:
    return next(t for t in FRAGMENT_TARGETS if t.repeat == repeat)


def shared_target(region: str, fragment_cache: bool) -> Target:
    return next(
        t for t in SHARED_TARGETS if t.shared == region and t.fragment_cache == fragment_cache
    )


def migrate() -> None:
    """Apply every migration, the bench app's included."""
    call_command("migrate", interactive=False, verbosity=0)


def photo_jpeg(seed: int) -> bytes:
    """A 1600×1000 JPEG with gradients, shapes and grain, so resizing it is real work."""
    rng = random.Random(seed)
    width, height = IMAGE_SIZE
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(40, 220) for _ in range(3))
    mask = Image.linear_gradient("L").resize(IMAGE_SIZE)
    image = Image.composite(
        Image.new("RGB", IMAGE_SIZE, bottom), Image.new("RGB", IMAGE_SIZE, top), mask
    )
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 240)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=colour)
    image = image.filter(ImageFilter.GaussianBlur(3))
    grain = Image.frombytes("L", IMAGE_SIZE, rng.randbytes(width * height)).convert("RGB")
    image = Image.blend(image, grain, 0.08)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def make_images() -> list[int]:
    from wagtail.images import get_image_model

    image_model = get_image_model()
    ids = []
    for n in range(6):
        image = image_model(
            title=f"Benchmark photo {n + 1}",
            file=ImageFile(BytesIO(photo_jpeg(n)), name=f"bench-photo-{n + 1}.jpg"),
        )
        image.save()
        ids.append(image.pk)
    return ids


# Spinecare ---------------------------------------------------------------------------------


def spinecare_part(part, images, stories, treatments) -> dict:
    from wagtail_spinecare.factories import cta_data, figure_data, stream_item

    if isinstance(part, content.Text):
        return stream_item("paragraph", part.html)
    if isinstance(part, content.Figure):
        figure = {**figure_data(images[part.image], part.alt), "caption": part.caption}
        return stream_item("figure", figure)
    if isinstance(part, content.CTA):
        return stream_item(
            "booking_cta", cta_data(heading=part.heading, text=part.text, label=part.label)
        )
    if isinstance(part, content.Comparison):
        value = {"caption": part.caption, "intro": "", "treatments": list(treatments)}
        return stream_item("comparison", value)
    if isinstance(part, content.Stories):
        if stories is None:
            # Shared content names no clinic's patients: each clinic's page shows its own
            # stories about the condition.
            value = {
                "heading": part.heading,
                "testimonials": [],
                "latest_count": len(content.STORIES),
            }
        else:
            value = {"heading": part.heading, "testimonials": list(stories), "latest_count": 0}
        return stream_item("testimonials", value)
    raise TypeError(part)


def spinecare_body(images, stories, treatments, repeat: int) -> list[dict]:
    """The page's StreamField; ``stories`` None: the latest stories about the condition."""
    from wagtail_spinecare.factories import cta_data, section_data, stream_item

    faq = {
        "heading": content.FAQ_HEADING,
        "items": [{"question": q, "answer": a} for q, a in content.FAQ],
    }
    closing = content.CLOSING_CTA
    body = []
    for _ in range(repeat):
        for section in content.SECTIONS:
            parts = [spinecare_part(p, images, stories, treatments) for p in section.parts]
            body.append(
                stream_item("section", section_data(section.heading, section.aspect, parts))
            )
        body.append(stream_item("faq", faq))
        body.append(
            stream_item(
                "booking_cta",
                cta_data(heading=closing.heading, text=closing.text, label=closing.label),
            )
        )
    return body


def make_clinic(root, hostname: str, slug: str, **settings):
    from wagtail.models import Site

    from wagtail_spinecare.factories import ClinicSettingsFactory, ConditionIndexPageFactory

    index = ConditionIndexPageFactory(parent=root, slug=slug, title=settings["clinic_name"])
    site = Site.objects.create(
        hostname=hostname, port=80, root_page=index, site_name=settings["clinic_name"]
    )
    ClinicSettingsFactory(site=site, **settings)
    return index, site


def make_treatments() -> list[int]:
    from wagtail_spinecare.factories import (
        GuidelineFactory,
        GuidelineRecommendationFactory,
        TreatmentFactory,
    )

    guideline = GuidelineFactory(code=content.GUIDELINE)
    ids = []
    for data in content.TREATMENTS:
        treatment = TreatmentFactory(
            name=data.name,
            category=data.category,
            summary=data.summary,
            typical_course=data.typical_course,
            time_to_benefit=data.time_to_benefit,
        )
        for order, (number, strength, caveats) in enumerate(data.recommendations):
            GuidelineRecommendationFactory(
                treatment=treatment,
                guideline=guideline,
                recommendation_id=number,
                strength=strength,
                caveats=caveats,
                source_url=content.GUIDELINE_SOURCE,
                sort_order=order,
            )
        ids.append(treatment.pk)
    return ids


def make_stories(site, condition_page=None) -> list[int]:
    """The two stories, each with valid consent to be shown with name and occupation.

    With ``condition_page``, stories about that condition, made last first: a page showing
    the latest stories shows them newest first, so in the same order as a page naming them.
    """
    from wagtail_spinecare.factories import TestimonialFactory, give_consent

    ids = []
    stories = content.STORIES if condition_page is None else content.STORIES[::-1]
    for story in stories:
        testimonial = TestimonialFactory(
            site=site,
            condition_page=condition_page,
            quote=story.quote,
            patient_name=story.patient_name,
            occupation=story.occupation,
            naming="first_name_initial",
        )
        give_consent(testimonial, details=("name", "occupation"))
        ids.append(testimonial.pk)
    return ids


def build_shared(root, images, treatments, clinician, sites) -> None:
    """The library's 1× page, and a clinic page drawing on it on each clinic's site.

    Each clinic page has the clinic's introduction and clinician, and the clinic's own
    stories about the shared condition: the same two as the page with its own content.
    """
    from wagtail_spinecare.factories import ConditionPageFactory
    from wagtail_spinecare.models import ClinicConditionPage, ConditionLibraryPage

    library = root.add_child(
        instance=ConditionLibraryPage(
            title="Shared conditions", slug="shared-conditions", region=LIBRARY_REGION
        )
    )
    shared = ConditionPageFactory(
        parent=library,
        title=content.TITLE,
        slug=path_for(1).strip("/"),
        quick_answer=content.QUICK_ANSWER,
        reviewed_by=clinician,
        body=spinecare_body(images, None, treatments, 1),
    )
    for index, site in sites:
        page = index.add_child(
            instance=ClinicConditionPage(
                title=content.TITLE,
                slug=SHARED_SLUG,
                shared_page=shared,
                introduction=content.CLINIC_INTRODUCTION,
            )
        )
        page.clinicians.set([clinician])
        page.save()
        make_stories(site, condition_page=shared)


def build_spinecare(root, images) -> None:
    from wagtail_spinecare.factories import ClinicianFactory, ConditionPageFactory

    index, site = make_clinic(
        root,
        SPINECARE_HOST,
        "spinecare",
        clinic_name=content.CLINIC_NAME,
        region=CLINIC_REGIONS[SPINECARE_HOST],
        phone="0117 496 0123",
        booking_url=content.BOOKING_URL,
    )
    second_index, second_site = make_clinic(
        root,
        SECOND_HOST,
        "second",
        clinic_name=content.SECOND_CLINIC_NAME,
        region=CLINIC_REGIONS[SECOND_HOST],
        phone="(319) 555-0142",
        booking_url="https://book.riverside-spine.example/",
    )
    clinician = ClinicianFactory(
        name="Amara Okafor", profession="Clinical lead physiotherapist", post_nominals="MSc MCSP"
    )
    stories = make_stories(site)
    treatments = make_treatments()
    for repeat in REPEATS:
        ConditionPageFactory(
            parent=index,
            title=content.TITLE,
            slug=path_for(repeat).strip("/"),
            quick_answer=content.QUICK_ANSWER,
            reviewed_by=clinician,
            body=spinecare_body(images, stories, treatments, repeat),
        )
    # The same path on another clinic's site: its own clinic's page, never the first one's.
    ConditionPageFactory(
        parent=second_index,
        title=content.TITLE,
        slug=path_for(1).strip("/"),
        quick_answer=content.QUICK_ANSWER,
        reviewed_by=clinician,
        body=spinecare_body(images, stories, treatments, 1),
    )
    build_shared(root, images, treatments, clinician, [(index, site), (second_index, second_site)])


# Plain Wagtail -----------------------------------------------------------------------------


def naive_part(part, images, stories, treatments) -> dict:
    from wagtail_spinecare.factories import stream_item

    if isinstance(part, content.Text):
        return stream_item("paragraph", part.html)
    if isinstance(part, content.Figure):
        value = {"image": images[part.image], "alt_text": part.alt, "caption": part.caption}
        return stream_item("figure", value)
    if isinstance(part, content.CTA):
        value = {
            "heading": part.heading,
            "text": part.text,
            "label": part.label,
            "link": content.BOOKING_URL,
        }
        return stream_item("cta", value)
    if isinstance(part, content.Comparison):
        rows = [{"treatment": pk} for pk in treatments]
        return stream_item("comparison", {"caption": part.caption, "intro": "", "rows": rows})
    if isinstance(part, content.Stories):
        return stream_item("testimonials", {"heading": part.heading, "testimonials": stories})
    raise TypeError(part)


def naive_body(images, stories, treatments, repeat: int) -> list[dict]:
    from wagtail_spinecare.factories import stream_item

    faq = {
        "heading": content.FAQ_HEADING,
        "items": [{"question": q, "answer": a} for q, a in content.FAQ],
    }
    body = []
    for _ in range(repeat):
        for section in content.SECTIONS:
            body.append(stream_item("heading", section.heading))
            body += [naive_part(p, images, stories, treatments) for p in section.parts]
        body.append(stream_item("faq", faq))
        body.append(naive_part(content.CLOSING_CTA, images, stories, treatments))
    return body


def build_naive(root, images) -> None:
    from wagtail.models import Page, Site

    from .naive.models import NaivePage, NaiveRecommendation, NaiveTestimonial, NaiveTreatment

    home = root.add_child(instance=Page(title=content.CLINIC_NAME, slug="naive"))
    Site.objects.create(hostname=NAIVE_HOST, port=80, root_page=home, site_name=content.CLINIC_NAME)
    stories = [
        NaiveTestimonial.objects.create(
            quote=story.quote, name=story.shown_name, occupation=story.occupation
        ).pk
        for story in content.STORIES
    ]
    treatments = []
    for data in content.TREATMENTS:
        treatment = NaiveTreatment.objects.create(
            name=data.name,
            summary=data.summary,
            typical_course=data.typical_course,
            time_to_benefit=data.time_to_benefit,
        )
        for order, (number, strength, caveats) in enumerate(data.recommendations):
            NaiveRecommendation.objects.create(
                treatment=treatment,
                guideline=content.GUIDELINE,
                recommendation_id=number,
                strength=strength,
                caveats=caveats,
                source_url=content.GUIDELINE_SOURCE,
                sort_order=order,
            )
        treatments.append(treatment.pk)
    for repeat in REPEATS:
        home.add_child(
            instance=NaivePage(
                title=content.TITLE,
                slug=path_for(repeat).strip("/"),
                intro=content.QUICK_ANSWER,
                search_description=content.QUICK_ANSWER,
                body=naive_body(images, stories, treatments, repeat),
            )
        )


def build() -> None:
    """Migrate, then create everything both implementations show."""
    from wagtail.models import Page

    migrate()
    root = Page.get_first_root_node()
    images = make_images()
    build_spinecare(root, images)
    build_naive(root, images)
