"""The Reddit media rules say what the Reddit publisher sends: one image, a gallery of 2 to 20
JPEG or PNG images, or one GIF; no video (Reddit's video posts need a poster image)."""

from __future__ import annotations

from ambassade.engine.publishing import Media, MediaKind, Network, Problem, validate

TEXT = "Nouvelle carte d'automne\nTout est fait maison."


def image(mime: str = "image/jpeg", size: int = 100_000, alt: str = "") -> Media:
    return Media(MediaKind.IMAGE, mime, size, alt)


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


def test_one_image_or_a_gallery_of_twenty_goes() -> None:
    assert validate(Network.REDDIT, TEXT, [image()]) == []
    assert validate(Network.REDDIT, TEXT, [image("image/png")] * 20) == []
    assert codes(validate(Network.REDDIT, TEXT, [image()] * 21)) == ["too_many_media"]


def test_a_gif_goes_alone() -> None:
    gif = Media(MediaKind.GIF, "image/gif", 2_000_000)
    assert validate(Network.REDDIT, TEXT, [gif]) == []
    assert codes(validate(Network.REDDIT, TEXT, [gif, image()])) == ["media_mix_not_allowed"]


def test_videos_and_other_images_are_refused() -> None:
    video = Media(MediaKind.VIDEO, "video/mp4", 1_000_000)
    assert codes(validate(Network.REDDIT, TEXT, [video])) == ["media_kind_not_supported"]
    assert codes(validate(Network.REDDIT, TEXT, [image("image/webp")])) == [
        "media_type_not_supported"
    ]
    assert codes(validate(Network.REDDIT, TEXT, [image(size=21 * 1024 * 1024)])) == [
        "media_too_large"
    ]


def test_no_alt_text_warning_as_reddit_has_no_alt_text() -> None:
    """A gallery caption is visible text, not a description for screen readers: a medium without
    alt text is not flagged for Reddit."""
    assert validate(Network.REDDIT, TEXT, [image(alt="")] * 2) == []
