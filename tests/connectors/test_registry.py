from __future__ import annotations

import ast
import logging
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from ambassade.connectors import registry
from ambassade.connectors.base import Capability, Connector, Listener

PLUGINS = [
    EntryPoint(
        "example", "tests.connectors.plugin_example:ExampleConnector", registry.ENTRY_POINT_GROUP
    ),
    EntryPoint(
        "rss", "tests.connectors.plugin_example:ExampleConnector", registry.ENTRY_POINT_GROUP
    ),
    EntryPoint("other", "tests.connectors.plugin_missing:Nothing", registry.ENTRY_POINT_GROUP),
    EntryPoint("wrong", "tests.connectors.plugin_example:WrongKind", registry.ENTRY_POINT_GROUP),
    EntryPoint("junk", "tests.connectors.plugin_example:NotAConnector", registry.ENTRY_POINT_GROUP),
]


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def entry_points(group: str) -> list[EntryPoint]:
        assert group == "ambassade.connectors"
        return PLUGINS

    registry.reset()
    monkeypatch.setattr(registry, "entry_points", entry_points)
    yield
    registry.reset()


def test_it_lists_every_builtin_connector() -> None:
    registry.reset()
    found = registry.available()
    assert set(found) == {
        "rss",
        "mastodon",
        "bluesky",
        "reddit",
        "youtube",
        "hackernews",
        "x",
        "webhook",
        "file",
    }
    for kind, cls in found.items():
        assert cls.kind == kind and cls.label
        assert Capability.LISTEN in cls.capabilities
        if cls.delivery == "poll":
            connector = cls()
            try:
                assert isinstance(connector, Listener)
            finally:
                connector.close()


def test_it_adds_a_third_party_connector_through_the_entry_point(
    plugins: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    found = registry.available()
    assert found["example"].__name__ == "ExampleConnector"
    assert (
        found["rss"].__module__ == "ambassade.connectors.rss.client"
    )  # a built-in is not replaced
    assert "other" not in found and "wrong" not in found and "junk" not in found
    assert "is a built-in kind" in caplog.text
    assert "could not be loaded" in caplog.text
    connector = registry.get("example")()
    try:
        assert connector.fetch({}, None, None).items[0].text == "hello"
    finally:
        connector.close()


def test_it_names_an_unknown_kind() -> None:
    with pytest.raises(registry.UnknownConnector, match="'myspace'"):
        registry.get("myspace")


def test_no_connector_imports_django() -> None:
    root = Path(registry.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top != "django", f"{path} imports {name}"
                if top == "ambassade":
                    assert name.startswith(("ambassade.connectors", "ambassade.engine")), (
                        f"{path} imports {name}: connectors import only the engine"
                    )


def test_a_connector_is_typed_by_its_base() -> None:
    assert issubclass(registry.get("rss"), Connector)
