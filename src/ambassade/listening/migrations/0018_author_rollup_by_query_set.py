"""The top authors read the rows of the sets of queries they count (``queries IN (…)``) on a
covering index by (workspace, queries, day), instead of every row of the period filtered by
``LIKE '%,3,%'`` on the (workspace, day) one, which PostgreSQL preferred to scan whole once the
table held other workspaces (docs/analytics.md, "Speed")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listening", "0017_drop_daily_rollup"),
        ("workspaces", "0003_preferences"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="authorrollup",
            index=models.Index(
                fields=[
                    "workspace",
                    "queries",
                    "day",
                    "network",
                    "author_handle",
                    "lang",
                    "count",
                    "positive",
                    "negative",
                    "followers",
                ],
                name="author_rollup_sets",
            ),
        ),
        migrations.RemoveIndex(model_name="authorrollup", name="author_rollup_read"),
    ]
