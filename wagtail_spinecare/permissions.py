"""Which clinics' patient records a user may manage.

Patient records are testimonials with their consent records, consent events and evidence
documents. Access is given per clinic site with Wagtail's own per-site permissions
(``GroupSitePermission``, as for site settings); a global Django permission, or being a
superuser, covers every clinic.
"""

import operator
from functools import reduce

from django import forms
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupSitePermission,
    Site,
)
from wagtail.permission_policies.base import BaseDjangoAuthPermissionPolicy
from wagtail.permission_policies.sites import SitePermissionPolicy

from .compat import CustomCodenames, permission_policy_for

#: Actions whose permission codename is not Wagtail's ``<action>_testimonial``.
CUSTOM_ACTIONS = ("record_consent", "withdraw_consent", "handle_subject_requests")

#: Every action on patient records; any one of them lets a user see a clinic's stories.
PATIENT_RECORD_ACTIONS = ("view", "add", "change", "delete", *CUSTOM_ACTIONS)

#: What a clinic's editors are given for each of their clinic's sites.
PATIENT_RECORD_CODENAMES = frozenset(
    {
        "view_testimonial",
        "add_testimonial",
        "change_testimonial",
        "delete_testimonial",
        *CUSTOM_ACTIONS,
    }
)

#: The document permissions a clinic's editors get on their evidence collection.
EVIDENCE_ACTIONS = ("add", "change", "choose")

#: Stored names, not translated: collections are found again by them.
EVIDENCE_ROOT_NAME = "Consent evidence"
EVIDENCE_NAME = "{clinic} (site {pk})"
EVIDENCE_NAME_SUFFIX = "(site {pk})"


class PatientRecordPolicy(CustomCodenames, SitePermissionPolicy):
    """Testimonials by their ``site``; consent and data requests have codenames of their own."""

    def __init__(self, model="wagtail_spinecare.Testimonial"):
        # The model is named, not imported: models.testimonials imports this module for its
        # form, and SitePermissionPolicy.__init__ would need the class at once.
        BaseDjangoAuthPermissionPolicy.__init__(self, model)
        self.site_field_name = "site"
        self.site_fk_field_name = "site_id"

    def permission_codename(self, action) -> str:
        """The codename of ``action``: the custom actions' names are their codenames."""
        if action in CUSTOM_ACTIONS:
            return action
        return super().permission_codename(action)


patient_records = PatientRecordPolicy()


def managed_sites(user, actions=PATIENT_RECORD_ACTIONS):
    """The sites whose patient records ``user`` may act on with any of ``actions``."""
    return patient_records.sites_user_has_any_permission_for(user, actions)


def managed_testimonials(user, actions=PATIENT_RECORD_ACTIONS):
    """The testimonials of the clinics whose patient records ``user`` may act on."""
    return patient_records.instances_user_has_any_permission_for(user, actions)


def has_any_clinic(user) -> bool:
    """Whether ``user`` may see any clinic's patient records at all."""
    return patient_records.user_has_any_permission(user, PATIENT_RECORD_ACTIONS)


class PatientRecordForm(WagtailAdminModelForm):
    """The story form: a story can only be filed under a clinic the editor manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("site")
        if field is not None and self.for_user is not None:
            action = "change" if self.instance.pk else "add"
            field.queryset = managed_sites(self.for_user, [action]).order_by("hostname")
        photo = self.fields.get("photo")
        if photo is not None and self.for_user is not None:
            photo.queryset = photos_for(self.for_user)
        condition = self.fields.get("condition_page")
        if condition is not None and self.for_user is not None:
            condition.queryset = condition_pages_for(self.for_user)


def condition_pages_for(user):
    """The condition pages a story of ``user``'s clinics may be about: the shared ones, and
    those on the clinics' own sites."""
    from .models import ConditionLibraryPage, ConditionPage

    roots = [
        *ConditionLibraryPage.objects.values_list("path", flat=True),
        *managed_sites(user).values_list("root_page__path", flat=True),
    ]
    if not roots:
        return ConditionPage.objects.none()
    return ConditionPage.objects.filter(
        reduce(operator.or_, (Q(path__startswith=path) for path in roots))
    )


# Granting -----------------------------------------------------------------------------------


def patient_record_permissions():
    """The ``Permission`` rows of :data:`PATIENT_RECORD_CODENAMES`.

    Django creates them on migrate from the migrations' model state; any still missing
    (a codename added before its migration ran) is created here, so a grant always gives
    the whole set.
    """
    from .models.testimonials import Testimonial

    opts = Testimonial._meta
    content_type = ContentType.objects.get_for_model(Testimonial)
    permissions = Permission.objects.filter(
        content_type=content_type, codename__in=PATIENT_RECORD_CODENAMES
    )
    if permissions.count() < len(PATIENT_RECORD_CODENAMES):
        names = {
            get_permission_codename(action, opts): f"Can {action} {opts.verbose_name_raw}"
            for action in opts.default_permissions
        }
        names.update((codename, str(name)) for codename, name in opts.permissions)
        for codename in PATIENT_RECORD_CODENAMES:
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": names[codename]}
            )
    return permissions


@transaction.atomic
def grant_patient_records(group, site):
    """Let ``group`` manage ``site``'s patient records. Granting twice changes nothing."""
    for permission in patient_record_permissions():
        GroupSitePermission.objects.get_or_create(group=group, site=site, permission=permission)


def revoke_patient_records(group, site):
    """Take away what :func:`grant_patient_records` gave ``group`` for ``site``."""
    GroupSitePermission.objects.filter(
        group=group, site=site, permission__in=patient_record_permissions()
    ).delete()


def _clinic_name(site):
    from .models.clinic import ClinicSettings

    settings = ClinicSettings.objects.filter(site=site).first()
    return (settings and settings.clinic_name) or site.site_name or site.hostname


def _collection_permissions(model):
    """The add, change and choose permissions on ``model`` (documents or images)."""
    return Permission.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        codename__in=[get_permission_codename(action, model._meta) for action in EVIDENCE_ACTIONS],
    )


class ClinicCollections:
    """A top-level collection holding one collection per clinic, such as *Consent evidence*.

    Each clinic's collection is named after the clinic and found again by the site's id at the
    end of its name, so renaming a clinic loses nothing. A private folder is never public: the
    folder itself needs a login, and each clinic's collection is restricted to the groups
    granted it, so Wagtail serves its documents to nobody else.
    """

    def __init__(self, name, get_model, *, private):
        self.name = name
        self.get_model = get_model
        self.private = private

    def find_root(self):
        """The folder, if it exists; never creates anything."""
        return Collection.get_first_root_node().get_children().filter(name=self.name).first()

    def _root(self):
        root = self.find_root()
        if root is None:
            root = Collection.get_first_root_node().add_child(instance=Collection(name=self.name))
        if self.private:
            # Anything filed directly under it is at least never public.
            self._restrict(root, CollectionViewRestriction.LOGIN)
        return root

    @staticmethod
    def _restrict(collection, restriction_type):
        if not CollectionViewRestriction.objects.filter(collection=collection).exists():
            CollectionViewRestriction.objects.create(
                collection=collection, restriction_type=restriction_type
            )

    def find(self, site):
        """``site``'s collection, if it exists; never creates anything."""
        root = self.find_root()
        if root is None:
            return None
        suffix = EVIDENCE_NAME_SUFFIX.format(pk=site.pk)
        return root.get_children().filter(name__endswith=suffix).first()

    @transaction.atomic
    def get(self, site):
        """``site``'s collection, created on first use."""
        collection = self.find(site)
        if collection is None:
            name = EVIDENCE_NAME.format(clinic=_clinic_name(site), pk=site.pk)
            collection = self._root().add_child(instance=Collection(name=name))
        if self.private:
            self._restrict(collection, CollectionViewRestriction.GROUPS)
        return collection

    def everything(self):
        """Every clinic's collection, and the folder holding them."""
        root = self.find_root()
        if root is None:
            return Collection.objects.none()
        return Collection.objects.descendant_of(root, inclusive=True)

    def except_sites(self, sites):
        """The collections (and their children) of every clinic but ``sites``."""
        root = self.find_root()
        if root is None:
            return Collection.objects.none()
        others = Collection.objects.child_of(root)
        for pk in sites.values_list("pk", flat=True):
            others = others.exclude(name__endswith=EVIDENCE_NAME_SUFFIX.format(pk=pk))
        return Collection.objects.filter(
            reduce(operator.or_, (Q(path__startswith=c.path) for c in others), Q(pk__in=[]))
        )

    @transaction.atomic
    def grant(self, group, site):
        """Let ``group`` add, edit and choose what is in ``site``'s collection, and, when it
        is private, see it. Granting twice changes nothing."""
        collection = self.get(site)
        for permission in _collection_permissions(self.get_model()):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=permission
            )
        for restriction in CollectionViewRestriction.objects.filter(collection=collection):
            restriction.groups.add(group)
        return collection

    def revoke(self, group, site):
        """Take away everything ``group`` may do in ``site``'s collection, whatever the kind
        of media kept there."""
        collection = self.find(site)
        if collection is None:
            return
        GroupCollectionPermission.objects.filter(group=group, collection=collection).delete()
        for restriction in CollectionViewRestriction.objects.filter(collection=collection):
            restriction.groups.remove(group)


#: Each clinic's consent evidence, private to its editors.
EVIDENCE = ClinicCollections(EVIDENCE_ROOT_NAME, get_document_model, private=True)

# A clinic's images, patients' photos among them, go in its own collection, so that one
# clinic's editors never choose another's patients' photos. Wagtail serves every image that
# a page shows to anyone, so a photo is only as private as the consent that lets it be shown.
IMAGES_ROOT_NAME = "Clinic images"
IMAGES = ClinicCollections(IMAGES_ROOT_NAME, get_image_model, private=False)

find_evidence_collection = EVIDENCE.find
evidence_collection = EVIDENCE.get
evidence_collections = EVIDENCE.everything
grant_evidence = EVIDENCE.grant
revoke_evidence = EVIDENCE.revoke
find_images_root = IMAGES.find_root
find_images_collection = IMAGES.find
images_collection = IMAGES.get
grant_images = IMAGES.grant


def other_clinics_images(user):
    """The image collections of the clinics ``user`` does not manage."""
    return IMAGES.except_sites(managed_sites(user))


def photos_for(user):
    """The images ``user`` may give a story as its patient's photo: those they may choose,
    except other clinics' (whatever wider permissions they hold)."""
    policy = permission_policy_for(get_image_model())
    choosable = policy.instances_user_has_any_permission_for(user, ["choose"])
    return choosable.exclude(collection__in=other_clinics_images(user))


# The group edit page ------------------------------------------------------------------------


class ClinicChoiceField(forms.ModelMultipleChoiceField):
    """Clinic sites to tick, each named as staff know it: clinic name and host name."""

    def label_from_instance(self, site):
        """The clinic's name with its host name, or the host name alone if it has no name."""
        name = _clinic_name(site)
        return site.hostname if name == site.hostname else f"{name} ({site.hostname})"


class PatientRecordsPermissionForm(forms.Form):
    """A panel on the group page: one tick per clinic gives the whole set of patient-record
    permissions for it, with its evidence collection; unticking takes them all away."""

    template_name = "wagtail_spinecare/admin/patient_records_permission_panel.html"
    icon = "openquote"

    sites = ClinicChoiceField(
        queryset=Site.objects.order_by("hostname"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Clinics"),
        help_text=_(
            "Choose which clinics' patient records (stories, consent records and evidence) "
            "this group may manage. Its members never see another clinic's patient records. "
            "Testimonial permissions ticked under “Object permissions” apply to every clinic."
        ),
    )

    def __init__(self, *args, instance=None, **kwargs):
        kwargs.setdefault("prefix", "spinecare_patient_records")
        self.instance = instance
        if instance is not None and instance.pk is not None:
            kwargs["initial"] = {"sites": list(self.granted_site_ids())}
        super().__init__(*args, **kwargs)

    def granted_site_ids(self):
        """The ids of the sites whose patient records the group may manage now."""
        return set(
            GroupSitePermission.objects.filter(
                group=self.instance, permission__in=patient_record_permissions()
            ).values_list("site_id", flat=True)
        )

    def as_admin_panel(self):
        """The panel's HTML on the group edit page."""
        return render_to_string(
            self.template_name,
            {
                "form": self,
                "heading": _("Patient records"),
                "panel_id": "spinecare-patient-records-permissions",
            },
        )

    @transaction.atomic
    def save(self):
        """Runs after the Documents permissions panel (see the hook's order), which would
        otherwise overwrite the evidence permissions given here. Evidence is granted only
        when a clinic is newly ticked, so a change made in that panel afterwards stands."""
        chosen = set(self.cleaned_data["sites"])
        granted = self.granted_site_ids()
        for site in chosen:
            grant_patient_records(self.instance, site)
            if site.pk not in granted:
                grant_evidence(self.instance, site)
        for site in Site.objects.filter(pk__in=granted - {site.pk for site in chosen}):
            revoke_patient_records(self.instance, site)
            revoke_evidence(self.instance, site)
