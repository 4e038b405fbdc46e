"""On PostgreSQL, a stored search document per participation table.

Each table of `VECTOR_FIELDS` gets a column `search_document`, a tsvector `GENERATED ALWAYS
AS (...) STORED` with the very document migration 0001 indexed by expression (title fields
with weight A, body fields with weight B, `quito_es`), and a GIN index on that column; the
expression indexes of 0001 are dropped (the search no longer queries the expression).
PostgreSQL computes the column when a row is written, so the search neither re-analyses a
row to rank it nor to recheck a match. Adding the columns fills them for the existing rows
(one table rewrite each), then ANALYZEs them. The columns are database-only: the models do not declare them,
Django never writes them. SQLite (no tsvector) skips all of this. Reversible: backwards
drops the columns (and their indexes) and rebuilds the expression indexes of 0001.
"""

from django.db import migrations

# Frozen copy of sitesearch.search.VECTOR_FIELDS (a test checks the search still agrees).
VECTOR_FIELDS = {
    "consultations.Provision": (("label", "heading"), ("body",)),
    "discussions.Comment": ((), ("body",)),
    "proposals.Request": (("title",), ("description", "barrio_name")),
    "works.Work": (("title",), ("code", "description", "barrio_name")),
}
COLUMN = "search_document"


def document_sql(title_fields, body_fields, quote) -> str:
    """The SQL Django's SearchVector writes for sitesearch.search.document_vector."""

    def part(fields, weight):
        joined = " || ' ' || ".join(f"COALESCE({quote(name)}, '')::text" for name in fields)
        return f"setweight(to_tsvector('quito_es'::regconfig, {joined}), '{weight}')"

    parts = []
    if title_fields:
        parts.append(part(title_fields, "A"))
    if body_fields:
        parts.append(part(body_fields, "B"))
    return " || ".join(parts)


def column_index_name(label: str) -> str:
    return "sitesearch_" + label.split(".")[1].lower() + "_document"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    old = import_module("sitesearch.migrations.0001_search_indexes")
    quote = schema_editor.quote_name
    for model, index in old._indexes(apps):
        schema_editor.remove_index(model, index)
    for label, (title_fields, body_fields) in VECTOR_FIELDS.items():
        table = quote(apps.get_model(label)._meta.db_table)
        expression = document_sql(title_fields, body_fields, quote)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {quote(COLUMN)} tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {quote(column_index_name(label))} ON {table} USING gin ({quote(COLUMN)})"
        )
        # Statistics of the new column: without them the planner guesses one match a
        # query and nests loops over thousands of rows.
        schema_editor.execute(f"ANALYZE {table}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    old = import_module("sitesearch.migrations.0001_search_indexes")
    quote = schema_editor.quote_name
    for label in VECTOR_FIELDS:
        table = quote(apps.get_model(label)._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {quote(COLUMN)}")  # and its index
    for model, index in old._indexes(apps):
        schema_editor.add_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("sitesearch", "0001_search_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
