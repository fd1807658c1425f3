"""The pure-Python core of Ambassade: text analysis, the listening query language, signal detection,
per-network publishing rules and scores. Nothing here imports Django (tests/engine/test_purity.py)."""

__all__: list[str] = []
