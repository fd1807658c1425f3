from django.db import migrations, models
from django.utils import timezone


def start_when_opened(apps, schema_editor):
    Crisis = apps.get_model("crisis", "Crisis")
    Crisis.objects.update(started_at=models.F("opened_at"))


class Migration(migrations.Migration):
    dependencies = [("crisis", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="crisis",
            name="started_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="start"),
        ),
        migrations.AddField(
            model_name="crisis",
            name="query_ids",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(start_when_opened, migrations.RunPython.noop),
    ]
