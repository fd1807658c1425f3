"""One package per network, all of the same shape; see docs/architecture.md."""
