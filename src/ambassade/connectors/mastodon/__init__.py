"""Mastodon (and compatible fediverse servers): a hashtag timeline, status search, and the own
account's mentions."""

from ambassade.connectors.mastodon.client import MastodonConnector

__all__ = ["MastodonConnector"]
