"""Each clinic's own collections: its consent evidence (private to its editors) and its
images, patients' photos among them."""

import operator
from functools import reduce

from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction, GroupCollectionPermission

from .compat import permission_policy_for
from .models.clinic import ClinicSettings
from .permissions import managed_sites

#: The document permissions a clinic's editors get on their evidence collection.
EVIDENCE_ACTIONS = ("add", "change", "choose")

#: Stored names, not translated: collections are found again by them.
EVIDENCE_ROOT_NAME = "Consent evidence"
EVIDENCE_NAME = "{clinic} (site {pk})"
EVIDENCE_NAME_SUFFIX = "(site {pk})"


def clinic_name(site) -> str:
    """The clinic's name as staff know it, or else the site's name or host name."""
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
            name = EVIDENCE_NAME.format(clinic=clinic_name(site), pk=site.pk)
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
