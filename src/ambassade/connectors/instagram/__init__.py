"""Instagram: publishing to a business account through the Graph API's media containers."""

from ambassade.connectors.instagram.publish import InstagramPublisher

__all__ = ["InstagramPublisher"]
