"""Make the timeline append-only in the database too: UPDATE and DELETE on events raise an error."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION disputes_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'disputes_event is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER disputes_event_no_update_delete
    BEFORE UPDATE OR DELETE ON disputes_event
    FOR EACH ROW EXECUTE FUNCTION disputes_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS disputes_event_no_update_delete ON disputes_event;
DROP FUNCTION IF EXISTS disputes_event_append_only();
"""

SQLITE_CREATE = [
    "CREATE TRIGGER disputes_event_no_update BEFORE UPDATE ON disputes_event "
    "BEGIN SELECT RAISE(ABORT, 'disputes_event is append-only'); END;",
    "CREATE TRIGGER disputes_event_no_delete BEFORE DELETE ON disputes_event "
    "BEGIN SELECT RAISE(ABORT, 'disputes_event is append-only'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS disputes_event_no_update;",
    "DROP TRIGGER IF EXISTS disputes_event_no_delete;",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("disputes", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
