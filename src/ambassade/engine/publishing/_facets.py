"""Bluesky rich-text facets: links, mentions and hashtags located by UTF-8 byte offsets.

Bluesky's record stores plain text plus facets whose ``index`` is a half-open range of UTF-8 bytes
(https://docs.bsky.app/docs/advanced-guides/post-richtext). Mentions point at a DID, which only the
network can tell: `bluesky_facets` returns the handle and the connector resolves it
(``com.atproto.identity.resolveHandle``) before calling `Facet.as_record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ambassade.engine.publishing._entities import EntityKind, extract_entities
from ambassade.engine.publishing._rules import Network
from ambassade.engine.publishing._unicode import grapheme_length

MAX_TAG_GRAPHEMES = 64

_FEATURE_TYPES = {
    EntityKind.URL: "app.bsky.richtext.facet#link",
    EntityKind.MENTION: "app.bsky.richtext.facet#mention",
    EntityKind.HASHTAG: "app.bsky.richtext.facet#tag",
}


@dataclass(frozen=True)
class Facet:
    kind: EntityKind
    byte_start: int
    byte_end: int
    value: str  # the URI, the handle (not yet a DID) or the tag without "#"

    def as_record(self, did: str | None = None) -> dict[str, Any]:
        """The facet as the ``app.bsky.richtext.facet`` lexicon wants it; a mention needs `did`."""
        if self.kind is EntityKind.URL:
            feature: dict[str, Any] = {"uri": self.value}
        elif self.kind is EntityKind.HASHTAG:
            feature = {"tag": self.value}
        else:
            if not did:
                raise ValueError(f"the mention of @{self.value} needs the DID of that handle")
            feature = {"did": did}
        return {
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": self.byte_start, "byteEnd": self.byte_end},
            "features": [{"$type": _FEATURE_TYPES[self.kind], **feature}],
        }


def bluesky_facets(text: str) -> list[Facet]:
    """The link, mention and hashtag facets of `text`, in order, with UTF-8 byte offsets."""
    # The lexicon caps a tag at 64 graphemes: a longer one would make the record invalid, and
    # Bluesky's own clients leave it as plain text.
    entities = [
        entity
        for entity in extract_entities(text, Network.BLUESKY)
        if entity.kind is not EntityKind.HASHTAG
        or grapheme_length(entity.value) <= MAX_TAG_GRAPHEMES
    ]
    facets: list[Facet] = []
    # Byte offsets by walking the text once, entity after entity.
    position = byte_position = 0
    for entity in entities:
        byte_start = byte_position + _bytes(text, position, entity.start)
        byte_end = byte_start + _bytes(text, entity.start, entity.end)
        facets.append(Facet(entity.kind, byte_start, byte_end, entity.value))
        position, byte_position = entity.end, byte_end
    return facets


def _bytes(text: str, start: int, end: int) -> int:
    return len(text[start:end].encode("utf-8", "surrogatepass"))
