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
from .models.clinic_collections import ClinicCollection, CollectionKind
from .permissions import managed_sites

#: The document permissions a clinic's editors get on their evidence collection.
EVIDENCE_ACTIONS = ("add", "change", "choose")

#: Stored names, not translated: the folders are found again by them, under the root.
EVIDENCE_ROOT_NAME = "Consent evidence"
#: A clinic's collection is found by its ``ClinicCollection`` link; this is only its first name.
EVIDENCE_NAME = "{clinic} (site {pk})"


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


def _subtrees(collections):
    """``collections`` and everything under them."""
    paths = collections.values_list("path", flat=True)
    return Collection.objects.filter(
        reduce(operator.or_, (Q(path__startswith=path) for path in paths), Q(pk__in=[]))
    )


class ClinicCollections:
    """A top-level collection holding one collection per clinic, such as *Consent evidence*.

    Each clinic's collection is found by its ``ClinicCollection`` link, never by its name,
    so renaming it or the clinic loses nothing. A private folder is never public: the folder
    itself needs a login, and each clinic's collection is restricted to the groups granted
    it, so Wagtail serves its documents to nobody else.
    """

    def __init__(self, name, kind, get_model, *, private):
        self.name = name
        self.kind = kind
        self.get_model = get_model
        self.private = private

    def _links(self):
        return ClinicCollection.objects.filter(kind=self.kind)

    def _folder(self):
        """The folder among the root's children, as a filter."""
        return Q(depth=2, name=self.name)

    def find_root(self):
        """The folder, if it exists; never creates anything."""
        return Collection.objects.filter(self._folder()).order_by("path").first()

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
        link = self._links().filter(site=site).select_related("collection").first()
        return link.collection if link else None

    @transaction.atomic
    def get(self, site):
        """``site``'s collection, created (with its link) on first use."""
        collection = self.find(site)
        if collection is None:
            name = EVIDENCE_NAME.format(clinic=clinic_name(site), pk=site.pk)
            collection = self._root().add_child(instance=Collection(name=name))
            ClinicCollection.objects.create(site=site, kind=self.kind, collection=collection)
        if self.private:
            self._restrict(collection, CollectionViewRestriction.GROUPS)
        return collection

    def everything(self):
        """Every clinic's collection, wherever staff moved it, and the folder holding them."""
        linked = Q(pk__in=self._links().values("collection"))
        return _subtrees(Collection.objects.filter(self._folder() | linked))

    def except_sites(self, sites):
        """The collections (and their children) of every clinic but ``sites``, and whatever
        else is filed in the folder under no clinic, such as a deleted clinic's."""
        others = Q(pk__in=self._links().values("collection"))
        root = self.find_root()
        if root is not None:
            others |= Q(depth=root.depth + 1, path__startswith=root.path)
        own = self._links().filter(site__in=sites).values("collection")
        return _subtrees(Collection.objects.filter(others).exclude(pk__in=own))

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
EVIDENCE = ClinicCollections(
    EVIDENCE_ROOT_NAME, CollectionKind.EVIDENCE, get_document_model, private=True
)

# A clinic's images, patients' photos among them, go in its own collection, so that one
# clinic's editors never choose another's patients' photos. Wagtail serves every image that
# a page shows to anyone, so a photo is only as private as the consent that lets it be shown.
IMAGES_ROOT_NAME = "Clinic images"
IMAGES = ClinicCollections(IMAGES_ROOT_NAME, CollectionKind.IMAGES, get_image_model, private=False)

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
    """The images ``user`` may give a testimonial as its patient's photo: those they may choose,
    except other clinics' (whatever wider permissions they hold)."""
    policy = permission_policy_for(get_image_model())
    choosable = policy.instances_user_has_any_permission_for(user, ["choose"])
    return choosable.exclude(collection__in=other_clinics_images(user))
