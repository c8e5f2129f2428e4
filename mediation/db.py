"""Migration operations that only PostgreSQL has: the pg_trgm extension and trigram indexes for text search.

The embedded default runs on SQLite, where these operations do nothing (search there is a plain scan, which is
fine at the size of one office's demo). Trigram indexes are built `CONCURRENTLY`, so a migration over a million
disputes does not block intake while it runs; the migrations that use them are therefore not atomic.

Each index is on `UPPER(column::text)`: Django's `icontains` on PostgreSQL compares `UPPER(column::text) LIKE
UPPER(%value%)`, and an expression index serves only the expression it was built on.
"""

from __future__ import annotations

from django.db import migrations


def _on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def enable_trigram() -> migrations.RunPython:
    def forward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    # Dropping the extension on the way back would break any other index that uses it.
    return migrations.RunPython(forward, migrations.RunPython.noop, atomic=False, elidable=False)


def trigram_index(table: str, column: str, name: str) -> migrations.RunPython:
    """A GIN trigram index on UPPER(column) of `table`, PostgreSQL only."""

    def forward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward, atomic=False, elidable=False)


BIGRAMS_FUNCTION = "dadukou_bigrams"


def enable_bigrams() -> migrations.RunPython:
    """`dadukou_bigrams(text) → text[]`: the distinct two-character pieces of a text, for a GIN index.

    Trigrams cannot find a two-character word, and Chinese search words are often two characters (噪音, 漏水,
    欠薪): a bigram index answers "contains 噪音" exactly, as the pg_bigm extension would, without one."""

    def forward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {BIGRAMS_FUNCTION}(value text) RETURNS text[] "
                "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
                "SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}') "
                "FROM generate_series(1, length(value) - 1) AS i $$"
            )

    def backward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {BIGRAMS_FUNCTION}(text)")

    return migrations.RunPython(forward, backward, atomic=False, elidable=False)


def bigram_index(table: str, columns: list[str], name: str) -> migrations.RunPython:
    """A GIN index on the bigrams of UPPER(the columns joined by spaces), PostgreSQL only. The search must write
    the same expression (disputes.services.search.bigrams)."""
    joined = " || ' ' || ".join(f'"{column}"' for column in columns)

    def forward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(
                f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" '
                f"USING gin ({BIGRAMS_FUNCTION}(UPPER(({joined}))))"
            )

    def backward(apps, schema_editor):
        if _on_postgresql(schema_editor):
            schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')

    return migrations.RunPython(forward, backward, atomic=False, elidable=False)
