"""Trigram indexes over the upper-cased author handles and names. Django's `icontains`
on PostgreSQL compares UPPER(column) LIKE UPPER(…); the indexes on the bare columns could
not serve it, and every search read all contacts (0.1 s at 300,000, bench/inbox.py)."""

from django.db import migrations

from inbox.postgres_indexes import postgres_indexes, retired_postgres_indexes


class Migration(migrations.Migration):
    dependencies = [("inbox", "0015_attention_indexes")]
    operations = [
        retired_postgres_indexes(
            {
                "contact_handle_trgm_idx": "ON inbox_contact USING gin (handle gin_trgm_ops)",
                "contact_name_trgm_idx": "ON inbox_contact USING gin (name gin_trgm_ops)",
            }
        ),
        postgres_indexes(
            {
                "contact_handle_search_idx": "ON inbox_contact USING gin (UPPER(handle::text) gin_trgm_ops)",
                "contact_name_search_idx": "ON inbox_contact USING gin (UPPER(name::text) gin_trgm_ops)",
            }
        ),
    ]
