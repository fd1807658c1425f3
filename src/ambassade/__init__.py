"""Ambassade: a self-hosted workbench for a brand's community manager."""

__version__ = "0.1.0"
