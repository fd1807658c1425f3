"""Facebook: publishing to a page through the Graph API (feed posts, photos, one video)."""

from ambassade.connectors.facebook.publish import FacebookPublisher

__all__ = ["FacebookPublisher"]
