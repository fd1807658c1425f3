"""LinkedIn: publishing to an organisation page (Posts API)."""

from ambassade.connectors.linkedin.publish import LinkedInPublisher

__all__ = ["LinkedInPublisher"]
