"""Jira Cloud issues through the REST API v3
(https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/).

Config: ``site`` (``https://your-domain.atlassian.net``), ``project_key`` (``SUP``) and
``issue_type`` (``Bug`` unless said otherwise). Credentials: the ``email`` of an Atlassian account
and an ``api_token`` of it, sent with HTTP basic authentication. An issue is closed when its status
is in the *Done* category, whatever the workflow names it. Webhook: a webhook registered with a
secret signs each delivery in ``X-Hub-Signature: sha256=<HMAC-SHA256 of the body>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from ambassade.connectors.base import ConnectorError, Credentials
from ambassade.connectors.http import Response
from ambassade.connectors.trackers.base import (
    IssueDraft,
    IssueState,
    TrackedIssue,
    Tracker,
    TrackerEvent,
    WebhookRefused,
    check_https,
    error_map,
    header,
    hmac_sha256,
    invalid,
    json_object,
    parse_time,
    same_secret,
)

__all__ = ["JiraTracker", "document"]

_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,9}")
_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,9}-\d+")
FIELDS = "summary,status,updated,resolutiondate,project"
#: Jira's limit on a summary.
MAX_SUMMARY = 255


def _detail(response: Response, message: str) -> str:
    """Jira's ``errorMessages`` and per-field ``errors``."""
    try:
        body = response.json()
    except ConnectorError:
        return message
    if not isinstance(body, dict):
        return message
    parts = [str(text) for text in body.get("errorMessages") or [] if text]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts += [f"{field}: {text}" for field, text in errors.items()]
    return "; ".join(parts) or message


def _text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def document(
    description: str, quote_text: str, link: str, marker: str, heading: str = "Customer's words"
) -> dict[str, Any]:
    """The description in Atlassian Document Format: paragraphs of plain text (ADF text is never
    markup, so the customer's words cannot inject any), the customer's words in a code block, the
    link to the conversation and the marker."""
    content: list[dict[str, Any]] = [
        {"type": "paragraph", "content": [_text(paragraph)]}
        for paragraph in description.strip().split("\n\n")
        if paragraph.strip()
    ]
    if quote_text.strip():
        content.append(
            {"type": "paragraph", "content": [{**_text(heading), "marks": [{"type": "strong"}]}]}
        )
        content.append({"type": "codeBlock", "content": [_text(quote_text.strip())]})
    footer: list[dict[str, Any]] = []
    if link:
        footer += [
            _text("Conversation: "),
            {**_text(link), "marks": [{"type": "link", "attrs": {"href": link}}]},
        ]
    if marker:
        footer += ([_text(" · ")] if footer else []) + [
            _text("Ambassade reference: "),
            {**_text(marker), "marks": [{"type": "code"}]},
        ]
    if footer:
        content.append({"type": "paragraph", "content": footer})
    return {"type": "doc", "version": 1, "content": content}


class JiraTracker(Tracker):
    kind: ClassVar[str] = "jira"
    label: ClassVar[str] = "Jira"
    secrets: ClassVar[tuple[str, ...]] = ("email", "api_token")

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        site = check_https(config.get("site"), "site", self.label)
        key = str(config.get("project_key") or "").strip().upper()
        if not _KEY.fullmatch(key):
            raise invalid(
                "project_key",
                "tracker.bad_project_key",
                f"A Jira project key is a capital letter then up to 9 capitals, digits or _, "
                f"not {key!r}.",
                value=key[:50],
            )
        issue_type = str(config.get("issue_type") or "Bug").strip()[:60] or "Bug"
        return {"site": site, "project_key": key, "issue_type": issue_type}

    def _auth(self, credentials: Credentials) -> tuple[str, str]:
        return (self.secret(credentials, "email"), self.secret(credentials, "api_token"))

    def _site(self, config: Mapping[str, Any]) -> str:
        return self.base_url(config, "site")

    def create_issue(
        self, config: Mapping[str, Any], credentials: Credentials, draft: IssueDraft
    ) -> TrackedIssue:
        fields: dict[str, Any] = {
            "project": {"key": config["project_key"]},
            "summary": draft.title.replace("\n", " ")[:MAX_SUMMARY],
            "issuetype": {"name": config.get("issue_type") or "Bug"},
            "description": document(draft.description, draft.quote, draft.link, draft.marker),
        }
        if draft.labels:
            # Jira labels cannot hold spaces.
            fields["labels"] = [re.sub(r"\s+", "-", label) for label in draft.labels]
        response = self.http.post(
            f"{self._site(config)}/rest/api/3/issue",
            json={"fields": fields},
            basic_auth=self._auth(credentials),
            headers={"Accept": "application/json"},
            error_map=error_map(self.label, _detail),
        )
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("key"), str):
            raise ConnectorError(
                "Jira answered without an issue key.",
                permanent=False,
                code="tracker.unexpected_answer",
                params={"tracker": self.label},
            )
        # Jira answers the key alone; the issue is open until its status says otherwise.
        return TrackedIssue(
            ref=body["key"],
            url=self._browse(config, body["key"]),
            state=IssueState.OPEN,
            status="",
            title=fields["summary"],
        )

    def _browse(self, config: Mapping[str, Any], key: str) -> str:
        return f"{str(config.get('site') or self._site(config)).rstrip('/')}/browse/{key}"

    def get_issue(
        self, config: Mapping[str, Any], credentials: Credentials, ref: str
    ) -> TrackedIssue:
        if not _ISSUE_KEY.fullmatch(ref):
            raise ConnectorError(
                f"A Jira issue is a key such as SUP-12, not {ref!r}.",
                permanent=True,
                code="tracker.bad_reference",
                params={"tracker": self.label, "ref": ref[:100]},
            )
        response = self.http.get(
            f"{self._site(config)}/rest/api/3/issue/{quote(ref)}",
            params={"fields": FIELDS},
            basic_auth=self._auth(credentials),
            headers={"Accept": "application/json"},
            error_map=error_map(self.label, _detail),
        )
        return self._issue(config, response.json())

    def find_issue(
        self, config: Mapping[str, Any], credentials: Credentials, marker: str
    ) -> TrackedIssue | None:
        jql = (
            f'project = "{config["project_key"]}" AND text ~ "\\"{marker}\\"" ORDER BY created DESC'
        )
        response = self.http.post(
            f"{self._site(config)}/rest/api/3/search/jql",
            json={"jql": jql, "maxResults": 5, "fields": [*FIELDS.split(","), "description"]},
            basic_auth=self._auth(credentials),
            headers={"Accept": "application/json"},
            retry=True,  # a search changes nothing
            error_map=error_map(self.label, _detail),
        )
        body = response.json()
        issues = body.get("issues") if isinstance(body, dict) else None
        for item in issues if isinstance(issues, list) else []:
            fields = item.get("fields") if isinstance(item, dict) else None
            if isinstance(fields, dict) and marker in json.dumps(fields.get("description")):
                return self._issue(config, item)
        return None

    def _issue(self, config: Mapping[str, Any], item: Any) -> TrackedIssue:
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(fields, dict) or not isinstance(item.get("key"), str):
            raise ConnectorError(
                "Jira answered without an issue.",
                permanent=False,
                code="tracker.unexpected_answer",
                params={"tracker": self.label},
            )
        status = fields.get("status") if isinstance(fields.get("status"), dict) else {}
        category = status.get("statusCategory") if isinstance(status, dict) else None
        done = isinstance(category, dict) and category.get("key") == "done"
        return TrackedIssue(
            ref=item["key"],
            url=self._browse(config, item["key"]),
            state=IssueState.CLOSED if done else IssueState.OPEN,
            status=str(status.get("name") or "") if isinstance(status, dict) else "",
            title=str(fields.get("summary") or ""),
            updated_at=parse_time(fields.get("updated")),
            closed_at=parse_time(fields.get("resolutiondate")) if done else None,
        )

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: datetime | None = None
    ) -> None:
        given = header(headers, "X-Hub-Signature") or ""
        if not same_secret(given, "sha256=" + hmac_sha256(secret, body)):
            raise WebhookRefused("The X-Hub-Signature signature is missing or wrong.")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackerEvent | None:
        payload = json_object(body)
        event = str(payload.get("webhookEvent") or "")
        if event not in ("jira:issue_updated", "jira:issue_created", "jira:issue_deleted"):
            return None
        issue = payload.get("issue")
        if not isinstance(issue, dict) or not isinstance(issue.get("key"), str):
            raise WebhookRefused("The issue event has no issue key.", 400)
        parts = urlsplit(str(issue.get("self") or ""))
        site = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        tracked = self._issue({"site": site}, issue)
        state, status = tracked.state, tracked.status
        if event == "jira:issue_deleted":
            state, status = IssueState.CLOSED, "deleted"
        return TrackerEvent(
            ref=tracked.ref,
            project=tracked.ref.rsplit("-", 1)[0],
            state=state,
            status=status,
            url=tracked.url if site else "",
            raw=payload,
        )
