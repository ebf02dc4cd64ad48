"""Indexes only PostgreSQL can build (ordered NULLS LAST, INCLUDE, partial, GIN), as a
migration operation that leaves the SQLite demo alone."""

from django.db import migrations


def postgres_indexes(indexes):
    """`indexes`: name → the definition after "CREATE INDEX name"."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, definition in indexes.items():
                schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name in indexes:
                schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)


def retired_postgres_indexes(indexes):
    """Drop indexes an earlier migration made with `postgres_indexes` (built again when
    the migration is reversed)."""
    made = postgres_indexes(indexes)
    return migrations.RunPython(made.reverse_code, made.code)
