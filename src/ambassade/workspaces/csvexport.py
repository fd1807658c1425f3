"""The one CSV writer of the product's downloads, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets (CSV injection: ``=HYPERLINK(…)`` in a mention's text, or in
an author's name, a source's name, a URL). Every text cell written here gets a leading ``'`` in that
case, which spreadsheets show as text; numbers are written as numbers. ``tests/test_csv_export.py``
checks that no other module of the product writes CSV for people to download.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse

__all__ = ["FORMULA_STARTS", "csv_response", "neutralise", "rows_as_csv"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def rows_as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV lines of ``header`` then ``rows``, every text cell neutralised; the first line starts
    with a byte-order mark so that Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A download streamed row by row (any size, constant memory)."""
    response = StreamingHttpResponse(
        rows_as_csv(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
