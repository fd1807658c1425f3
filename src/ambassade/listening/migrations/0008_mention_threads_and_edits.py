"""Mentions keep their thread (parent and root ids, the author's id) and their edits and deletion
upstream (the inbox, docs/inbox.md).

On SQLite, adding a column that is not nullable rebuilds the table, which drops its triggers: the
full-text index's are installed again at the end (the same statements as migration 0002, idempotent).
"""

import django.db.models.deletion
from django.db import migrations, models


def reinstall_search(apps, schema_editor):
    from ambassade.listening.search import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0007_query_backfill"),
        ("workspaces", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mention",
            name="author_external_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="mention",
            name="deleted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="mention",
            name="edited_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="mention",
            name="parent_external_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="mention",
            name="thread_external_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.CreateModel(
            name="MentionRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                ("html", models.TextField(blank=True)),
                ("written_at", models.DateTimeField()),
                ("replaced_at", models.DateTimeField()),
                (
                    "mention",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="listening.mention",
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "ordering": ["mention", "written_at", "id"],
            },
        ),
        migrations.RunPython(reinstall_search, migrations.RunPython.noop),
    ]
