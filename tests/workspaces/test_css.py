"""The shared stylesheet lets ``hidden`` hide: no class's ``display`` shows a hidden element (a
``.button`` with ``hidden`` stayed visible), checked on the stylesheets' text, without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import ambassade

ROOT = Path(ambassade.__file__).parent
SHARED = ROOT / "static" / "ambassade" / "ambassade.css"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _rules(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    text = re.sub(r"@media[^{]*\{", "", text)  # media blocks: their rules, flattened
    return [(s.strip(), body) for s, body in RULE.findall(text)]


def _stylesheets() -> list[Path]:
    return [p for p in ROOT.rglob("*.css") if "vendor" not in p.parts]


def test_it_hides_hidden_elements_whatever_their_class() -> None:
    rules = _rules(SHARED)
    hidden = [i for i, (selector, _body) in enumerate(rules) if selector == "[hidden]"]
    assert hidden, "ambassade.css has no [hidden] rule"
    body = rules[hidden[-1]][1]
    assert re.search(r"display\s*:\s*none\s*!important", body)
    # Later in the file than every other rule that sets display with !important (equal specificity:
    # the later one wins).
    important = [
        i
        for i, (_s, body) in enumerate(rules)
        if re.search(r"display\s*:[^;]*!important", body) and i != hidden[-1]
    ]
    assert all(i < hidden[-1] for i in important)


def test_no_stylesheet_forces_a_display_over_hidden() -> None:
    """An app's stylesheet comes after the shared one: a ``display: … !important`` there would beat
    ``[hidden]`` again."""
    offenders = [
        f"{path.relative_to(ROOT)}: {selector}"
        for path in _stylesheets()
        if path != SHARED
        for selector, body in _rules(path)
        if re.search(r"display\s*:\s*(?!none)[^;]*!important", body)
    ]
    assert offenders == []
    assert len(_stylesheets()) > 10  # the walk found the apps' stylesheets
