"""RSS and Atom feeds: blogs, news sites, forums, review sites, Google Alerts."""

from ambassade.connectors.rss.client import RssConnector

__all__ = ["RssConnector"]
