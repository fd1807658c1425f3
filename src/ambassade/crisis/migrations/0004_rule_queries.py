from django.db import migrations, models


def to_lists(apps, schema_editor):
    AlertRule = apps.get_model("crisis", "AlertRule")
    for rule in AlertRule.objects.exclude(query_id=None):
        rule.query_ids = [rule.query_id]
        rule.save(update_fields=["query_ids"])


def to_single(apps, schema_editor):
    AlertRule = apps.get_model("crisis", "AlertRule")
    for rule in AlertRule.objects.all():
        rule.query_id = rule.query_ids[0] if rule.query_ids else None
        rule.save(update_fields=["query_id"])


class Migration(migrations.Migration):
    """A rule watches a list of queries (empty: all mentions) instead of one query or all."""

    dependencies = [("crisis", "0003_stored_messages")]

    operations = [
        migrations.AddField(
            model_name="alertrule",
            name="query_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="listening queries"),
        ),
        migrations.RunPython(to_lists, to_single),
        migrations.RemoveField(model_name="alertrule", name="query_id"),
    ]
