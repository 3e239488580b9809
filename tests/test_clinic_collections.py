"""Each clinic's collections are found by their link to the clinic, whatever their names."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from wagtail.models import Collection, CollectionViewRestriction, GroupCollectionPermission, Site

from wagtail_spinecare.clinic_collections import (
    EVIDENCE,
    IMAGES,
    evidence_collection,
    evidence_collections,
    find_evidence_collection,
    find_images_collection,
    grant_evidence,
    grant_images,
    images_collection,
    revoke_evidence,
)
from wagtail_spinecare.models import ClinicCollection, CollectionKind


def rename(collection, name):
    collection.name = name
    collection.save()
    return collection


def codenames(group, collection):
    return set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list(
            "permission__codename", flat=True
        )
    )


def restricted_to(collection):
    return set(CollectionViewRestriction.objects.get(collection=collection).groups.all())


@pytest.fixture
def group(db):
    return Group.objects.create(name="Harbour Physio editors")


class TestRenaming:
    def test_a_renamed_evidence_collection_is_still_found_granted_and_revoked(self, uk_site, group):
        collection = rename(evidence_collection(uk_site), "Signed consent forms")
        count = Collection.objects.count()
        assert find_evidence_collection(uk_site) == collection
        assert grant_evidence(group, uk_site) == collection
        assert codenames(group, collection) == {
            "add_document",
            "change_document",
            "choose_document",
        }
        assert restricted_to(collection) == {group}
        revoke_evidence(group, uk_site)
        assert codenames(group, collection) == set()
        assert restricted_to(collection) == set()
        assert Collection.objects.count() == count

    def test_a_renamed_images_collection_is_still_found_and_granted(self, uk_site, group):
        collection = rename(images_collection(uk_site), "Harbour photos")
        count = Collection.objects.count()
        assert find_images_collection(uk_site) == collection
        assert grant_images(group, uk_site) == collection
        assert codenames(group, collection) == {"add_image", "change_image", "choose_image"}
        assert not CollectionViewRestriction.objects.filter(collection=collection).exists()
        assert Collection.objects.count() == count

    def test_a_collection_moved_out_of_its_folder_is_still_the_clinics_evidence(self, uk_site):
        collection = evidence_collection(uk_site)
        collection.move(Collection.get_first_root_node(), "sorted-child")
        collection.refresh_from_db()
        assert find_evidence_collection(uk_site) == collection
        assert collection in evidence_collections()


class TestOneClinicsCollections:
    def test_another_clinics_collection_is_never_found_for_a_clinic(self, uk_site, us_site):
        # The name the UK clinic's collection would have had: found by name, it would be the
        # UK clinic's.
        us = rename(evidence_collection(us_site), f"Harbour Physio (site {uk_site.pk})")
        assert find_evidence_collection(uk_site) is None
        uk = evidence_collection(uk_site)
        assert uk != us
        assert evidence_collection(us_site) == us

    def test_other_clinics_images_go_by_the_link_not_the_name(self, uk_site, us_site):
        uk = rename(images_collection(uk_site), f"Lake PT (site {us_site.pk})")
        us = rename(images_collection(us_site), f"Harbour Physio (site {uk_site.pk})")
        others = IMAGES.except_sites(Site.objects.filter(pk=uk_site.pk))
        assert us in others and uk not in others

    def test_a_deleted_clinics_images_stay_out_of_other_clinics_reach(self, uk_site, us_site):
        uk = images_collection(uk_site)
        us = images_collection(us_site)
        us_site.delete()
        assert not ClinicCollection.objects.filter(collection=us).exists()
        assert us in IMAGES.except_sites(Site.objects.filter(pk=uk_site.pk))
        assert uk not in IMAGES.except_sites(Site.objects.filter(pk=uk_site.pk))

    def test_a_deleted_collection_is_made_again_when_needed(self, uk_site):
        old = evidence_collection(uk_site)
        old.delete()
        assert not ClinicCollection.objects.exists()
        new = evidence_collection(uk_site)
        assert new.pk != old.pk
        assert ClinicCollection.objects.get().collection == new


class TestTheLink:
    def test_get_makes_one_link_per_clinic_and_kind(self, uk_site, us_site):
        evidence = evidence_collection(uk_site)
        evidence_collection(uk_site)
        images = images_collection(uk_site)
        us = evidence_collection(us_site)
        assert set(ClinicCollection.objects.values_list("site", "kind", "collection")) == {
            (uk_site.pk, CollectionKind.EVIDENCE, evidence.pk),
            (uk_site.pk, CollectionKind.IMAGES, images.pk),
            (us_site.pk, CollectionKind.EVIDENCE, us.pk),
        }

    def test_one_link_per_clinic_and_kind(self, uk_site):
        evidence_collection(uk_site)
        other = EVIDENCE.find_root().add_child(instance=Collection(name="Another"))
        with pytest.raises(IntegrityError), transaction.atomic():
            ClinicCollection.objects.create(
                site=uk_site, kind=CollectionKind.EVIDENCE, collection=other
            )

    def test_one_clinic_and_kind_per_collection(self, uk_site, us_site):
        collection = evidence_collection(uk_site)
        with pytest.raises(IntegrityError), transaction.atomic():
            ClinicCollection.objects.create(
                site=us_site, kind=CollectionKind.EVIDENCE, collection=collection
            )
