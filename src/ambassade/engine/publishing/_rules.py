"""What each network accepts: one `NetworkRules` per network, with the defaults documented by the
network, and `Limits` to override them with what the network reports at run time."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Network(StrEnum):
    X = "x"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    THREADS = "threads"
    LINKEDIN = "linkedin"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    DISCORD = "discord"
    TELEGRAM = "telegram"
    REDDIT = "reddit"


class Counting(StrEnum):
    """How a network measures a text against its limit."""

    X_WEIGHTED = "x_weighted"  # twitter-text v3: weights by code point range, emoji 2, URLs 23
    GRAPHEMES = "graphemes"  # extended grapheme clusters (Bluesky; bytes checked apart)
    MASTODON = "mastodon"  # graphemes, URLs count `url_length`, remote mentions count "@user"
    THREADS = "threads"  # code points, each emoji its UTF-8 byte length
    CODE_POINTS = "code_points"
    UTF16 = "utf16"


class MediaKind(StrEnum):
    IMAGE = "image"
    GIF = "gif"
    VIDEO = "video"
    DOCUMENT = "document"


@dataclass(frozen=True)
class MediaRules:
    """Media a single post may carry. A `None` limit means the network documents none."""

    max_items: int
    # Kinds that may be combined in one post; a kind absent from every group cannot be posted.
    # X: four images, or one GIF, or one video: ({IMAGE}: 4, {GIF}: 1, {VIDEO}: 1).
    combinations: tuple[tuple[frozenset[MediaKind], int], ...]
    mime_types: frozenset[str]
    max_bytes: Mapping[MediaKind, int] = field(default_factory=dict)
    # Kinds for which the network stores a description that screen readers read (alt text).
    alt_text: frozenset[MediaKind] = frozenset()
    max_alt_text: int | None = None
    public_url: bool = False  # the network fetches the media itself from a public URL
    requires_media: bool = False  # no text-only post (Instagram)


@dataclass(frozen=True)
class NetworkRules:
    """What one network accepts in a post; `sources` are the documentation pages it comes from."""

    network: Network
    label: str
    counting: Counting
    max_length: int
    media: MediaRules
    max_bytes: int | None = None  # Bluesky: 3,000 bytes besides 300 graphemes
    max_caption_length: int | None = None  # Telegram: 1,024 for the caption of a media message
    url_length: int | None = None  # X, Mastodon: every URL counts this many characters
    max_hashtags: int | None = None
    # Whether too many hashtags is an error (refused) or a warning (the extra tags just don't link).
    hashtags_error: bool = True
    max_hashtag_length: int | None = None
    max_links: int | None = None
    max_title_length: int | None = None  # Reddit: posts have a title, required
    supports_threads: bool = False
    rejects_duplicates: bool = False  # LinkedIn answers 422 to a text identical to a recent post
    forbidden_characters: frozenset[str] = frozenset()  # X: U+FFFE, U+FEFF, U+FFFF
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Limits:
    """Limits read from the network at run time; each field left `None` keeps the default."""

    max_length: int | None = None
    url_length: int | None = None
    max_media: int | None = None
    mime_types: frozenset[str] | None = None
    max_image_bytes: int | None = None
    max_video_bytes: int | None = None
    max_alt_text: int | None = None

    @classmethod
    def from_mastodon_instance(cls, instance: Mapping[str, Any]) -> Limits:
        """Limits from a Mastodon server's `GET /api/v2/instance` (or v1) answer.

        Reads ``configuration.statuses.{max_characters, characters_reserved_per_url,
        max_media_attachments}`` and ``configuration.media_attachments.{supported_mime_types,
        image_size_limit, video_size_limit, description_limit}``, and the ``max_toot_chars`` that
        Pleroma, Akkoma and some Mastodon forks give instead; missing or ill-typed values keep the
        defaults, since forks and older servers omit some of them.
        """
        configuration = _mapping(instance.get("configuration"))
        statuses = _mapping(configuration.get("statuses"))
        media = _mapping(configuration.get("media_attachments"))
        mime_types = media.get("supported_mime_types")
        return cls(
            max_length=_positive(statuses.get("max_characters"))
            or _positive(instance.get("max_toot_chars")),
            url_length=_positive(statuses.get("characters_reserved_per_url")),
            max_media=_positive(statuses.get("max_media_attachments")),
            mime_types=(
                frozenset(str(item) for item in mime_types)
                if isinstance(mime_types, list) and mime_types
                else None
            ),
            max_image_bytes=_positive(media.get("image_size_limit")),
            max_video_bytes=_positive(media.get("video_size_limit")),
            max_alt_text=_positive(media.get("description_limit")),
        )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _positive(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


_IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})
_MP4 = frozenset({"video/mp4", "video/quicktime"})
_GIF = frozenset({"image/gif"})
_I, _G, _V, _D = MediaKind.IMAGE, MediaKind.GIF, MediaKind.VIDEO, MediaKind.DOCUMENT
MB = 1024 * 1024

DEFAULT_RULES: Mapping[Network, NetworkRules] = {
    rules.network: rules
    for rules in (
        NetworkRules(
            Network.X,
            "X",
            Counting.X_WEIGHTED,
            max_length=280,
            url_length=23,
            supports_threads=True,
            # twitter-text's invalid characters: a post holding one is refused.
            forbidden_characters=frozenset("\ufffe\ufeff\uffff"),
            media=MediaRules(
                max_items=4,
                combinations=((frozenset({_I}), 4), (frozenset({_G}), 1), (frozenset({_V}), 1)),
                mime_types=_IMAGES | _GIF | _MP4,
                max_bytes={_I: 5 * MB, _G: 15 * MB, _V: 512 * MB},
                alt_text=frozenset({_I, _G, _V}),
                max_alt_text=1000,
            ),
            sources=(
                "https://docs.x.com/resources/fundamentals/counting-characters",
                "https://github.com/twitter/twitter-text/blob/master/config/v3.json",
                "https://docs.x.com/x-api/media/introduction",
            ),
        ),
        NetworkRules(
            Network.BLUESKY,
            "Bluesky",
            Counting.GRAPHEMES,
            max_length=300,
            max_bytes=3000,
            max_hashtags=8,
            hashtags_error=False,
            max_hashtag_length=64,
            supports_threads=True,
            media=MediaRules(
                max_items=4,
                combinations=((frozenset({_I, _G}), 4), (frozenset({_V}), 1)),
                mime_types=_IMAGES | _GIF | frozenset({"video/mp4", "video/webm", "video/mpeg"}),
                max_bytes={_I: 1_000_000, _G: 1_000_000, _V: 100_000_000},
                alt_text=frozenset({_I, _G, _V}),
            ),
            sources=(
                "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json",
                "https://docs.bsky.app/docs/advanced-guides/post-richtext",
                "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json",
            ),
        ),
        NetworkRules(
            Network.MASTODON,
            "Mastodon",
            Counting.MASTODON,
            max_length=500,
            url_length=23,
            supports_threads=True,
            media=MediaRules(
                max_items=4,
                # "up to 4 images or 1 video": PostStatusService refuses a video among images.
                combinations=((frozenset({_I, _G}), 4), (frozenset({_V}), 1)),
                mime_types=_IMAGES | _GIF | _MP4 | frozenset({"image/avif", "video/webm"}),
                max_bytes={_I: 16 * MB, _G: 16 * MB, _V: 99 * MB},
                alt_text=frozenset({_I, _G, _V}),
                max_alt_text=1500,
            ),
            sources=(
                "https://docs.joinmastodon.org/entities/Instance/#statuses",
                "https://github.com/mastodon/mastodon/blob/main/app/validators/status_length_validator.rb",
            ),
        ),
        NetworkRules(
            Network.THREADS,
            "Threads",
            Counting.THREADS,
            max_length=500,
            max_hashtags=1,
            hashtags_error=False,
            max_links=5,
            supports_threads=True,
            media=MediaRules(
                max_items=20,
                combinations=((frozenset({_I, _V}), 20),),
                mime_types=frozenset({"image/jpeg", "image/png"}) | _MP4,
                max_bytes={_I: 8 * MB, _V: 1024 * MB},
                alt_text=frozenset({_I, _V}),
                public_url=True,
            ),
            sources=(
                "https://developers.facebook.com/docs/threads/posts",
                "https://developers.facebook.com/docs/threads/create-posts/text-attachments",
            ),
        ),
        NetworkRules(
            Network.LINKEDIN,
            "LinkedIn",
            Counting.UTF16,
            max_length=3000,
            rejects_duplicates=True,
            media=MediaRules(
                max_items=20,
                combinations=(
                    (frozenset({_I, _G}), 20),
                    (frozenset({_V}), 1),
                    (frozenset({_D}), 1),
                ),
                mime_types=_IMAGES
                | _GIF
                | _MP4
                | frozenset(
                    {"application/pdf", "application/msword", "application/vnd.ms-powerpoint"}
                ),
                max_bytes={_V: 5 * 1024 * MB, _D: 100 * MB},
                alt_text=frozenset({_I, _G}),
            ),
            sources=(
                "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api",
                "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format",
            ),
        ),
        NetworkRules(
            Network.INSTAGRAM,
            "Instagram",
            Counting.CODE_POINTS,
            max_length=2200,
            max_hashtags=5,
            media=MediaRules(
                max_items=10,
                combinations=((frozenset({_I, _V}), 10),),
                mime_types=frozenset({"image/jpeg"}) | _MP4,
                max_bytes={_I: 8 * MB, _V: 300 * MB},
                alt_text=frozenset({_I}),
                public_url=True,
                requires_media=True,
            ),
            sources=(
                "https://developers.facebook.com/docs/instagram-platform/content-publishing/",
                "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media",
            ),
        ),
        NetworkRules(
            Network.FACEBOOK,
            "Facebook page",
            Counting.CODE_POINTS,
            max_length=63206,
            media=MediaRules(
                max_items=10,
                combinations=((frozenset({_I, _G}), 10), (frozenset({_V}), 1)),
                mime_types=_IMAGES | _GIF | _MP4,
                max_bytes={_I: 10 * MB, _G: 10 * MB, _V: 10 * 1024 * MB},
                alt_text=frozenset({_I, _G}),
            ),
            sources=("https://developers.facebook.com/docs/pages-api/posts",),
        ),
        NetworkRules(
            Network.DISCORD,
            "Discord",
            Counting.CODE_POINTS,
            max_length=2000,
            media=MediaRules(
                max_items=10,
                combinations=((frozenset({_I, _G, _V, _D}), 10),),
                mime_types=frozenset(),  # any file type
                max_bytes={_I: 10 * MB, _G: 10 * MB, _V: 10 * MB, _D: 10 * MB},
                alt_text=frozenset({_I, _G, _V}),
                max_alt_text=1024,
            ),
            sources=(
                "https://discord.com/developers/docs/resources/message#create-message",
                "https://discord.com/developers/docs/reference#uploading-files",
            ),
        ),
        NetworkRules(
            Network.TELEGRAM,
            "Telegram channel",
            Counting.UTF16,
            max_length=4096,
            max_caption_length=1024,
            media=MediaRules(
                max_items=10,
                combinations=(
                    (frozenset({_I, _V}), 10),
                    (frozenset({_G}), 1),
                    (frozenset({_D}), 10),
                ),
                mime_types=frozenset(),
                max_bytes={_I: 10 * MB, _G: 50 * MB, _V: 50 * MB, _D: 50 * MB},
            ),
            sources=(
                "https://core.telegram.org/bots/api#sendmessage",
                "https://core.telegram.org/bots/api#sendphoto",
                "https://core.telegram.org/bots/api#sendmediagroup",
            ),
        ),
        NetworkRules(
            Network.REDDIT,
            "Reddit",
            Counting.CODE_POINTS,
            max_length=40000,
            max_title_length=300,
            # What Ambassade's publisher sends: one image, a gallery of 2 to 20, or one GIF. Reddit
            # takes videos too, but with a poster image Ambassade does not make. A gallery item's
            # caption is visible text, not alt text: the medium's alt text goes there, unchecked.
            media=MediaRules(
                max_items=20,
                combinations=((frozenset({_I}), 20), (frozenset({_G}), 1)),
                mime_types=frozenset({"image/jpeg", "image/png"}) | _GIF,
                max_bytes={_I: 20 * MB, _G: 100 * MB},
            ),
            sources=(
                "https://www.reddit.com/dev/api/#POST_api_submit",
                "https://praw.readthedocs.io/en/stable/code_overview/models/subreddit.html",
            ),
        ),
    )
}


def rules_for(network: Network | str, limits: Limits | None = None) -> NetworkRules:
    """The rules of `network`, with what `limits` says the network reported replacing defaults."""
    rules = DEFAULT_RULES[Network(network)]
    if limits is None:
        return rules
    media = rules.media
    max_bytes = dict(media.max_bytes)
    if limits.max_image_bytes is not None:
        max_bytes[_I] = max_bytes[_G] = limits.max_image_bytes
    if limits.max_video_bytes is not None:
        max_bytes[_V] = limits.max_video_bytes
    combinations = media.combinations
    if limits.max_media is not None:
        # The server's cap replaces the count of the groups that fill a post (Mastodon: 4 of any
        # kind) and bounds the others (X: one video stays one).
        cap = limits.max_media
        combinations = tuple(
            (kinds, cap if count == media.max_items else min(count, cap))
            for kinds, count in media.combinations
        )
    media = dataclasses.replace(
        media,
        max_items=limits.max_media if limits.max_media is not None else media.max_items,
        combinations=combinations,
        mime_types=limits.mime_types if limits.mime_types is not None else media.mime_types,
        max_bytes=max_bytes,
        max_alt_text=limits.max_alt_text if limits.max_alt_text is not None else media.max_alt_text,
    )
    return dataclasses.replace(
        rules,
        max_length=limits.max_length if limits.max_length is not None else rules.max_length,
        url_length=limits.url_length if limits.url_length is not None else rules.url_length,
        media=media,
    )
