"""Objects of workspace A for tests/test_access.py's URL walk (one post with a variant and a medium)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Personas

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00"
    b"IEND\xaeB`\x82"
)


def post_of_a(p: Personas) -> Any:
    from ambassade.publishing import authoring
    from ambassade.publishing.models import Post

    post = Post.objects.filter(workspace=p.workspace_a).first()
    if post is None:
        post = authoring.create_post(
            p.workspace_a, p.bob, text="A's post", connections=[p.connection]
        )
        authoring.add_media(
            post, p.bob, filename="a.png", content_type="image/png", data=PNG, alt_text="A dot"
        )
    return post


def variant_of_a(p: Personas) -> Any:
    return post_of_a(p).variants.get()


def media_of_a(p: Personas) -> Any:
    return post_of_a(p).media.get()
