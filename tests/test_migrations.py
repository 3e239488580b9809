"""Upgrading keeps what editors could do."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("wagtail_spinecare", "0005_editor_guidance")]
AFTER = [("wagtail_spinecare", "0006_patient_record_permissions")]


@pytest.mark.django_db(transaction=True)
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
