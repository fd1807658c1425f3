"""Publishing sits below crisis (the crisis app holds posts during a crisis and reads the outbox):
publishing imports nothing of crisis, at any depth, and reaches the notification centre through
the notifier crisis registers (docs/architecture.md, "Dependencies point one way")."""

from __future__ import annotations

import ast
from pathlib import Path

import ambassade.publishing
from ambassade.crisis import services as crisis_services
from ambassade.publishing import notices

PUBLISHING = Path(ambassade.publishing.__file__).parent


def _crisis_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [
            f"{path.relative_to(PUBLISHING)}:{node.lineno}: {name}"  # type: ignore[attr-defined]
            for name in names
            if name == "ambassade.crisis" or name.startswith("ambassade.crisis.")
        ]
    return found


def test_it_imports_nothing_of_crisis() -> None:
    modules = sorted(PUBLISHING.rglob("*.py"))
    assert len(modules) > 10
    found = [line for path in modules for line in _crisis_imports(path)]
    assert not found, "publishing imports the crisis app:\n" + "\n".join(found)


def test_crisis_registers_its_notification_centre() -> None:
    assert [crisis_services.notify_people] == notices.NOTIFIERS
