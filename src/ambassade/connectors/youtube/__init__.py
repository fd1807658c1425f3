"""YouTube Data API v3: video search and comment threads (of a video or a whole channel), API key."""

from ambassade.connectors.youtube.client import YoutubeConnector

__all__ = ["YoutubeConnector"]
