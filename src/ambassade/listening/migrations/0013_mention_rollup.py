"""The rollup of distinct mentions (listening.rollup). Every workspace that already has mentions
gets a state "to rebuild": the worker's ``listening.keep_rollups`` counts them within a minute
(``ambassade rollups`` does it at once, with progress); until then the readers count the mentions
themselves."""

import django.db.models.deletion
from django.db import migrations, models


def to_rebuild(apps, schema_editor):  # type: ignore[no-untyped-def]
    Workspace = apps.get_model("workspaces", "Workspace")
    Mention = apps.get_model("listening", "Mention")
    State = apps.get_model("listening", "MentionRollupState")
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        if Mention.objects.filter(workspace_id=workspace_id).exists():
            State.objects.get_or_create(workspace_id=workspace_id, defaults={"state": "stale"})


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0012_mention_quoted_external_id"),
        ("workspaces", "0003_preferences"),
    ]

    operations = [
        migrations.CreateModel(
            name="MentionRollupState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("stale", "To rebuild"),
                            ("running", "Rebuilding"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="stale",
                        max_length=12,
                    ),
                ),
                ("zone", models.CharField(blank=True, max_length=64)),
                ("upto_id", models.BigIntegerField(default=0)),
                ("last_id", models.BigIntegerField(default=0)),
                ("done", models.PositiveIntegerField(default=0)),
                ("total", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "workspace",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="MentionRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("network", models.CharField(max_length=40)),
                ("lang", models.CharField(max_length=12)),
                ("sentiment", models.CharField(max_length=12)),
                ("queries", models.CharField(max_length=2000)),
                ("count", models.IntegerField(default=0)),
                ("reach", models.BigIntegerField(default=0)),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="listening.source",
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
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "workspace",
                            "day",
                            "source",
                            "network",
                            "lang",
                            "sentiment",
                            "queries",
                        ),
                        name="mention_rollup_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(to_rebuild, migrations.RunPython.noop),
    ]
