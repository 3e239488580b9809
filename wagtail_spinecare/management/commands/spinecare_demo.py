import uuid
from datetime import timedelta
from io import BytesIO

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from wagtail_spinecare.demo import clinics as demo_clinics
from wagtail_spinecare.demo import content, stories, treatments
from wagtail_spinecare.demo.images import DRAWINGS, png_bytes
from wagtail_spinecare.models import (
    Clinician,
    ClinicSettings,
    ConditionIndexPage,
    ConditionPage,
    PageSource,
    TreatmentComparisonPage,
)
from wagtail_spinecare.models.testimonials import LawfulBasis
from wagtail_spinecare.terminology import UK, US, terminology_for

LAWFUL_BASIS = {UK: LawfulBasis.UK_GDPR_EXPLICIT, US: LawfulBasis.HIPAA_AUTHORIZATION}
BLOCK_ID_NAMESPACE = uuid.UUID("6f1c1a4e-3b7d-4b0e-9a55-2f5f0c2d7a10")


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) two demo clinics, one UK and one US, each on its own "
        "site with a facet joint back pain page. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="Port the demo sites are served on (default 8000, as runserver uses).",
        )

    @transaction.atomic
    def handle(self, *args, port, **options):
        images = self.ensure_images()
        treatment_ids = treatments.ensure_treatments()
        self.report("saved", f"{len(treatment_ids)} treatments with NICE NG59 recommendations")
        for clinic in demo_clinics.CLINICS:
            self.ensure_clinic(clinic, port, images, treatment_ids)
        self.stdout.write(self.style.SUCCESS("Demo clinics ready:"))
        for clinic in demo_clinics.CLINICS:
            self.stdout.write(f"  {clinic.clinic_name}: http://{clinic.hostname}:{port}/")

    def report(self, verb, thing):
        self.stdout.write(f"  {verb:<9} {thing}")

    def ensure_images(self) -> dict[str, int]:
        Image = get_image_model()
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name="Spinecare demo").first()
        if collection is None:
            collection = root.add_child(name="Spinecare demo")
        ids = {}
        for key, (title, draw) in DRAWINGS.items():
            image = Image.objects.filter(collection=collection, title=title).first()
            if image is None:
                image = Image(title=title, collection=collection)
                image.file = ImageFile(_named(png_bytes(draw()), f"spinecare-{key}.png"))
                image.save()
                self.report("created", f"image '{title}'")
            ids[key] = image.pk
        return ids

    def ensure_clinic(self, clinic, port, images, treatment_ids):
        self.stdout.write(f"{clinic.clinic_name} ({clinic.hostname})")
        index_content = content.condition_index_page(
            terminology_for(clinic.region), clinic.clinic_name, clinic.town
        )
        root = Page.get_first_root_node()
        home = root.get_children().filter(slug=clinic.root_slug).specific().first()
        if home is None:
            home = root.add_child(
                instance=ConditionIndexPage(
                    title=index_content["title"], slug=clinic.root_slug, live=False
                )
            )
            self.report("created", "home page")
        self.publish(home, index_content, exclude=("slug",))

        site = Site.objects.filter(hostname=clinic.hostname).first() or Site(
            hostname=clinic.hostname
        )
        site.port, site.root_page, site.site_name = port, home, clinic.clinic_name
        site.save()
        self.report("saved", f"site {clinic.hostname}:{port}")

        settings = ClinicSettings.for_site(site)
        for name, value in {
            "clinic_name": clinic.clinic_name,
            "region": clinic.region,
            **clinic.settings,
        }.items():
            setattr(settings, name, value)
        settings.full_clean()
        settings.save()
        self.report("saved", "clinic settings")

        person = clinic.clinician
        clinician, created = Clinician.objects.update_or_create(
            name=person.name, defaults=vars(person)
        )
        self.report("created" if created else "saved", f"clinician {clinician}")

        terms = terminology_for(clinic.region)
        page_content = content.facet_joint_page(terms, clinic.clinic_name, clinic.town, images)
        page = ConditionPage.objects.child_of(home).filter(slug=page_content["slug"]).first()
        if page is None:
            page = home.add_child(
                instance=ConditionPage(
                    title=page_content["title"],
                    slug=page_content["slug"],
                    quick_answer=page_content["quick_answer"],
                    live=False,
                )
            )
            self.report("created", f"page '{page.title}'")
        story_ids = stories.ensure_stories(
            clinic.key, site, clinic.clinic_name, page, LAWFUL_BASIS[clinic.region]
        )
        self.report("saved", f"{len(story_ids)} patient stories with consent records")
        page_content = content.facet_joint_page(
            terms,
            clinic.clinic_name,
            clinic.town,
            images,
            stories=story_ids,
            treatments=treatment_ids,
        )
        today = timezone.localdate()
        self.publish(
            page,
            {
                **page_content,
                "sources": content.sources(terms),
                "reviewed_by": clinician,
                "last_reviewed": page.last_reviewed or today - timedelta(days=30),
                "next_review_due": page.next_review_due or today + timedelta(days=335),
            },
        )
        self.ensure_comparison_page(home, page, clinician, terms, treatment_ids)

    def ensure_comparison_page(self, home, condition_page, clinician, terms, treatment_ids):
        values = content.comparison_page(terms, treatment_ids)
        page = TreatmentComparisonPage.objects.child_of(home).filter(slug=values["slug"]).first()
        if page is None:
            page = home.add_child(
                instance=TreatmentComparisonPage(
                    title=values["title"], slug=values["slug"], intro=values["intro"], live=False
                )
            )
            self.report("created", f"page '{page.title}'")
        today = timezone.localdate()
        changed = set(page.conditions.all()) != {condition_page}
        page.conditions.set([condition_page])
        self.publish(
            page,
            {
                **values,
                "sources": content.sources(terms),
                "reviewed_by": clinician,
                "last_reviewed": page.last_reviewed or today - timedelta(days=30),
                "next_review_due": page.next_review_due or today + timedelta(days=335),
            },
            force=changed,
        )

    def publish(self, page, values, exclude=(), force=False):
        """Publish ``values`` on ``page`` unless the live page already shows exactly them."""
        values = {key: value for key, value in values.items() if key not in exclude}
        sources = values.pop("sources", None)
        if "body" in values:
            values["body"] = _with_block_ids(values["body"], page.slug)
        changed = (
            force
            or not page.live
            or any(_current(page, name) != value for name, value in values.items())
            or (sources is not None and _sources(page) != list(sources))
        )
        if not changed:
            self.report("unchanged", f"page '{page.title}'")
            return
        for name, value in values.items():
            setattr(page, name, value)
        if sources is not None:
            page.spinecare_sources = [
                PageSource(title=title, publisher=publisher, year=year, url=url)
                for title, publisher, year, url in sources
            ]
        page.save_revision().publish()
        self.report("published", f"page '{page.title}'")


def _sources(page) -> list[tuple]:
    return [(s.title, s.publisher, s.year, s.url) for s in page.spinecare_sources.all()]


def _current(page, name):
    value = getattr(page, name)
    return list(value.raw_data) if name == "body" else value


def _named(data: bytes, name: str) -> BytesIO:
    buffer = BytesIO(data)
    buffer.name = name
    return buffer


def _with_block_ids(stream, seed, path="body"):
    """Give every stream item a stable id, so re-running the demo changes nothing."""
    result = []
    for index, item in enumerate(stream):
        item_path = f"{path}.{index}"
        value = item["value"]
        if isinstance(value, dict) and isinstance(value.get("content"), list):
            value = {**value, "content": _with_block_ids(value["content"], seed, item_path)}
        result.append(
            {
                "type": item["type"],
                "value": value,
                "id": str(uuid.uuid5(BLOCK_ID_NAMESPACE, f"{seed}:{item_path}")),
            }
        )
    return result
