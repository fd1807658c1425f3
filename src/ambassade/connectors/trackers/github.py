"""GitHub Issues through the REST API (https://docs.github.com/en/rest/issues).

Config: ``repository`` (``owner/name``); ``api_url`` for GitHub Enterprise Server
(``https://github.example.com/api/v3``), GitHub.com's API otherwise. Credentials: ``token``, a
fine-grained personal access token (or a GitHub App's installation token) with *Issues: read and
write* on the repository. Webhook: an ``issues`` event signed with the webhook's secret in
``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>``.
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
    hmac_sha256,
    invalid,
    json_object,
    parse_time,
    same_secret,
)

__all__ = ["GitHubTracker"]

API = "https://api.github.com"
_REPOSITORY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
#: Issues read back when looking for a marker: a creation whose outcome is unknown is recent.
RECENT = 30


def _detail(response: Response, message: str) -> str:
    """GitHub's message, with the fields a validation failure names."""
    try:
        body = response.json()
    except ConnectorError:
        return message
    if not isinstance(body, dict):
        return message
    found = []
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            if isinstance(error.get("message"), str):
                found.append(error["message"])
            elif error.get("field"):
                found.append(f"{error.get('field')} {error.get('code', 'invalid')}")
        elif isinstance(error, str):
            found.append(error)
    return f"{message}: {'; '.join(found)}" if found else message


class GitHubTracker(NumberedTracker):
    kind: ClassVar[str] = "github"
    label: ClassVar[str] = "GitHub"

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        repository = str(config.get("repository") or "").strip().strip("/")
        if repository.startswith("https://github.com/"):
            repository = repository.removeprefix("https://github.com/").removesuffix(".git")
        if not _REPOSITORY.fullmatch(repository):
            raise invalid(
                "repository",
                "tracker.bad_repository",
                f"A GitHub repository is written owner/name, not {repository!r}.",
                value=repository[:200],
            )
        api_url = str(config.get("api_url") or "").strip()
        cleaned: dict[str, Any] = {"repository": repository}
        if api_url:
            cleaned["api_url"] = check_https(api_url, "api_url", self.label)
        return cleaned

    def _detail(self, response: Response, message: str) -> str:
        return _detail(response, message)

    def _headers(self, credentials: Credentials) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.secret(credentials)}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _issues_url(self, config: Mapping[str, Any]) -> str:
        owner, _, name = str(config["repository"]).partition("/")
        base = self.base_url(config, "api_url", API)
        return f"{base}/repos/{quote(owner, safe='')}/{quote(name, safe='')}/issues"

    def find_issue(
        self, config: Mapping[str, Any], credentials: Credentials, marker: str
    ) -> TrackedIssue | None:
        response = self.http.get(
            self._issues_url(config),
            params={"state": "all", "sort": "created", "direction": "desc", "per_page": RECENT},
            headers=self._headers(credentials),
            error_map=self.error_map(),
        )
        items = response.json()
        for item in items if isinstance(items, list) else []:
            if (
                isinstance(item, dict)
                and "pull_request" not in item
                and marker in str(item.get("body") or "")
            ):
                return self._issue(item)
        return None

    def _issue(self, item: Any) -> TrackedIssue:
        if not isinstance(item, dict) or not isinstance(item.get("number"), int):
            raise ConnectorError(
                "GitHub answered without an issue.",
                permanent=False,
                code="tracker.unexpected_answer",
                params={"tracker": self.label},
            )
        state = IssueState.CLOSED if item.get("state") == "closed" else IssueState.OPEN
        return TrackedIssue(
            ref=str(item["number"]),
            url=str(item.get("html_url") or ""),
            state=state,
            status=str(item.get("state_reason") or item.get("state") or "open"),
            title=str(item.get("title") or ""),
            updated_at=parse_time(item.get("updated_at")),
            closed_at=parse_time(item.get("closed_at")),
        )

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: datetime | None = None
    ) -> None:
        given = header(headers, "X-Hub-Signature-256") or ""
        if not same_secret(given, "sha256=" + hmac_sha256(secret, body)):
            raise WebhookRefused("The X-Hub-Signature-256 signature is missing or wrong.")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackerEvent | None:
        if (header(headers, "X-GitHub-Event") or "") != "issues":
            return None  # ping, or an event this integration does not follow
        payload = json_object(body)
        issue = payload.get("issue")
        repository = payload.get("repository")
        if not isinstance(issue, dict) or not isinstance(issue.get("number"), int):
            raise WebhookRefused("The issues event has no issue number.", 400)
        tracked = self._issue(issue)
        action = str(payload.get("action") or "")
        state, status = tracked.state, tracked.status
        if action == "deleted":
            state, status = IssueState.CLOSED, "deleted"
        return TrackerEvent(
            ref=tracked.ref,
            project=str(repository.get("full_name") or "") if isinstance(repository, dict) else "",
            state=state,
            status=status,
            url=tracked.url,
            raw=payload,
        )
