"""Loaded first (`-p tests.environment` in pyproject.toml), before pytest-django reads the settings:
the test run gets a data directory of its own and a fixed secret key, never the user's."""

import os
import tempfile

os.environ["AMBASSADE_DATA_DIR"] = tempfile.mkdtemp(prefix="ambassade-test-")
os.environ.setdefault("AMBASSADE_SECRET_KEY", "test-secret-key-" + "x" * 40)
for name in ("AMBASSADE_EMAIL_HOST", "AMBASSADE_DEBUG", "AMBASSADE_VAULT_KEY"):
    os.environ.pop(name, None)
