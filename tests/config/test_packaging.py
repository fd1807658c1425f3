"""pyproject.toml stays buildable by the setuptools to come: the licence as an SPDX expression (PEP 639;
the TOML table is deprecated and refused from 2027-02-18) with a setuptools that reads it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: The first setuptools that reads ``project.license`` as an SPDX expression.
SPDX_SETUPTOOLS = Version("77")


def test_its_licence_is_an_spdx_expression() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    # With an SPDX expression, setuptools refuses licence classifiers.
    assert not [c for c in project.get("classifiers", []) if c.startswith("License ::")]


def test_it_builds_with_a_setuptools_that_reads_it() -> None:
    requirements = [Requirement(text) for text in PYPROJECT["build-system"]["requires"]]
    (setuptools,) = [r for r in requirements if r.name == "setuptools"]
    lower = [Version(s.version) for s in setuptools.specifier if s.operator in {">=", "==", "~="}]
    assert lower and min(lower) >= SPDX_SETUPTOOLS, str(setuptools)
