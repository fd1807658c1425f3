"""Per-network publishing rules: how long a text is as each network counts it, what a post may carry,
Bluesky facets, LinkedIn's little-text escaping, thread splitting and UTM tagging.

Pure Python, no Django: the composer's live counters, the validation of each channel variant and the
connectors all call this package. The rules and their sources are in docs/publishing-rules.md.
"""

from ambassade.engine.publishing._counting import (
    TWITTER_V3,
    Measure,
    TwitterTextConfig,
    mastodon_length,
    measure,
    text_length,
    threads_length,
    x_weighted_length,
)
from ambassade.engine.publishing._entities import (
    Entity,
    EntityKind,
    extract_entities,
    extract_hashtags,
    extract_mentions,
    extract_urls,
)
from ambassade.engine.publishing._facets import Facet, bluesky_facets
from ambassade.engine.publishing._linkedin import (
    LITTLE_TEXT_RESERVED,
    escape_little_text,
    unescape_little_text,
)
from ambassade.engine.publishing._reddit import split_title
from ambassade.engine.publishing._rules import (
    DEFAULT_RULES,
    Counting,
    Limits,
    MediaKind,
    MediaRules,
    Network,
    NetworkRules,
    rules_for,
)
from ambassade.engine.publishing._threads import ThreadSplitError, split_thread
from ambassade.engine.publishing._unicode import (
    grapheme_length,
    graphemes,
    is_emoji,
    utf8_length,
    utf16_length,
)
from ambassade.engine.publishing._utm import Utm, add_utm, tag_url
from ambassade.engine.publishing._validation import (
    MESSAGES,
    Media,
    Problem,
    Severity,
    is_public_url,
    validate,
)

__all__ = [
    "DEFAULT_RULES",
    "LITTLE_TEXT_RESERVED",
    "MESSAGES",
    "TWITTER_V3",
    "Counting",
    "Entity",
    "EntityKind",
    "Facet",
    "Limits",
    "Measure",
    "Media",
    "MediaKind",
    "MediaRules",
    "Network",
    "NetworkRules",
    "Problem",
    "Severity",
    "ThreadSplitError",
    "TwitterTextConfig",
    "Utm",
    "add_utm",
    "bluesky_facets",
    "escape_little_text",
    "extract_entities",
    "extract_hashtags",
    "extract_mentions",
    "extract_urls",
    "grapheme_length",
    "graphemes",
    "is_emoji",
    "is_public_url",
    "mastodon_length",
    "measure",
    "rules_for",
    "split_thread",
    "split_title",
    "tag_url",
    "text_length",
    "threads_length",
    "unescape_little_text",
    "utf8_length",
    "utf16_length",
    "validate",
    "x_weighted_length",
]
