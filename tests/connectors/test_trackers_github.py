"""GitHub Issues against a local server answering in GitHub's documented format."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig
from ambassade.connectors.http import HttpClient
from ambassade.connectors.trackers import (
    GitHubTracker,
    IssueDraft,
    IssueState,
    WebhookRefused,
)
from ambassade.connectors.trackers.base import hmac_sha256

from .conftest import ReplayServer, Reply, fixture_bytes, fixture_json

TOKEN = "github_pat_11ABCDEFG0123456789_secretpart"
CREDENTIALS = {"token": TOKEN}
CONFIG = {"repository": "octocat/Hello-World"}
ISSUES = "/repos/octocat/Hello-World/issues"
MARKER = "amb-0123456789abcdef"
DRAFT = IssueDraft(
    title="Double charge on card payments",
    description="Two customers were charged twice this morning.",
    quote="I was charged TWICE ```\n@octocat <script>alert(1)</script>",
    link="https://ambassade.example.com/w/cafe/inbox/42/",
    marker=MARKER,
    labels=("bug", "from-inbox"),
)


def tracker(server: ReplayServer, http: HttpClient) -> GitHubTracker:
    return GitHubTracker(http, endpoints={"base": server.base_url})


def test_it_creates_an_issue_with_the_customers_words_as_literal_text(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("POST", ISSUES, Reply(201, fixture_json("github", "issue.json")))
    issue = tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)

    assert issue.ref == "1347" and issue.state is IssueState.OPEN and issue.status == "open"
    assert issue.url == "https://github.com/octocat/Hello-World/issues/1347"
    assert issue.updated_at == datetime(2011, 4, 22, 13, 33, 48, tzinfo=UTC)
    (request,) = server.calls(ISSUES)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    sent = json.loads(request.body)
    assert sent["title"] == DRAFT.title and sent["labels"] == ["bug", "from-inbox"]
    body = sent["body"]
    assert body.startswith("Two customers were charged twice this morning.")
    # The quote is fenced with more backticks than it holds: nothing in it is markup.
    assert "````text\nI was charged TWICE ```\n@octocat <script>alert(1)</script>\n````" in body
    assert f"Ambassade reference: `{MARKER}`" in body
    assert "Conversation: <https://ambassade.example.com/w/cafe/inbox/42/>" in body


def test_it_reads_an_issues_state(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", f"{ISSUES}/1347", Reply(200, fixture_json("github", "issue_closed.json")))
    issue = tracker(server, http).get_issue(CONFIG, CREDENTIALS, "1347")
    assert issue.state is IssueState.CLOSED and issue.status == "completed"
    assert issue.closed_at == datetime(2011, 4, 23, 9, 10, tzinfo=UTC)


def test_it_refuses_a_reference_that_is_not_a_number(
    server: ReplayServer, http: HttpClient
) -> None:
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).get_issue(CONFIG, CREDENTIALS, "../pulls")
    assert caught.value.code == "tracker.bad_reference" and not server.requests
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).get_issue(CONFIG, CREDENTIALS, "¹²")
    assert caught.value.code == "tracker.bad_reference" and not server.requests


def test_it_finds_the_issue_carrying_a_marker_among_the_recent_ones(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route("GET", ISSUES, Reply(200, fixture_json("github", "issues_recent.json")))
    found = tracker(server, http).find_issue(CONFIG, CREDENTIALS, MARKER)
    # The pull request mentioning the marker is not the issue.
    assert found is not None and found.ref == "1348"
    (request,) = server.requests
    assert request.param("state") == "all" and request.param("sort") == "created"
    assert tracker(server, http).find_issue(CONFIG, CREDENTIALS, "amb-ffffffffffffffff") is None


@pytest.mark.parametrize(
    ("status", "fixture", "headers", "error", "code", "detail"),
    [
        (401, "error_401.json", {}, AuthExpired, "tracker.credentials_refused", "Bad credentials"),
        (403, "error_403.json", {}, AuthExpired, "tracker.forbidden", "Resource not accessible"),
        (404, "error_404.json", {}, ConnectorError, "tracker.not_found", "Not Found"),
        (
            422,
            "error_422.json",
            {},
            ConnectorError,
            "tracker.invalid",
            "Validation Failed: labels invalid",
        ),
    ],
)
def test_it_classifies_githubs_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    fixture: str,
    headers: dict[str, str],
    error: type[ConnectorError],
    code: str,
    detail: str,
) -> None:
    server.route("POST", ISSUES, Reply(status, fixture_json("github", fixture), headers))
    with pytest.raises(error) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert type(caught.value) is error
    assert caught.value.code == code and caught.value.permanent
    assert detail in str(caught.value.params["detail"])
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value.params)


def test_it_waits_for_the_rate_limit_reset(server: ReplayServer, http: HttpClient) -> None:
    reset = int(time.time()) + 120
    server.route(
        "POST",
        ISSUES,
        Reply(
            403,
            fixture_json("github", "error_403_rate_limit.json"),
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert caught.value.code == "tracker.rate_limited" and not caught.value.permanent
    assert caught.value.retry_after is not None and 100 < caught.value.retry_after <= 120


def test_it_waits_as_long_as_a_secondary_rate_limit_says(
    server: ReplayServer, http: HttpClient
) -> None:
    server.route(
        "POST",
        ISSUES,
        Reply(429, {"message": "You have exceeded a secondary rate limit."}, {"Retry-After": "60"}),
    )
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert caught.value.code == "tracker.rate_limited" and caught.value.retry_after == 60


def test_it_needs_a_token() -> None:
    with pytest.raises(AuthExpired) as caught:
        GitHubTracker().create_issue(CONFIG, {}, DRAFT)
    assert caught.value.code == "tracker.no_credentials"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"repository": "octocat/Hello-World"}, {"repository": "octocat/Hello-World"}),
        (
            {"repository": "https://github.com/octocat/Hello-World.git"},
            {"repository": "octocat/Hello-World"},
        ),
        (
            {"repository": "a/b", "api_url": "https://github.example.com/api/v3/"},
            {"repository": "a/b", "api_url": "https://github.example.com/api/v3"},
        ),
    ],
)
def test_it_cleans_its_config(config: dict[str, str], expected: dict[str, str]) -> None:
    assert GitHubTracker().check_config(config) == expected


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({}, "tracker.bad_repository"),
        ({"repository": "octocat"}, "tracker.bad_repository"),
        ({"repository": "a/b/c"}, "tracker.bad_repository"),
        ({"repository": "a/b", "api_url": "http://github.example.com"}, "tracker.bad_address"),
        ({"repository": "a/b", "api_url": "https://u:p@github.example.com"}, "tracker.bad_address"),
    ],
)
def test_it_refuses_a_bad_config(config: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidConfig) as caught:
        GitHubTracker().check_config(config)
    assert caught.value.code == code


def test_it_verifies_and_reads_an_issues_webhook() -> None:
    body = fixture_bytes("github", "webhook_issue_closed.json")
    secret = "whsec-github"
    headers = {
        "X-GitHub-Event": "issues",
        "X-Hub-Signature-256": "sha256=" + hmac_sha256(secret, body),
    }
    github = GitHubTracker()
    github.verify_webhook(headers, body, secret)
    event = github.parse_webhook(headers, body)
    assert event is not None
    assert (event.ref, event.project, event.state, event.status) == (
        "1348",
        "octocat/Hello-World",
        IssueState.CLOSED,
        "completed",
    )
    assert event.url == "https://github.com/octocat/Hello-World/issues/1348"


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=" + hmac_sha256("other", b"{}")],
)
def test_it_refuses_a_webhook_not_signed_with_the_secret(signature: str) -> None:
    body = fixture_bytes("github", "webhook_issue_closed.json")
    with pytest.raises(WebhookRefused) as caught:
        GitHubTracker().verify_webhook({"X-Hub-Signature-256": signature}, body, "whsec-github")
    assert caught.value.status == 401


def test_it_ignores_other_events_and_refuses_a_broken_one() -> None:
    github = GitHubTracker()
    assert github.parse_webhook({"X-GitHub-Event": "ping"}, b'{"zen": "Keep it simple."}') is None
    with pytest.raises(WebhookRefused) as caught:
        github.parse_webhook({"X-GitHub-Event": "issues"}, b'{"action": "closed"}')
    assert caught.value.status == 400
    with pytest.raises(WebhookRefused):
        github.parse_webhook({"X-GitHub-Event": "issues"}, b"not json")


def test_a_deleted_issue_reads_as_closed() -> None:
    payload = fixture_json("github", "webhook_issue_closed.json")
    payload["action"] = "deleted"
    payload["issue"]["state"] = "open"
    event = GitHubTracker().parse_webhook(
        {"X-GitHub-Event": "issues"}, json.dumps(payload).encode()
    )
    assert event is not None and event.state is IssueState.CLOSED and event.status == "deleted"
