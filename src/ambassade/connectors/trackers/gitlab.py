"""GitLab issues through the REST API v4 (https://docs.gitlab.com/api/issues/).

Config: ``project``, its path (``group/subgroup/project``) or numeric id; ``base_url`` for a
self-managed GitLab (``https://gitlab.example.com``), GitLab.com otherwise. Credentials: ``token``, a
project or personal access token with the ``api`` scope, sent as ``Authorization: Bearer`` (GitLab
accepts its access tokens in that OAuth-compliant header). Webhook: an ``Issue Hook`` whose
``X-Gitlab-Token`` header is the secret token set on the webhook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote

from ambassade.connectors.base import ConnectorError, Credentials
from ambassade.connectors.http import Response
from ambassade.connectors.trackers.base import (
    IssueState,
    NumberedTracker,
    TrackedIssue,
    TrackerEvent,
    WebhookRefused,
    check_https,
    header,
    invalid,
    json_object,
    parse_time,
    same_secret,
)

__all__ = ["GitLabTracker"]

BASE = "https://gitlab.com"
_PROJECT = re.compile(r"\d+|[\w.-]+(?:/[\w.-]+)+")
RECENT = 30
_HOOKS = ("Issue Hook", "Confidential Issue Hook")


def _detail(response: Response, message: str) -> str:
    """GitLab's message: a sentence, or ``{"field": ["problem", …]}`` for a validation failure."""
    try:
        body = response.json()
    except ConnectorError:
        return message
    if isinstance(body, dict):
        value = body.get("message")
        if isinstance(value, dict):
            parts = []
            for field, problems in value.items():
                words = problems if isinstance(problems, list) else [problems]
                parts.append(f"{field} {', '.join(str(word) for word in words)}")
            return "; ".join(parts) or message
        for key in ("message", "error", "error_description"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    return message


class GitLabTracker(NumberedTracker):
    kind: ClassVar[str] = "gitlab"
    label: ClassVar[str] = "GitLab"
    body_field: ClassVar[str] = "description"

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        project = str(config.get("project") or "").strip().strip("/")
        if not _PROJECT.fullmatch(project):
            raise invalid(
                "project",
                "tracker.bad_project",
                f"A GitLab project is its path (group/project) or its number, not {project!r}.",
                value=project[:200],
            )
        cleaned: dict[str, Any] = {"project": project}
        base_url = str(config.get("base_url") or "").strip()
        if base_url:
            cleaned["base_url"] = check_https(base_url, "base_url", self.label)
        return cleaned

    def _labels(self, labels: tuple[str, ...]) -> Any:
        return ",".join(labels)

    def _detail(self, response: Response, message: str) -> str:
        return _detail(response, message)

    def _headers(self, credentials: Credentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret(credentials)}"}

    def _issues_url(self, config: Mapping[str, Any]) -> str:
        base = self.base_url(config, "base_url", BASE)
        return f"{base}/api/v4/projects/{quote(str(config['project']), safe='')}/issues"

    def find_issue(
        self, config: Mapping[str, Any], credentials: Credentials, marker: str
    ) -> TrackedIssue | None:
        response = self.http.get(
            self._issues_url(config),
            params={
                "search": marker,
                "in": "description",
                "order_by": "created_at",
                "sort": "desc",
                "per_page": RECENT,
            },
            headers=self._headers(credentials),
            error_map=self.error_map(),
        )
        items = response.json()
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and marker in str(item.get("description") or ""):
                return self._issue(item)
        return None

    def _issue(self, item: Any) -> TrackedIssue:
        if not isinstance(item, dict) or not isinstance(item.get("iid"), int):
            raise ConnectorError(
                "GitLab answered without an issue.",
                permanent=False,
                code="tracker.unexpected_answer",
                params={"tracker": self.label},
            )
        status = str(item.get("state") or "opened")
        return TrackedIssue(
            ref=str(item["iid"]),
            url=str(item.get("web_url") or item.get("url") or ""),
            state=IssueState.CLOSED if status == "closed" else IssueState.OPEN,
            status=status,
            title=str(item.get("title") or ""),
            updated_at=parse_time(item.get("updated_at")),
            closed_at=parse_time(item.get("closed_at")),
        )

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: datetime | None = None
    ) -> None:
        if not same_secret(header(headers, "X-Gitlab-Token"), secret):
            raise WebhookRefused("The X-Gitlab-Token header is missing or wrong.")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackerEvent | None:
        if (header(headers, "X-Gitlab-Event") or "") not in _HOOKS:
            return None
        payload = json_object(body)
        attributes = payload.get("object_attributes")
        project = payload.get("project")
        if not isinstance(attributes, dict) or not isinstance(attributes.get("iid"), int):
            raise WebhookRefused("The issue event has no issue number (iid).", 400)
        tracked = self._issue(attributes)
        return TrackerEvent(
            ref=tracked.ref,
            project=str(project.get("path_with_namespace") or project.get("id") or "")
            if isinstance(project, dict)
            else "",
            state=tracked.state,
            status=tracked.status,
            url=tracked.url,
            raw=payload,
        )
