"""Writing many rows at once on the ingest path, where Django's per-value work dominated.

bulk_update builds a CASE per field and row; bulk_create prepares every value of every
field in Python. On PostgreSQL rows go as arrays (updates) or through COPY (inserts of
rows whose ids nobody needs back); elsewhere (the SQLite demo) the ORM does it.
"""

from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb


def insert_rows(model, rows):
    """Insert dicts of attname → plain value; unnamed fields take their model default."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {
        f.attname: now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        for f in fields
    }
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_plain(row.get(f.attname, defaults[f.attname])) for f in fields])


def _plain(value):
    return Jsonb(value) if isinstance(value, (dict, list)) else value


def update_rows(model, objects, fields):
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields)
        return
    columns = [model._meta.pk] + [model._meta.get_field(name) for name in fields]
    arrays = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for obj in objects] for column in columns
    ]
    names = [connection.ops.quote_name(column.column) for column in columns]
    unnest = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"UPDATE {table} AS t SET {assignments} FROM unnest({unnest}) AS v({', '.join(names)})"
        f" WHERE t.{names[0]} = v.{names[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
