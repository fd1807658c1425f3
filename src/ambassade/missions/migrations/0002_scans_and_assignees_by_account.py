"""A mission's scan of the mentions stored before it; chosen members asked through an account, so
that merges and separations carry the assignment (docs/community.md, "Ambassador missions")."""

import django.db.models.deletion
from django.db import migrations, models


def to_accounts(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Each assignee's member → their most followed account; a member without one is dropped (they
    could not complete anything)."""
    Assignee = apps.get_model("missions", "Assignee")
    Identity = apps.get_model("community", "Identity")
    for assignee in Assignee.objects.all():
        identity = (
            Identity.objects.filter(member_id=assignee.member_id)
            .order_by("-max_followers", "id")
            .first()
        )
        if identity is None:
            assignee.delete()
        else:
            assignee.identity_id = identity.pk
            assignee.save(update_fields=["identity"])


def to_members(apps, schema_editor):  # type: ignore[no-untyped-def]
    Assignee = apps.get_model("missions", "Assignee")
    Identity = apps.get_model("community", "Identity")
    for assignee in Assignee.objects.all():
        assignee.member_id = Identity.objects.get(pk=assignee.identity_id).member_id
        assignee.save(update_fields=["member"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0007_customer_imports"),
        ("missions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mission",
            name="scan_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="mission",
            name="scan_until_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="mission",
            name="scan_last_id",
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="mission",
            name="scanned",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="mission",
            name="scan_total",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="mission",
            name="scan_heartbeat_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="mission",
            name="scan_done_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RemoveConstraint(model_name="assignee", name="mission_assignee_unique"),
        migrations.AddField(
            model_name="assignee",
            name="identity",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="community.identity",
            ),
        ),
        migrations.AlterField(
            model_name="assignee",
            name="member",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="community.member",
            ),
        ),
        migrations.RunPython(to_accounts, to_members),
        migrations.RemoveField(model_name="assignee", name="member"),
        migrations.AlterField(
            model_name="assignee",
            name="identity",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="community.identity",
            ),
        ),
        migrations.AddConstraint(
            model_name="assignee",
            constraint=models.UniqueConstraint(
                fields=("mission", "identity"), name="mission_assignee_unique"
            ),
        ),
    ]
