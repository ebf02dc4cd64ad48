"""Search indexes: full-text over message text, trigrams over author handles and names.

PostgreSQL only; the SQLite demo searches by plain matching and gets none of them.
"""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS message_text_search_idx ON inbox_message"
    " USING gin (to_tsvector('simple'::regconfig, COALESCE(text, '')))",
    "CREATE INDEX IF NOT EXISTS contact_handle_trgm_idx ON inbox_contact USING gin (handle gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_name_trgm_idx ON inbox_contact USING gin (name gin_trgm_ops)",
]
DROPS = ["DROP INDEX IF EXISTS message_text_search_idx", "DROP INDEX IF EXISTS contact_handle_trgm_idx", "DROP INDEX IF EXISTS contact_name_trgm_idx"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for sql in INDEXES:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROPS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0007_conversation_language")]
    operations = [migrations.RunPython(create, drop)]
