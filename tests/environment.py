"""Loaded first (`-p tests.environment` in pyproject.toml), before pytest-django reads the settings:
the test run gets a data directory of its own and a fixed secret key, never the user's."""

import os
import tempfile

from hypothesis import settings as _hypothesis_settings

os.environ["AMBASSADE_DATA_DIR"] = tempfile.mkdtemp(prefix="ambassade-test-")
os.environ.setdefault("AMBASSADE_SECRET_KEY", "test-secret-key-" + "x" * 40)
for name in ("AMBASSADE_EMAIL_HOST", "AMBASSADE_DEBUG", "AMBASSADE_VAULT_KEY"):
    os.environ.pop(name, None)

# Hypothesis: no per-example deadline. A deadline measures the machine's load, not the code (a shared
# CI machine made a 0.5 ms example take 257 ms), and a test must not depend on it. Runs are
# derandomised so that CI reproduces what a developer saw; a long-running bound belongs in a benchmark.
_hypothesis_settings.register_profile("ambassade", deadline=None, derandomize=True, print_blob=True)
_hypothesis_settings.load_profile("ambassade")
