"""A workspace's trackers and a conversation to report from, for the bug report tests."""

from __future__ import annotations

from typing import Any

from ambassade.bugreports import services
from tests.suggestions.helpers import conversation

#: Each kind's settings and credentials, as the connectors' tests and fixtures write them.
SETTINGS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "github": ({"repository": "octocat/Hello-World"}, {"token": "github_pat_11A_secretpart"}),
    "gitlab": ({"project": "my-group/my-project"}, {"token": "glpat-secretpart-0123"}),
    "jira": (
        {
            "site": "https://your-domain.atlassian.net",
            "project_key": "SUP",
            "issue_type": "Bug",
        },
        {"email": "cm@example.com", "api_token": "ATATT3x-secretpart"},
    ),
    "webhook": ({"url": "https://bugs.example.com/in"}, {"secret": "whsec_0123456789abcdef"}),
}
#: Where each kind creates an issue on the local server.
CREATE_PATH = {
    "github": "/repos/octocat/Hello-World/issues",
    "gitlab": "/api/v4/projects/my-group%2Fmy-project/issues",
    "jira": "/rest/api/3/issue",
    "webhook": "/hooks/bugs",
}


def tracker(personas: Any, kind: str = "github", name: str = "") -> Any:
    config, credentials = SETTINGS[kind]
    return services.connect(
        personas.workspace_a,
        kind=kind,
        name=name or f"App ({kind})",
        config=config,
        credentials=credentials,
        labels="bug, from-inbox",
        actor=personas.alice,
    )


def complaint(personas: Any, key: str = "c1", *, lang: str = "en") -> Any:
    made = conversation(
        personas.workspace_a,
        key,
        [
            ("in", "I was charged twice <script>alert(1)</script>"),
            ("out", "Sorry! Could you send us your order number?"),
            ("in", "Order 4412, still charged twice"),
        ],
        contact_name="Ana Lima",
        lang=lang,
    )
    made.assignee = personas.bob
    made.subject = "Charged twice"
    made.save()
    return made
