"""A delivery's error becomes a coded message (workspaces/mailqueue.reason). Errors stored before
were English text written ``ExceptionName: what it said``: each becomes ``mail.not_sent`` with
those two as parameters (its English text kept), so it reads in the reader's language too."""

import json

from django.db import migrations

import ambassade.workspaces.messages


def code_old_errors(apps, schema_editor):  # type: ignore[no-untyped-def]
    Delivery = apps.get_model("analytics", "Delivery")
    for pk, error in Delivery.objects.exclude(error="").values_list("pk", "error"):
        # Read back through the field: a message with a code is coded already.
        if getattr(error, "code", ""):
            continue
        text = getattr(error, "text", None) or str(error)
        kind, _sep, detail = text.partition(": ")
        if not detail:
            kind, detail = "Error", text
        coded = json.dumps(
            {
                "code": "mail.not_sent",
                "params": {"detail": detail[:200], "kind": kind[:80]},
                "text": text,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        Delivery.objects.filter(pk=pk).update(error=coded)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_delivery_queue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="error",
            field=ambassade.workspaces.messages.MessageField(blank=True),
        ),
        migrations.RunPython(code_old_errors, migrations.RunPython.noop),
    ]
