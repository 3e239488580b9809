import uuid
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site, Workflow, WorkflowPage, WorkflowTask

from wagtail_spinecare.clinic_setup import add_clinic
from wagtail_spinecare.demo import content, testimonials, treatments, wagtail_defaults
from wagtail_spinecare.demo.images import DRAWINGS, logo_mark, png_bytes, portrait, site_icon
from wagtail_spinecare.demo.profiles import CLINICS
from wagtail_spinecare.models import (
    ClinicalSignOffTask,
    ClinicConditionPage,
    Clinician,
    ClinicSettings,
    ConditionLibraryPage,
    ConditionPage,
    Guideline,
    PageSource,
    Testimonial,
    TreatmentComparisonPage,
)
from wagtail_spinecare.models.consent_records import LawfulBasis
from wagtail_spinecare.terminology import Region, terminology_for

LAWFUL_BASIS = {
    Region.UK: LawfulBasis.UK_GDPR_EXPLICIT,
    Region.US: LawfulBasis.HIPAA_AUTHORIZATION,
}
LIBRARY_SLUG = "shared-clinical-content"
BLOCK_ID_NAMESPACE = uuid.UUID("6f1c1a4e-3b7d-4b0e-9a55-2f5f0c2d7a10")
DEMO_COLLECTION = "Spinecare demo"
#: The name of the demo's workflow, and of its one step, through which clinicians sign off.
SIGN_OFF = "Clinical sign-off"


DEMO_PASSWORD = "spinecare-demo"  # noqa: S105 - a development-only demo account


class Command(BaseCommand):
    """``manage.py spinecare_demo``: a working two-clinic install to try the package on."""

    help = (
        "Create (or bring up to date) two demo clinics, one UK and one US, each on its own "
        "site, both drawing on one shared facet joint back pain page, with an editor account "
        "per clinic. For development only. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="Port the demo sites are served on (default 8000, as runserver uses).",
        )
        parser.add_argument(
            "--no-summary",
            action="store_false",
            dest="summary",
            help=(
                "Leave out the closing list of addresses and logins, for a script that prints "
                "it itself once the server answers (make demo does)."
            ),
        )
        parser.add_argument(
            "--editor-accounts",
            action="store_true",
            help=(
                "Create the demo editor accounts even with DEBUG off. They have a published "
                "password: never on a site the public can reach."
            ),
        )

    @transaction.atomic
    def handle(self, *args, port, summary=True, editor_accounts=False, **options):
        self.editor_accounts = editor_accounts or settings.DEBUG
        self.ensure_wagtail_groups_narrowed()
        images = self.ensure_images()
        treatment_ids = treatments.ensure_treatments()
        self.report(
            "saved",
            f"{len(treatment_ids)} treatments with NICE NG59 and ACP 2017 recommendations",
        )
        clinicians = {clinic.key: self.ensure_clinician(clinic) for clinic in CLINICS}
        shared = self.ensure_shared_page(images, treatment_ids, clinicians[CLINICS[0].key])
        for clinic in CLINICS:
            self.ensure_clinic(clinic, port, shared, clinicians[clinic.key], treatment_ids)
        self.ensure_default_site(port)
        if summary:
            self.stdout.write(self.style.SUCCESS("Demo clinics ready:"))
            for line in summary_lines(port):
                self.stdout.write(line)
        if not self.editor_accounts:
            self.stdout.write(
                "No editor accounts were made: DEBUG is off. Pass --editor-accounts to make "
                "them on a development machine."
            )

    def report(self, verb, thing):
        self.stdout.write(f"  {verb:<9} {thing}")

    def ensure_wagtail_groups_narrowed(self):
        """Before any clinic is set up, so that setting one up has no group to warn about."""
        collection = self.demo_collection()
        for name in wagtail_defaults.narrow_wagtail_groups(collection):
            self.report(
                "moved",
                f"group '{name}': image and document permissions from the Root collection "
                f"to '{collection.name}', away from every clinic's evidence and photos",
            )

    def ensure_default_site(self, port):
        """A demo clinic answers 127.0.0.1 in place of Wagtail's welcome page."""
        if wagtail_defaults.remove_welcome_site():
            self.report(
                "removed",
                f"Wagtail's default site {wagtail_defaults.WELCOME_HOSTNAME} and its page "
                f"'{wagtail_defaults.WELCOME_TITLE}'",
            )
        first = Site.objects.get(hostname=CLINICS[0].hostname, port=port)
        if wagtail_defaults.make_default_if_none(first):
            self.report("saved", f"{first.hostname} as the default site, for 127.0.0.1:{port}")

    def demo_collection(self):
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=DEMO_COLLECTION).first()
        return collection or root.add_child(name=DEMO_COLLECTION)

    def ensure_images(self) -> dict[str, int]:
        return {
            key: self.ensure_image(f"spinecare-{key}", title, draw).pk
            for key, (title, draw) in DRAWINGS.items()
        }

    def ensure_image(self, name, title, draw):
        """The demo image called ``title``, drawn by ``draw`` the first time it is needed."""
        Image = get_image_model()
        collection = self.demo_collection()
        image = Image.objects.filter(collection=collection, title=title).first()
        if image is None:
            image = Image(title=title, collection=collection)
            image.file = ImageFile(_named(png_bytes(draw()), f"{name}.png"))
            image.save()
            self.report("created", f"image '{title}'")
        return image

    def ensure_clinician(self, clinic):
        person = clinic.clinician
        colour = clinic.settings["brand_colour"]
        photo = self.ensure_image(
            f"spinecare-{clinic.key}-clinician",
            f"{person.name} (illustration)",
            lambda: portrait(colour),
        )
        clinician, created = Clinician.objects.update_or_create(
            name=person.name, defaults={**vars(person), "photo": photo}
        )
        self.report("created" if created else "saved", f"clinician {clinician}")
        return clinician

    def ensure_shared_page(self, images, treatment_ids, reviewer):
        """The facet joint page both clinics draw on, written once in UK words."""
        self.stdout.write("Shared clinical content")
        root = Page.get_first_root_node()
        library = root.get_children().filter(slug=LIBRARY_SLUG).specific().first()
        if library is None:
            library = root.add_child(
                instance=ConditionLibraryPage(
                    title="Shared clinical content", slug=LIBRARY_SLUG, region=Region.UK
                )
            )
            library.save_revision().publish()
            self.report("created", "shared condition library")
        values = content.facet_joint_page(terminology_for(Region.UK), images, treatment_ids)
        page = ConditionPage.objects.child_of(library).filter(slug=values["slug"]).first()
        if page is None:
            page = library.add_child(
                instance=ConditionPage(
                    title=values["title"],
                    slug=values["slug"],
                    quick_answer=values["quick_answer"],
                    live=False,
                )
            )
            self.report("created", f"shared page '{page.title}'")
        self.publish(page, {**values, **_reviewed(page, reviewer)})
        return page

    def ensure_clinic(self, clinic, port, shared, clinician, treatment_ids) -> str:
        self.stdout.write(f"{clinic.clinic_name} ({clinic.hostname})")
        # A demo run with another --port moves the clinic rather than adding a second one.
        Site.objects.filter(hostname=clinic.hostname).exclude(port=port).update(port=port)
        self.replace_unshared_page(clinic, shared)
        setup = add_clinic(clinic.hostname, clinic.clinic_name, clinic.region, port)
        for verb, thing in setup.lines:
            self.report(verb, thing)
        site = setup.site
        home = site.root_page.specific

        colour = clinic.settings["brand_colour"]
        clinic_settings = ClinicSettings.for_site(site)
        for name, value in {
            "clinic_name": clinic.clinic_name,
            "region": clinic.region,
            "logo": self.ensure_image(
                f"spinecare-{clinic.key}-logo",
                f"{clinic.clinic_name} logo",
                lambda: logo_mark(colour),
            ),
            "icon": self.ensure_image(
                f"spinecare-{clinic.key}-icon",
                f"{clinic.clinic_name} icon",
                lambda: site_icon(colour),
            ),
            **clinic.settings,
        }.items():
            setattr(clinic_settings, name, value)
        clinic_settings.full_clean()
        clinic_settings.save()
        chosen = list(Guideline.objects.filter(code__in=clinic.guidelines))
        if set(clinic_settings.guidelines.all()) != set(chosen):
            clinic_settings.guidelines.set(chosen)
        self.report("saved", f"clinic settings, following {', '.join(clinic.guidelines)}")

        terms = terminology_for(clinic.region)
        index_content = content.condition_index_page(terms, clinic.clinic_name, clinic.town)
        self.publish(home, index_content, exclude=("slug",))

        page = ClinicConditionPage.objects.child_of(home).get(shared_page=shared)
        changed = set(page.clinicians.all()) != {clinician}
        page.clinicians.set([clinician])
        self.publish(
            page,
            {
                "title": shared.title,
                "introduction": content.clinic_introduction(terms, clinic.clinic_name, clinic.town),
            },
            force=changed,
        )
        testimonial_ids = testimonials.ensure_testimonials(
            clinic.key, site, clinic.clinic_name, shared, LAWFUL_BASIS[clinic.region]
        )
        self.report("saved", f"{len(testimonial_ids)} testimonials with consent records")
        self.ensure_comparison_page(home, shared, clinician, terms, treatment_ids)
        self.ensure_editor(clinic, setup.group)
        self.ensure_sign_off(clinic, site, home, clinician, setup.group)

    def replace_unshared_page(self, clinic, shared):
        """Demo databases made before pages were shared had the page on each clinic's site."""
        site = Site.objects.filter(hostname=clinic.hostname).first()
        if site is None:
            return
        for page in ConditionPage.objects.child_of(site.root_page).filter(slug=shared.slug):
            Testimonial.objects.filter(condition_page=page).update(condition_page=shared)
            page.delete()
            self.report("removed", f"the clinic's own copy of '{shared.title}'")

    def ensure_editor(self, clinic, group) -> None:
        if not self.editor_accounts:
            return
        User = get_user_model()
        username = editor_username(clinic)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=clinic.clinic_name.split()[0],
                last_name="Editor",
                email=f"{username}@example.com",
            )
            self.report("created", f"editor account {username}")
        user.groups.add(group)

    def ensure_sign_off(self, clinic, site, home, clinician, group) -> None:
        """The clinic's clinician works for it, signs its pages off in the "Clinical sign-off"
        workflow, and, with editor accounts, has a login of their own in its editors group."""
        if not clinician.sites.filter(pk=site.pk).exists():
            clinician.sites.add(site)
            self.report("saved", f"{clinician.name} as working for {clinic.clinic_name}")
        task, created = ClinicalSignOffTask.objects.get_or_create(name=SIGN_OFF)
        if created:
            self.report("created", f"workflow step '{SIGN_OFF}'")
        workflow, created = Workflow.objects.get_or_create(name=SIGN_OFF)
        if created:
            self.report("created", f"workflow '{SIGN_OFF}'")
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
        assigned = WorkflowPage.objects.filter(page=home).first()
        if assigned is None or assigned.workflow_id != workflow.pk:
            WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
            self.report("saved", f"workflow '{SIGN_OFF}' for {clinic.clinic_name}'s pages")
        if not self.editor_accounts:
            return
        User = get_user_model()
        username = clinician_username(clinic)
        user = User.objects.filter(username=username).first()
        if user is None:
            first, _space, last = clinician.name.partition(" ")
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
            )
            self.report("created", f"clinician account {username}")
        user.groups.add(group)
        if clinician.user_id != user.pk:
            clinician.user = user
            clinician.save(update_fields=["user"])
            self.report("saved", f"{clinician.name}'s login as {username}")

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
        changed = set(page.conditions.all()) != {condition_page}
        page.conditions.set([condition_page])
        self.publish(
            page,
            {**values, **_reviewed(page, clinician)},
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


def editor_username(clinic) -> str:
    return f"{clinic.root_slug}-editor"


def clinician_username(clinic) -> str:
    return f"{clinic.root_slug}-clinician"


def summary_lines(port: int) -> list[str]:
    """Where the demo clinics are served and who may log in: the last lines ``make demo``
    prints, once the server answers."""
    lines = [f"  {clinic.clinic_name}: http://{clinic.hostname}:{port}/" for clinic in CLINICS]
    default = Site.objects.filter(is_default_site=True).first()
    for clinic in CLINICS:
        if default is not None and default.hostname == clinic.hostname:
            lines.append(f"  http://127.0.0.1:{port}/ shows {clinic.clinic_name} too.")
    User = get_user_model()
    usernames = set(
        User.objects.filter(
            username__in=[editor_username(clinic) for clinic in CLINICS]
        ).values_list("username", flat=True)
    )
    editors = [clinic for clinic in CLINICS if editor_username(clinic) in usernames]
    if editors:
        lines.append(
            "Editor logins, each seeing only its own clinic's patients (development only):"
        )
    for clinic in editors:
        lines.append(
            f"  {clinic.clinic_name}: {editor_username(clinic)} / {DEMO_PASSWORD} "
            f"at http://{clinic.hostname}:{port}/admin/"
        )
    signers = [
        clinic
        for clinic in editors
        if User.objects.filter(username=clinician_username(clinic)).exists()
    ]
    if signers:
        lines.append(f"Clinician logins, to approve the '{SIGN_OFF}' workflow step:")
    for clinic in signers:
        lines.append(
            f"  {clinic.clinic_name}: {clinician_username(clinic)} / {DEMO_PASSWORD} "
            f"at http://{clinic.hostname}:{port}/admin/"
        )
    lines.append(
        f"Every clinic's admin: http://127.0.0.1:{port}/admin/, with a login made by "
        "`python manage.py createsuperuser`."
    )
    return lines


def _reviewed(page, clinician) -> dict:
    """Sources and a review a month old, due in eleven months; a rerun keeps the dates."""
    today = timezone.localdate()
    return {
        "sources": content.sources(),
        "reviewed_by": clinician,
        "last_reviewed": page.last_reviewed or today - timedelta(days=30),
        "next_review_due": page.next_review_due or today + timedelta(days=335),
    }


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
