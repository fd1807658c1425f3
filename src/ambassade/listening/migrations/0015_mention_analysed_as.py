"""How the text engine analysed each mention: the language whose models scored it and the tier
(docs/listening.md, docs/text-analysis.md).

On SQLite, adding a column that is not nullable rebuilds the table, which drops its triggers: the
full-text index's are installed again at the end (as migrations 0008 and 0012 do)."""

from django.db import migrations, models


def reinstall_search(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ambassade.listening.search import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0014_author_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="analysed_as",
            field=models.CharField(blank=True, db_default="", default="", max_length=12),
        ),
        migrations.AddField(
            model_name="mention",
            name="analysis_tier",
            field=models.CharField(blank=True, db_default="", default="", max_length=12),
        ),
        migrations.RunPython(reinstall_search, migrations.RunPython.noop),
    ]
