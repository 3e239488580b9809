"""Upgrading keeps what editors could do."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

BEFORE = [("wagtail_spinecare", "0005_editor_guidance")]
AFTER = [("wagtail_spinecare", "0006_patient_record_permissions")]

# Migrating back and forth needs real transactions. Each test starts again from the rows the
# migrations made (Wagtail's root page and collection), which the flush after another
# transactional test removes.
migration_test = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@migration_test
def test_who_could_record_consent_still_can():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="wagtail_spinecare", model="consentrecord"
    )
    old, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="add_consentrecord", defaults={"name": "x"}
    )
    receptionists = Group.objects.create(name="Receptionists")
    receptionists.permissions.add(old)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    group = apps.get_model("auth", "Group").objects.get(name="Receptionists")
    assert set(group.permissions.values_list("codename", flat=True)) >= {"record_consent"}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@migration_test
@override_settings(WAGTAIL_SPINECARE_FRAGMENT_CACHE_TIMEOUT=0)
def test_collections_named_after_their_clinic_are_linked_to_it():
    """Until 0011, a clinic's collections were found by the "(site <id>)" ending their names.

    The sites are made with today's models, whose signals move the caches' generation on: the
    caches are off while the database is at a migration before the generation's table."""
    from wagtail.models import Collection, Page, Site

    before = [("wagtail_spinecare", "0010_help_text")]
    after = [("wagtail_spinecare", "0011_clinic_collections")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    root = Page.get_first_root_node()
    uk = Site.objects.create(hostname="uk.example", port=80, root_page=root)
    us = Site.objects.create(hostname="us.example", port=81, root_page=root)
    top = Collection.get_first_root_node()
    evidence = top.add_child(instance=Collection(name="Consent evidence"))
    images = top.add_child(instance=Collection(name="Clinic images"))
    uk_evidence = evidence.add_child(instance=Collection(name=f"Harbour Physio (site {uk.pk})"))
    us_evidence = evidence.add_child(instance=Collection(name=f"Lake PT (site {us.pk})"))
    uk_images = images.add_child(instance=Collection(name=f"Harbour Physio (site {uk.pk})"))
    evidence.add_child(instance=Collection(name="Notes"))
    top.add_child(instance=Collection(name=f"Elsewhere (site {us.pk})"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    links = apps.get_model("wagtail_spinecare", "ClinicCollection").objects
    assert set(links.values_list("site", "kind", "collection")) == {
        (uk.pk, "evidence", uk_evidence.pk),
        (us.pk, "evidence", us_evidence.pk),
        (uk.pk, "images", uk_images.pk),
    }
    executor.loader.build_graph()
    executor.migrate(before)  # and back
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
