"""Patient stories leave no words in Wagtail's history, and the consent log is append-only.

1. Wagtail's log entries for stories were labelled with the story's first words. They are
   relabelled "Patient story #<id>", the label stories now have everywhere.
2. On PostgreSQL, a trigger refuses any UPDATE of a consent event other than clearing its
   links (a story, clinic or user deleted) or its note (an erasure), and any DELETE unless
   the transaction has set ``wagtail_spinecare.erasing`` (see ``consent_actions.delete_events``).
"""

from django.db import migrations

FUNCTION = "wagtail_spinecare_consentevent_append_only"
TRIGGER = "wagtail_spinecare_consentevent_append_only"
TABLE = "wagtail_spinecare_consentevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('wagtail_spinecare.erasing', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'consent events are append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.testimonial_ref IS DISTINCT FROM OLD.testimonial_ref
        OR NEW.consent_record_ref IS DISTINCT FROM OLD.consent_record_ref
        OR NEW.at IS DISTINCT FROM OLD.at
        OR (NEW.testimonial_id IS DISTINCT FROM OLD.testimonial_id AND NEW.testimonial_id IS NOT NULL)
        OR (NEW.site_id IS DISTINCT FROM OLD.site_id AND NEW.site_id IS NOT NULL)
        OR (NEW.by_id IS DISTINCT FROM OLD.by_id AND NEW.by_id IS NOT NULL)
        OR (NEW.note IS DISTINCT FROM OLD.note AND NEW.note <> '')
    THEN
        RAISE EXCEPTION 'consent events are append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


def relabel_story_log_entries(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    content_type = ContentType.objects.filter(
        app_label="wagtail_spinecare", model="testimonial"
    ).first()
    if content_type is None:
        return
    entries = ModelLogEntry.objects.filter(content_type=content_type)
    for entry in entries.only("pk", "object_id").iterator():
        ModelLogEntry.objects.filter(pk=entry.pk).update(
            label=f"Patient story #{entry.object_id}", data={}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_spinecare", "0007_shared_content"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(relabel_story_log_entries, migrations.RunPython.noop),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
