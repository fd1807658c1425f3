"""The foundation knows no feature: `ambassade.workspaces` imports none of the apps built on it
(docs/architecture.md, "Dependencies point one way"). Features register with the foundation (navigation,
permissions, routing hooks); the product's composition (the demo) lives with its command in `config`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ambassade.workspaces

FOUNDATION = Path(ambassade.workspaces.__file__).parent
FEATURES = ("listening", "crisis", "publishing", "community", "inbox", "moderation", "analytics")
_FEATURE_MODULE = re.compile(rf"^ambassade\.({'|'.join(FEATURES)})(\.|$)")
_FEATURE_TEMPLATE = re.compile(
    rf"""{{%\s*(?:include|extends)\s+["']({"|".join(FEATURES)})/[^"']*["']"""
)


def _feature_references(path: Path, root: Path = FOUNDATION) -> list[str]:
    """Every import of a feature app in a module, at any depth (inside functions too), and every
    dotted feature module named in a string (``import_module``, ``apps.is_installed``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        found.extend(
            f"{path.relative_to(root)}:{node.lineno}: {name}"  # type: ignore[attr-defined]
            for name in names
            if _FEATURE_MODULE.match(name)
        )
    return found


def test_it_imports_no_feature_app() -> None:
    modules = sorted(FOUNDATION.rglob("*.py"))
    assert len(modules) > 10  # the walk did find the app
    found = [reference for path in modules for reference in _feature_references(path)]
    assert not found, "the foundation imports feature apps:\n" + "\n".join(found)


def test_its_templates_include_no_feature_template() -> None:
    found = [
        f"{path.relative_to(FOUNDATION)}: {match.group(0)}"
        for path in sorted(FOUNDATION.rglob("*.html"))
        for match in _FEATURE_TEMPLATE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "the foundation's templates include feature templates:\n" + "\n".join(found)


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text(
        "def f():\n    from ambassade.crisis.demo import x\n    import ambassade.inbox\n"
        "import ambassade.workspaces.models\n",
        encoding="utf-8",
    )
    found = _feature_references(module, tmp_path)
    assert [line.split(": ")[1] for line in found] == [
        "ambassade.crisis.demo",
        "ambassade.crisis.demo.x",
        "ambassade.inbox",
    ]
