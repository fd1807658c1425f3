"""Issue trackers a bug report goes to: GitHub, GitLab, Jira Cloud, or a signed webhook.

Each is a :class:`Tracker` (``base.py``: the contract), pure like the connectors: no Django, every
request through the HTTP seam, errors as coded :class:`~ambassade.connectors.base.ConnectorError`.
"""

from ambassade.connectors.trackers.base import (
    IssueDraft,
    IssueState,
    TrackedIssue,
    Tracker,
    TrackerEvent,
    WebhookRefused,
)
from ambassade.connectors.trackers.github import GitHubTracker
from ambassade.connectors.trackers.gitlab import GitLabTracker
from ambassade.connectors.trackers.jira import JiraTracker
from ambassade.connectors.trackers.webhook import WebhookTracker

__all__ = [
    "TRACKERS",
    "GitHubTracker",
    "GitLabTracker",
    "IssueDraft",
    "IssueState",
    "JiraTracker",
    "TrackedIssue",
    "Tracker",
    "TrackerEvent",
    "WebhookRefused",
    "WebhookTracker",
    "tracker_class",
]

TRACKERS: dict[str, type[Tracker]] = {
    tracker.kind: tracker for tracker in (GitHubTracker, GitLabTracker, JiraTracker, WebhookTracker)
}


def tracker_class(kind: str) -> type[Tracker]:
    """The tracker of a kind; KeyError for an unknown one."""
    return TRACKERS[kind]
