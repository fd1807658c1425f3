"""The full-text index of mentions: FTS5 on SQLite, a tsvector trigger and GIN index on PostgreSQL
(see ambassade.listening.search)."""

from django.db import migrations


def install(apps, schema_editor):
    from ambassade.listening.search import install as setup

    setup(schema_editor)


def remove(apps, schema_editor):
    from ambassade.listening.search import install as setup

    setup(schema_editor, remove=True)


class Migration(migrations.Migration):
    dependencies = [("listening", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
