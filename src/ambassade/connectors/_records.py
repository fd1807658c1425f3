"""Building RawItems from flat, untrusted values (a webhook's JSON, a file's row), field by field, so
that every problem names the field it comes from."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from ambassade.connectors._text import html_to_text, sanitize_html
from ambassade.connectors.base import (
    EARLIEST,
    LATEST,
    MAX_FOLLOWERS,
    MAX_METRIC,
    Author,
    ItemKind,
    RawItem,
)
from ambassade.engine.messages import Param, Params, check_code, check_params

__all__ = ["FIELDS", "FieldProblem", "build_item", "parse_when"]

#: Every field a webhook item or an import mapping may fill; ``metrics.<name>`` adds a counter.
FIELDS = (
    "id",
    "text",
    "created_at",
    "url",
    "html",
    "lang",
    "kind",
    "parent_id",
    "thread_id",
    "author_handle",
    "author_name",
    "author_id",
    "author_url",
    "author_followers",
)
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",  # 2015-02-24 11:35:52 -0800
    "%a %b %d %H:%M:%S %z %Y",  # Tue Feb 24 11:35:52 +0000 2015 (Twitter's classic format)
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


class FieldProblem(ValueError):
    """A field's value that cannot be imported: ``message`` in English, ``code`` and ``params``
    for the product to word (``field`` is named apart)."""

    def __init__(
        self, field: str, message: str, code: str, params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = check_code(code)
        self.params: Params = check_params(params)


def parse_when(value: Any, zone: tzinfo = UTC, fmt: str | None = None) -> datetime:
    """ISO 8601, the common export formats, or epoch seconds; a naive time is in ``zone``."""
    if isinstance(value, bool):
        raise ValueError("not a date")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value).strip()
    if not text:
        raise ValueError("the date is empty")
    parsed: datetime | None = None
    if fmt:
        parsed = datetime.strptime(text, fmt)
    else:
        with contextlib.suppress(ValueError, OverflowError, OSError):
            parsed = datetime.fromtimestamp(float(text), UTC)
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
            except ValueError:
                for candidate in DATE_FORMATS:
                    try:
                        parsed = datetime.strptime(text, candidate)
                        break
                    except ValueError:
                        continue
        if parsed is None:
            raise ValueError(
                f"{text!r} is not a date (ISO 8601 expected, e.g. 2025-06-11T08:00:00Z)"
            )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _optional_text(values: Mapping[str, Any], field: str) -> str:
    value = values.get(field)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise FieldProblem(field, "must be text, not a list or an object", "import.not_text")
    return str(value).strip()


def build_item(
    values: Mapping[str, Any],
    *,
    source: str,
    zone: tzinfo = UTC,
    date_format: str | None = None,
    default_kind: ItemKind = ItemKind.POST,
    default_created_at: datetime | None = None,
    raw: Mapping[str, Any] | None = None,
) -> RawItem:
    """``values`` maps the names of :data:`FIELDS` (and ``metrics.*``) to raw values.
    Raises :class:`FieldProblem` naming the first bad field."""
    text = _optional_text(values, "text")
    html = _optional_text(values, "html")
    if not text and html:
        text = html_to_text(html)
    if not text:
        raise FieldProblem("text", "is missing or empty", "import.empty")
    created_value = values.get("created_at")
    if created_value in (None, ""):
        if default_created_at is None:
            raise FieldProblem("created_at", "is missing", "import.missing")
        created_at = default_created_at
    else:
        try:
            created_at = parse_when(created_value, zone, date_format)
        except (ValueError, OverflowError, OSError) as exc:
            raise FieldProblem(
                "created_at", str(exc), "import.not_a_date", {"value": str(created_value)}
            ) from None
        if not EARLIEST <= created_at < LATEST:
            raise FieldProblem(
                "created_at",
                f"{created_at.isoformat()} is out of range "
                f"({EARLIEST.date().isoformat()} to {LATEST.date().isoformat()})",
                "import.date_out_of_range",
                {
                    "value": created_at.isoformat(),
                    "earliest": EARLIEST.date().isoformat(),
                    "latest": LATEST.date().isoformat(),
                },
            )
    kind_value = _optional_text(values, "kind") or default_kind.value
    try:
        kind = ItemKind(kind_value.lower())
    except ValueError:
        allowed = ", ".join(k.value for k in ItemKind)
        raise FieldProblem(
            "kind",
            f"{kind_value!r} is not one of {allowed}",
            "import.bad_kind",
            {"value": kind_value, "allowed": allowed},
        ) from None
    followers: int | None = None
    followers_value = values.get("author_followers")
    if followers_value not in (None, ""):
        try:
            followers = int(str(followers_value).strip())
        except ValueError:
            raise FieldProblem(
                "author_followers",
                f"{followers_value!r} is not a whole number",
                "import.not_whole",
                {"value": str(followers_value)},
            ) from None
        if followers < 0:
            raise FieldProblem("author_followers", "cannot be negative", "import.negative")
        if followers > MAX_FOLLOWERS:
            raise FieldProblem(
                "author_followers",
                f"is larger than {MAX_FOLLOWERS:,}",
                "import.too_large",
                {"limit": MAX_FOLLOWERS},
            )
    metrics: dict[str, int] = {}
    for field, value in values.items():
        if field.startswith("metrics.") and value not in (None, ""):
            try:
                number = int(str(value).strip())
            except ValueError:
                raise FieldProblem(
                    field,
                    f"{value!r} is not a whole number",
                    "import.not_whole",
                    {"value": str(value)},
                ) from None
            if not 0 <= number <= MAX_METRIC:
                raise FieldProblem(
                    field,
                    f"must be between 0 and {MAX_METRIC:,}",
                    "import.out_of_bounds",
                    {"limit": MAX_METRIC},
                )
            metrics[field.removeprefix("metrics.")] = number
    url = _optional_text(values, "url")
    if url and not url.startswith(("http://", "https://")):
        raise FieldProblem("url", "must start with http:// or https://", "import.bad_url")
    handle = _optional_text(values, "author_handle").lstrip("@")
    external_id = _optional_text(values, "id")
    if not external_id:
        # No id given: derive a stable one, so importing the same line twice stores it once.
        basis = "\x1f".join((text, created_at.isoformat(), handle, url))
        external_id = "sha1:" + hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()
    lang = _optional_text(values, "lang").lower() or None
    return RawItem(
        source=source,
        external_id=external_id,
        url=url,
        text=text,
        html=sanitize_html(html) if html else None,
        author=Author(
            handle=handle,
            name=_optional_text(values, "author_name"),
            id=_optional_text(values, "author_id"),
            url=_optional_text(values, "author_url"),
            followers=followers,
        ),
        created_at=created_at,
        lang=lang,
        parent_id=_optional_text(values, "parent_id") or None,
        thread_id=_optional_text(values, "thread_id") or None,
        kind=kind,
        metrics=metrics,
        raw=dict(raw if raw is not None else values),
    )
