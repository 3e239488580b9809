"""Setting up a clinic: its site, home page, settings, editors group and shared pages.

``add_clinic`` is what ``manage.py spinecare_add_clinic``, the admin's "Add a clinic" screen
and the demo all call. Running it again for the same host name changes nothing that is
already there, and says so.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, GroupSitePermission, Page, Site

from . import clinic_collections, permissions
from .models import (
    ClinicConditionPage,
    ClinicSettings,
    ConditionIndexPage,
    ConditionLibraryPage,
    ConditionPage,
)
from .terminology import REGIONS

#: What a clinic's editors may do with its pages: write, and publish once checks pass.
PAGE_ACTIONS = ("add_page", "change_page", "publish_page")
GROUP_NAME_MAX_LENGTH = Group._meta.get_field("name").max_length
HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


@dataclass
class ClinicSetup:
    """What ``add_clinic`` found or made, in order, as (verb, thing) lines."""

    site: Site = None
    group: Group = None
    lines: list = field(default_factory=list)

    def note(self, verb: str, thing: str) -> None:
        """Add a line, e.g. ("created", "site harbourside.example.com:80")."""
        self.lines.append((verb, thing))

    @property
    def created(self) -> list:
        """What was made this time, rather than found."""
        return [thing for verb, thing in self.lines if verb == "created"]


def editors_group_name(clinic_name: str) -> str:
    """The name of the clinic's editors group, e.g. "Harbourside Physiotherapy editors"."""
    return _("%(clinic)s editors") % {"clinic": clinic_name}


def validate(hostname: str, clinic_name: str, region: str, port: int) -> None:
    """Refuse a clinic that cannot be set up, with a message on each field at fault."""
    errors = {}
    if not HOSTNAME.match(hostname or ""):
        errors["hostname"] = _(
            "Enter a host name such as 'harbourside.example.com': letters, digits, hyphens "
            "and dots, without 'http://' or a path."
        )
    if not (clinic_name or "").strip():
        errors["clinic_name"] = _("Enter the clinic's name as patients know it.")
    elif len(editors_group_name(clinic_name.strip())) > GROUP_NAME_MAX_LENGTH:
        errors["clinic_name"] = _(
            "Shorten the clinic's name: its editors group's name is too long."
        )
    if region not in REGIONS:
        errors["region"] = _("Choose one of: %s.") % ", ".join(REGIONS)
    if not 1 <= int(port) <= 65535:
        errors["port"] = _("Enter a port between 1 and 65535.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_clinic(hostname: str, clinic_name: str, region: str, port: int = 80) -> ClinicSetup:
    """Create (or complete) the clinic at ``hostname``; see the module docstring."""
    hostname = (hostname or "").strip().lower()
    validate(hostname, clinic_name, region, port)
    setup = ClinicSetup()

    site = Site.objects.filter(hostname=hostname, port=port).select_related("root_page").first()
    _check_group_is_free(clinic_name, site)
    if site is None:
        home = _new_home(hostname, clinic_name, ConditionIndexPage)
        setup.note("created", _("home page '%s'") % home.title)
        site = Site.objects.create(
            hostname=hostname, port=port, root_page=home, site_name=clinic_name
        )
        setup.note("created", _("site %(host)s:%(port)s") % {"host": hostname, "port": port})
    else:
        home = site.root_page.specific
        setup.note("unchanged", _("site %(host)s:%(port)s") % {"host": hostname, "port": port})
    setup.site = site

    settings = ClinicSettings.objects.filter(site=site).first()
    if settings is None:
        settings = ClinicSettings(site=site, clinic_name=clinic_name, region=region)
        settings.full_clean()
        settings.save()
        setup.note("created", _("clinic settings for %s") % clinic_name)
    else:
        setup.note("unchanged", _("clinic settings for %s") % settings.display_name)

    setup.group = _editors_group(site, home, clinic_name, setup)
    _shared_pages(home, setup)
    for group in groups_seeing_all_evidence():
        setup.note(
            "warning",
            _(
                "group '%s' has document or image permissions on a collection that holds "
                "every clinic's consent evidence or patients' photos; give it permissions on "
                "a narrower collection"
            )
            % group.name,
        )
    return setup


def groups_seeing_all_evidence():
    """Groups whose permissions reach every clinic's patient records: document permissions
    on the folder of every clinic's evidence, or image permissions on the folder of every
    clinic's images (patients' photos), such as those of Wagtail's default Editors and
    Moderators groups on the Root collection."""
    reach = Q(pk__in=[])
    for folder in (clinic_collections.EVIDENCE, clinic_collections.IMAGES):
        root = folder.find_root()
        if root is not None:
            reach |= Q(
                collection_permissions__collection__in=root.get_ancestors(inclusive=True),
                collection_permissions__permission__content_type=(
                    ContentType.objects.get_for_model(folder.get_model())
                ),
            )
    return Group.objects.filter(reach).distinct()


def _check_group_is_free(clinic_name, site) -> None:
    """Two clinics of the same name must not share one editors group, and so each other's
    patient records."""
    group = Group.objects.filter(name=editors_group_name(clinic_name)).first()
    if group is None:
        return
    others = group.site_permissions.exclude(site=site) if site else group.site_permissions.all()
    other = others.select_related("site").first()
    if other is not None:
        raise ValidationError(
            {
                "clinic_name": _(
                    "The group '%(group)s' already belongs to the clinic at %(host)s. Give this "
                    "clinic a different name, or rename that group first."
                )
                % {"group": group.name, "host": other.site.hostname}
            }
        )


def _new_home(hostname, clinic_name, model):
    root = Page.get_first_root_node()
    base = slugify(hostname.split(".")[0]) or "clinic"
    slug, number = base, 1
    while root.get_children().filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    home = model(
        title=_("Conditions we treat"),
        slug=slug,
        intro=_("Each page explains a condition in plain words and how %(clinic)s can help.")
        % {"clinic": clinic_name},
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    return home


def _editors_group(site, home, clinic_name, setup) -> Group:
    """The clinic's editors: its pages, settings, patient records and evidence, nothing else."""

    name = editors_group_name(clinic_name)
    group, created = Group.objects.get_or_create(name=name)
    before = _grants(group)
    setup.note("created" if created else "unchanged", _("group '%s'") % name)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for codename in PAGE_ACTIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=home,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    GroupSitePermission.objects.get_or_create(
        group=group,
        site=site,
        permission=Permission.objects.get(
            content_type=ContentType.objects.get_for_model(ClinicSettings),
            codename="change_clinicsettings",
        ),
    )
    permissions.grant_patient_records(group, site)
    collection = clinic_collections.grant_evidence(group, site)
    images = clinic_collections.grant_images(group, site)
    setup.note(
        "granted" if _grants(group) != before else "unchanged",
        _(
            "'%(group)s': edit and publish pages under '%(home)s', this clinic's settings, "
            "testimonials and consent records, the private collection '%(collection)s' "
            "and the image collection '%(images)s'"
        )
        % {
            "group": name,
            "home": home.title,
            "collection": collection.name,
            "images": images.name,
        },
    )
    return group


def _grants(group) -> tuple[int, int, int, int]:
    return (
        group.permissions.count(),
        group.page_permissions.count(),
        group.site_permissions.count(),
        group.collection_permissions.count(),
    )


def _shared_pages(home, setup) -> None:
    """A draft clinic page for every published shared condition the clinic does not have."""
    have = set(ClinicConditionPage.objects.child_of(home).values_list("shared_page_id", flat=True))
    for library in ConditionLibraryPage.objects.all():
        for shared in ConditionPage.objects.child_of(library).live().order_by("title"):
            if shared.pk in have:
                setup.note("unchanged", _("page '%s'") % shared.title)
                continue
            slug, number = shared.slug, 1
            while home.get_children().filter(slug=slug).exists():
                number += 1
                slug = f"{shared.slug}-{number}"
            page = ClinicConditionPage(
                title=shared.title, slug=slug, shared_page=shared, live=False
            )
            home.add_child(instance=page)
            page.save_revision()
            setup.note("created", _("draft page '%s', drawing on the shared page") % shared.title)
