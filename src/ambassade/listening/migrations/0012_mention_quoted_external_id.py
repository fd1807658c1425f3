"""The id of the post a mention quotes or reposts (docs/community.md, "Ambassador missions").

On SQLite, adding a column that is not nullable rebuilds the table, which drops its triggers: the
full-text index's are installed again at the end (as migration 0008 does)."""

from django.db import migrations, models


def reinstall_search(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ambassade.listening.search import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0011_mention_author_seen"),
    ]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="quoted_external_id",
            field=models.CharField(blank=True, db_default="", default="", max_length=255),
        ),
        migrations.RunPython(reinstall_search, migrations.RunPython.noop),
    ]
