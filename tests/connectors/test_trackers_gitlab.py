"""GitLab issues against a local server answering in GitLab's documented format."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, InvalidConfig
from ambassade.connectors.http import HttpClient
from ambassade.connectors.trackers import GitLabTracker, IssueDraft, IssueState, WebhookRefused

from .conftest import ReplayServer, Reply, fixture_bytes, fixture_json

TOKEN = "glpat-0123456789abcdefghij"
CREDENTIALS = {"token": TOKEN}
CONFIG = {"project": "my-group/my-project"}
ISSUES = "/api/v4/projects/my-group%2Fmy-project/issues"
MARKER = "amb-0123456789abcdef"
DRAFT = IssueDraft(
    title="Double charge on card payments",
    description="Two customers were charged twice.",
    quote="charged twice ``` /close",
    link="https://ambassade.example.com/w/cafe/inbox/42/",
    marker=MARKER,
    labels=("bug", "inbox"),
)


def tracker(server: ReplayServer, http: HttpClient) -> GitLabTracker:
    return GitLabTracker(http, endpoints={"base": server.base_url})


def test_it_creates_an_issue(server: ReplayServer, http: HttpClient) -> None:
    server.route("POST", ISSUES, Reply(201, fixture_json("gitlab", "issue.json")))
    issue = tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert (issue.ref, issue.state, issue.status) == ("14", IssueState.OPEN, "opened")
    assert issue.url == "https://gitlab.example.com/my-group/my-project/-/issues/14"
    (request,) = server.requests
    # The project path is one URL segment; the token goes in the OAuth-compliant header.
    assert request.path == ISSUES
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    sent = json.loads(request.body)
    assert sent["labels"] == "bug,inbox" and sent["title"] == DRAFT.title
    assert "````text\ncharged twice ``` /close\n````" in sent["description"]
    assert MARKER in sent["description"]


def test_it_reads_an_issues_state(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", f"{ISSUES}/14", Reply(200, fixture_json("gitlab", "issue_closed.json")))
    issue = tracker(server, http).get_issue(CONFIG, CREDENTIALS, "14")
    assert issue.state is IssueState.CLOSED and issue.status == "closed"
    assert issue.closed_at == datetime(2016, 1, 7, 12, 0, tzinfo=UTC)


def test_it_reads_a_project_given_by_its_number(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "GET", "/api/v4/projects/3/issues/14", Reply(200, fixture_json("gitlab", "issue.json"))
    )
    assert tracker(server, http).get_issue({"project": "3"}, CREDENTIALS, "14").ref == "14"


def test_it_finds_the_issue_carrying_a_marker(server: ReplayServer, http: HttpClient) -> None:
    server.route("GET", ISSUES, Reply(200, fixture_json("gitlab", "issues_search.json")))
    found = tracker(server, http).find_issue(CONFIG, CREDENTIALS, MARKER)
    assert found is not None and found.ref == "15"
    assert server.requests[0].param("search") == MARKER
    assert server.requests[0].param("in") == "description"
    assert tracker(server, http).find_issue(CONFIG, CREDENTIALS, "amb-ffffffffffffffff") is None


@pytest.mark.parametrize(
    ("status", "fixture", "error", "code", "detail"),
    [
        (401, "error_401.json", AuthExpired, "tracker.credentials_refused", "401 Unauthorized"),
        (403, "error_403.json", AuthExpired, "tracker.forbidden", "403 Forbidden"),
        (404, "error_404.json", ConnectorError, "tracker.not_found", "404 Project Not Found"),
        (
            400,
            "error_400.json",
            ConnectorError,
            "tracker.invalid",
            "title can't be blank; labels is invalid",
        ),
    ],
)
def test_it_classifies_gitlabs_errors(
    server: ReplayServer,
    http: HttpClient,
    status: int,
    fixture: str,
    error: type[ConnectorError],
    code: str,
    detail: str,
) -> None:
    server.route("POST", ISSUES, Reply(status, fixture_json("gitlab", fixture)))
    with pytest.raises(error) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert type(caught.value) is error
    assert caught.value.code == code and caught.value.params["detail"] == detail
    assert TOKEN not in str(caught.value)


def test_it_waits_until_the_rate_limit_resets(server: ReplayServer, http: HttpClient) -> None:
    server.route(
        "POST",
        ISSUES,
        Reply(
            429,
            fixture_bytes("gitlab", "error_429.txt"),
            {"Retry-After": "42", "RateLimit-Reset": "1700000042", "Content-Type": "text/plain"},
        ),
    )
    with pytest.raises(ConnectorError) as caught:
        tracker(server, http).create_issue(CONFIG, CREDENTIALS, DRAFT)
    assert caught.value.code == "tracker.rate_limited" and caught.value.retry_after == 42
    assert caught.value.params["detail"] == "Retry later"


@pytest.mark.parametrize(
    ("config", "code"),
    [
        ({"project": ""}, "tracker.bad_project"),
        ({"project": "no-namespace"}, "tracker.bad_project"),
        ({"project": "a/b?x=1"}, "tracker.bad_project"),
        ({"project": "a/b", "base_url": "gitlab.example.com"}, "tracker.bad_address"),
    ],
)
def test_it_refuses_a_bad_config(config: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidConfig) as caught:
        GitLabTracker().check_config(config)
    assert caught.value.code == code


def test_it_cleans_its_config() -> None:
    assert GitLabTracker().check_config(
        {"project": "/group/sub/project/", "base_url": "https://gitlab.example.com/"}
    ) == {"project": "group/sub/project", "base_url": "https://gitlab.example.com"}


def test_it_verifies_and_reads_an_issue_hook() -> None:
    body = fixture_bytes("gitlab", "webhook_issue_closed.json")
    headers = {"X-Gitlab-Event": "Issue Hook", "X-Gitlab-Token": "hook-secret"}
    gitlab = GitLabTracker()
    gitlab.verify_webhook(headers, body, "hook-secret")
    event = gitlab.parse_webhook(headers, body)
    assert event is not None
    assert (event.ref, event.project, event.state) == (
        "15",
        "my-group/my-project",
        IssueState.CLOSED,
    )
    assert event.url == "https://gitlab.example.com/my-group/my-project/-/issues/15"


@pytest.mark.parametrize("given", [None, "", "hook-secreT", "hook-secret "])
def test_it_refuses_a_hook_without_the_secret_token(given: str | None) -> None:
    headers = {"X-Gitlab-Event": "Issue Hook"}
    if given is not None:
        headers["X-Gitlab-Token"] = given
    with pytest.raises(WebhookRefused):
        GitLabTracker().verify_webhook(headers, b"{}", "hook-secret")


def test_it_ignores_other_hooks() -> None:
    assert GitLabTracker().parse_webhook({"X-Gitlab-Event": "Push Hook"}, b"{}") is None
    with pytest.raises(WebhookRefused):
        GitLabTracker().parse_webhook(
            {"X-Gitlab-Event": "Issue Hook"}, b'{"object_attributes": {}}'
        )
