"""Hacker News stories and comments, through the Algolia HN Search API (public, no key)."""

from ambassade.connectors.hackernews.client import HackerNewsConnector

__all__ = ["HackerNewsConnector"]
