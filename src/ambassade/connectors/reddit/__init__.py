"""Reddit: search and a subreddit's new comments, with an application-only OAuth token."""

from ambassade.connectors.reddit.client import RedditConnector

__all__ = ["RedditConnector"]
