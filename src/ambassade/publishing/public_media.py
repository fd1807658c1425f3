"""Public addresses of a post's media, for the networks that fetch media themselves.

Instagram and Threads take no upload: their servers download each image or video from an address
given in the call. ``public_url(media)`` is that address, ``BASE_URL/m/<token>``: the token is the
medium's id signed with the installation's secret key (``django.core.signing``), so it cannot be
guessed or derived from another medium's. ``media_for(token)`` serves it only while one of the
post's channels is in the outbox or published: a draft, or a post taken back, is not public.
The outbox gives each publisher the address in ``MediaUpload.public_url``, and the composer checks
it (``services._engine_media``): with a ``BASE_URL`` the internet cannot reach, a post with media
for Instagram or Threads is refused before it is scheduled, with a message that names
``AMBASSADE_BASE_URL``.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef
from django.urls import reverse

from ambassade.publishing.models import IN_OUTBOX, Media, Status, Variant
from ambassade.workspaces.params import parse_id

__all__ = ["media_for", "public_url", "token_for"]

_SALT = "ambassade.publishing.public-media"
#: A channel in one of these states makes the post's media public.
SERVED = frozenset({*IN_OUTBOX, Status.PUBLISHED})


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=".")


def token_for(media: Media) -> str:
    return _signer().sign(str(media.pk))


def public_url(media: Media) -> str:
    path = reverse("publishing:public_media", kwargs={"media_token": token_for(media)})
    return f"{settings.BASE_URL}{path}"


def media_for(token: str) -> Media | None:
    """The medium the token names, if its post is scheduled or published; None otherwise."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    media_id = parse_id(value)
    if media_id is None:
        return None
    served = Variant.objects.filter(post=OuterRef("post"), status__in=list(SERVED))
    return Media.objects.filter(Exists(served), pk=media_id).first()
