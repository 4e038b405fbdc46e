"""On PostgreSQL, a text search configuration for Spanish that ignores accents.

`quito_es` copies the built-in `spanish` one and runs words through `unaccent` before
stemming, so "participacion" finds "participación". Other databases skip this: SQLite's FTS5
tokenizer already removes diacritics.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'quito_es') THEN
    CREATE TEXT SEARCH CONFIGURATION quito_es (COPY = spanish);
    ALTER TEXT SEARCH CONFIGURATION quito_es
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
  END IF;
END
$$;
"""
DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS quito_es;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("home", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
