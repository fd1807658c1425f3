"""Ambassador missions: whether a message completes a mission, and why.

A mission asks an ambassador to do one thing the listening stream can see:

- ``share`` a post: their message links to it (URL match after normalisation, short links of the
  brand's own followed) or quotes it (the quoted post's id, where the network gives it);
- ``answer`` a question: their message replies to it (its parent or thread is the question's id), or
  links to it;
- ``review`` a product: their message speaks of the product (the app's product matcher linked it)
  and is a review (the network says so) or long enough to be one;
- ``hashtag``: their message carries the hashtag (case and accents aside, as the query ``#tag``).

>>> from ambassade.engine.missions import Mission, Post, MissionMatcher
>>> matcher = MissionMatcher([Mission("1", "share", url="https://cafe.example/blog/new?utm_source=x")])
>>> [(m.mission, m.evidence) for m in matcher.match(Post(text="read https://www.cafe.example/blog/new/"))]
[('1', 'mission.linked')]
"""

from ambassade.engine.missions._match import (
    KINDS,
    REVIEW_MIN_WORDS,
    Match,
    Mission,
    MissionMatcher,
    Post,
    links_in,
    normalise_url,
)

__all__ = [
    "KINDS",
    "REVIEW_MIN_WORDS",
    "Match",
    "Mission",
    "MissionMatcher",
    "Post",
    "links_in",
    "normalise_url",
]
