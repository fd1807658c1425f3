"""Bluesky: ``app.bsky.feed.searchPosts`` on the public AppView or through the account's PDS."""

from ambassade.connectors.bluesky.client import BlueskyConnector

__all__ = ["BlueskyConnector"]
