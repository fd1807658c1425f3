"""The demo's accounts said why they cannot publish in the language the demo was built in (plain
text in ``Connection.last_error``); since then the reason is the coded message
``publishing.demo_account``, worded for each reader. Rows stored earlier are rewritten to it."""

import json

from django.db import migrations

ENGLISH = (
    "Demo account: it has no real token, so nothing is sent. Connect a real account to publish."
)
FRENCH = (
    "Compte de démonstration : il n'a pas de vrai jeton, donc rien n'est envoyé. "
    "Connectez un vrai compte pour publier."
)
CODED = json.dumps(
    {"code": "publishing.demo_account", "params": {}, "text": ENGLISH},
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
)


def code_the_demo_reason(apps, schema_editor):
    Connection = apps.get_model("workspaces", "Connection")
    Connection.objects.filter(last_error__in=[ENGLISH, FRENCH]).update(last_error=CODED)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0013_analytics_indexes"),
        ("workspaces", "0003_preferences"),
    ]

    operations = [migrations.RunPython(code_the_demo_reason, migrations.RunPython.noop)]
