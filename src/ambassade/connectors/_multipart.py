"""multipart/form-data bodies for the publishers that upload files in the same request."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

__all__ = ["Part", "encode"]

Part = tuple[str, str | None, str | None, bytes]  # name, filename, content type, data


def _clean(value: str) -> str:
    return value.replace('"', "").replace("\r", "").replace("\n", "")


def encode(parts: Sequence[Part]) -> tuple[str, bytes]:
    """The Content-Type header and the body."""
    boundary = "ambassade-" + secrets.token_hex(12)
    chunks: list[bytes] = []
    for name, filename, content_type, data in parts:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_clean(name)}"'
        if filename is not None:
            head += f'; filename="{_clean(filename) or "file"}"'
        head += "\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode() + b"\r\n" + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(chunks)
