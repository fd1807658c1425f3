"""The answering side of the contract: each responder implements the protocols of what it declares,
and docs/connectors.md's table says what the code declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ambassade.connectors.base import (
    Capability,
    ConversationReader,
    Messenger,
    Replier,
)
from ambassade.connectors.responders import (
    RESPONDERS,
    UnknownResponder,
    capabilities,
    get_responder,
)

DOC = Path(__file__).parents[3] / "docs" / "connectors.md"
COLUMNS = [
    Capability.LISTEN,
    Capability.PUBLISH,
    Capability.REPLY,
    Capability.DIRECT_MESSAGES,
    Capability.CONVERSATION,
    Capability.MODERATE,
    Capability.METRICS,
]
PROTOCOLS = {
    Capability.REPLY: Replier,
    Capability.DIRECT_MESSAGES: Messenger,
    Capability.CONVERSATION: ConversationReader,
}


@pytest.mark.parametrize("network", sorted(RESPONDERS))
def test_each_responder_implements_what_it_declares(network: str) -> None:
    cls = get_responder(network)
    declared = cls.capabilities & set(PROTOCOLS)
    assert declared, f"{network} answers nothing"
    instance = cls()
    for capability in declared:
        assert isinstance(instance, PROTOCOLS[capability]), (network, capability)
    instance.close()


def test_an_unknown_network_has_no_responder() -> None:
    with pytest.raises(UnknownResponder):
        get_responder("myspace")


def test_the_documented_table_is_what_the_code_declares() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- capabilities:", 1)[1].split("\n\n", 1)[0]
    documented: dict[str, frozenset[Capability]] = {}
    for line in table.splitlines():
        found = re.match(r"\| `([a-z_]+)` \|(.*)\|$", line)
        if not found:
            continue
        cells = [cell.strip() for cell in found.group(2).split("|")]
        assert len(cells) == len(COLUMNS), line
        assert set(cells) <= {"yes", "—"}, line
        documented[found.group(1)] = frozenset(
            capability for capability, cell in zip(COLUMNS, cells, strict=True) if cell == "yes"
        )
    assert documented == capabilities()
