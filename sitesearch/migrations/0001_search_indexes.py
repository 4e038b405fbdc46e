"""On PostgreSQL, GIN indexes on the search documents of the participation tables.

Each index is built on the very expression the search queries with (the weighted
`quito_es` document of `sitesearch.search.VECTOR_FIELDS`), so the planner can use it. The
`quito_es` configuration (Spanish stemming over unaccented words) comes from home 0002;
this migration makes sure it exists. Nothing is recorded in the other apps' model state:
the indexes are database-only, and SQLite (which has no tsvector) skips them.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

# Frozen copy of sitesearch.search.VECTOR_FIELDS at the time of this migration (a test
# checks that the search still queries these documents).
VECTOR_FIELDS = {
    "consultations.Provision": (("label", "heading"), ("body",)),
    "discussions.Comment": ((), ("body",)),
    "proposals.Request": (("title",), ("description", "barrio_name")),
    "works.Work": (("title",), ("code", "description", "barrio_name")),
}


def _indexes(apps):
    from sitesearch.search import document_vector, index_name

    for label, (title_fields, body_fields) in VECTOR_FIELDS.items():
        model = apps.get_model(label)
        index = GinIndex(document_vector(title_fields, body_fields), name=index_name(label))
        yield model, index


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("SELECT 'quito_es'::regconfig")  # fails loudly if home 0002 did not run
    for model, index in _indexes(apps):
        schema_editor.add_index(model, index)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, index in _indexes(apps):
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_spanish_labels"),  # after 0002, which creates quito_es
        ("consultations", "0003_spanish_labels"),
        ("discussions", "0002_spanish_labels"),
        ("proposals", "0003_spanish_labels"),
        ("works", "0002_spanish_labels"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
