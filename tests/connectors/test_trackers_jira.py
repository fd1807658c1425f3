"""Jira Cloud against a local server answering in Jira's documented format."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig
from ambassade.connectors.http import HttpClient
from ambassade.connectors.trackers import IssueDraft, IssueState, JiraTracker, WebhookRefused
from ambassade.connectors.trackers.base import hmac_sha256

from .conftest import ReplayServer, Reply, fixture_bytes, fixture_json

EMAIL = "camille@cafe-lumiere.example"
API_TOKEN = "ATATT3xFfGF0_secret_token"
CREDENTIALS = {"email": EMAIL, "api_token": API_TOKEN}
CONFIG = {"site": "https://your-domain.atlassian.net", "project_key": "SUP", "issue_type": "Bug"}
MARKER = "amb-0123456789abcdef"
DRAFT = IssueDraft(
    title="Double charge\non card payments",
    description="Two customers were charged twice.\n\nSince 8:00.",
    quote="charged *twice* {code}",
    link="https://ambassade.example.com/w/cafe/inbox/42/",
    marker=MARKER,
    labels=("bug", "from inbox"),
)


def tracker(server: ReplayServer, http: HttpClient) -> JiraTracker:
    return JiraTracker(http, endpoints={"base": server.base_url})


def test_it_creates_an_issue_described_in_document_format(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST", "/rest/api/3/issue", Reply(201, fixture_json("jira", "issue_created.json"))
    )
    issue = tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert (issue.ref, issue.state) == ("SUP-24", IssueState.OPEN)
    assert issue.url == "https://your-domain.atlassian.net/browse/SUP-24"
    (request,) = server.requests
    expected = base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    fields = json.loads(request.body)["fields"]
    assert fields["project"] == {"key": "SUP"} and fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == "Double charge on card payments"
    assert fields["labels"] == ["bug", "from-inbox"]
    content = fields["description"]["content"]
    assert fields["description"]["type"] == "doc"
    assert [node["type"] for node in content] == [
        "paragraph",
        "paragraph",
        "paragraph",
        "codeBlock",
        "paragraph",
    ]
    # The customer's words are one plain text node: Jira's wiki markup in them means nothing.
    assert content[3]["content"] == [{"type": "text", "text": "charged *twice* {code}"}]
    footer = json.dumps(content[4])
    assert MARKER in footer and '"href": "https://ambassade.example.com/w/cafe/inbox/42/"' in footer


def test_it_reads_the_status_category_not_the_workflows_word(
    server: ReplayServer, http: HttpClient
) -> None:
    path = "/rest/api/3/issue/SUP-24"
    server.route(
        "GET",
        path,
        Reply(200, fixture_json("jira", "issue_in_progress.json")),
        Reply(200, fixture_json("jira", "issue_done.json")),
    )
    jira = tracker(server, http)
    first = jira.get_issue(CONFIG, CREDENTIALS, "SUP-24")
    assert (first.state, first.status, first.closed_at) == (IssueState.OPEN, "In Progress", None)
    assert first.updated_at == datetime(2024, 2, 1, 10, 0, tzinfo=UTC)
    done = jira.get_issue(CONFIG, CREDENTIALS, "SUP-24")
    assert (done.state, done.status) == (IssueState.CLOSED, "Shipped")
    assert done.closed_at == datetime(2024, 2, 3, 15, 30, tzinfo=UTC)
    assert server.requests[0].param("fields") == "summary,status,updated,resolutiondate,project"


def test_it_refuses_a_reference_that_is_not_a_key(server: ReplayServer, http: HttpClient) -> None:
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).get_issue(CONFIG, CREDENTIALS, "SUP-24/../../myself")
    assert caught.value.code == "tracker.bad_reference" and not server.requests


def test_it_finds_the_issue_carrying_a_marker(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", "/rest/api/3/search/jql", Reply(200, fixture_json("jira", "search.json")))
    found = tracker(server, http).find_issue(CONFIG, CREDENTIALS, MARKER)
    assert found is not None and (found.ref, found.status) == ("SUP-25", "To Do")
    query = json.loads(server.requests[0].body)
    assert query["jql"] == f'project = "SUP" AND text ~ "\\"{MARKER}\\"" ORDER BY created DESC'
    assert tracker(server, http).find_issue(CONFIG, CREDENTIALS, "amb-ffffffffffffffff") is None


@pytest.mark.parametrize(
    ("status", "fixture", "error", "code", "detail"),
    [
        (
            400,
            "error_400.json",
            ConnectorError,
            "tracker.invalid",
            "summary: You must specify a summary of the issue.",
        ),
        (
            401,
            "error_401.json",
            AuthExpired,
            "tracker.credentials_refused",
            "You are not authenticated. Authentication required to perform this operation.",
        ),
        (
            403,
            "error_403.json",
            AuthExpired,
            "tracker.forbidden",
            "You do not have permission to create issues in this project.",
        ),
        (
            404,
            "error_404.json",
            ConnectorError,
            "tracker.not_found",
            "Issue does not exist or you do not have permission to see it.",
        ),
    ],
)
def test_it_classifies_jiras_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    fixture: str,
    error: type[ConnectorError],
    code: str,
    detail: str,
) -> None:
    server.route("POST", "/rest/api/3/issue", Reply(status, fixture_json("jira", fixture)))
    with pytest.raises(error) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert type(caught.value) is error
    assert caught.value.code == code and caught.value.params["detail"] == detail
    assert API_TOKEN not in str(caught.value)


def test_it_waits_as_long_as_jira_asks(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        "/rest/api/3/issue",
        Reply(429, {"errorMessages": ["Rate limit exceeded."], "errors": {}}, {"Retry-After": "7"}),
    )
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert caught.value.code == "tracker.rate_limited" and caught.value.retry_after == 7


def test_it_needs_both_the_email_and_the_token() -> None:
    with pytest.raises(AuthExpired) as caught:
        JiraTracker().create_issue(CONFIG, {"email": EMAIL}, DRAFT)
    assert caught.value.params["field"] == "api_token"


def test_it_cleans_its_config() -> None:
    assert JiraTracker().check_config(
        {"site": "https://your-domain.atlassian.net/", "project_key": " sup "}
    ) == {"site": "https://your-domain.atlassian.net", "project_key": "SUP", "issue_type": "Bug"}


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({"project_key": "SUP"}, "tracker.bad_address"),
        ({"site": "http://x.atlassian.net", "project_key": "SUP"}, "tracker.bad_address"),
        ({"site": "https://x.atlassian.net", "project_key": "1SUP"}, "tracker.bad_project_key"),
        ({"site": "https://x.atlassian.net", "project_key": ""}, "tracker.bad_project_key"),
    ],
)
def test_it_refuses_a_bad_config(config: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidConfig) as caught:
        JiraTracker().check_config(config)
    assert caught.value.code == code


def test_it_verifies_and_reads_a_webhook_signed_with_its_secret() -> None:
    body = fixture_bytes("jira", "webhook_issue_updated.json")
    headers = {"X-Hub-Signature": "sha256=" + hmac_sha256("jira-secret", body)}
    jira = JiraTracker()
    jira.verify_webhook(headers, body, "jira-secret")
    event = jira.parse_webhook(headers, body)
    assert event is not None
    assert (event.ref, event.project, event.state, event.status) == (
        "SUP-24",
        "SUP",
        IssueState.CLOSED,
        "Shipped",
    )
    assert event.url == "https://your-domain.atlassian.net/browse/SUP-24"
    with pytest.raises(WebhookRefused):
        jira.verify_webhook(headers, body + b" ", "jira-secret")
    with pytest.raises(WebhookRefused):
        jira.verify_webhook({}, body, "jira-secret")


def test_it_ignores_other_events() -> None:
    assert JiraTracker().parse_webhook({}, b'{"webhookEvent": "comment_created"}') is None
