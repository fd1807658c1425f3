"""Threads: publishing to a profile through the Threads API's media containers."""

from ambassade.connectors.threads.publish import ThreadsPublisher

__all__ = ["ThreadsPublisher"]
