"""Listening: sources, listening queries, the ingest pipeline and the analysed stream of mentions.

See docs/listening.md. Writes go through :mod:`ambassade.listening.services`; the pipeline's entry point
is :func:`ambassade.listening.services.ingest`.
"""
