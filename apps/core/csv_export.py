"""CSV exports a spreadsheet cannot turn into formulas (CSV / formula injection, OWASP).

Every CSV the project serves goes through `csv_response`, which passes every cell through `csv_safe`. A text
cell that starts with a character a spreadsheet reads as the start of a formula (`=`, `+`, `-`, `@`, tab,
carriage return, and their full-width forms, which some spreadsheets accept too) is prefixed with a single
quote, so a supplier named `=HYPERLINK("http://evil", "Invoice")` is shown as that text and never run.

Numbers are written as numbers: an `int` or a finite `Decimal`/`float` is a real numeric value whose text is
only a numeral (`-1250`, `-12.50`, `1E+3`), which a spreadsheet reads as a number and never as a formula,
and finance needs negative amounts to stay numbers it can sum. The decision is taken on the value's type,
never on its text: the *string* "-12.50" (a name someone typed) is escaped like any other text.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False  # True/False are written as text (and "True" cannot start a formula anyway)
    if isinstance(value, int):
        return True
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def csv_safe(value: object) -> object:
    """One cell as a spreadsheet should read it: numbers unchanged, text never a formula, None empty."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_safe_row(row: Iterable[object]) -> list[object]:
    return [csv_safe(value) for value in row]


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_response(*, filename: str, rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """Streams `rows` (the header first) as a CSV attachment, every cell through csv_safe."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(csv_safe_row(row)) for row in rows), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_write(stream, rows: Iterable[Iterable[object]]) -> int:
    """Writes `rows` (the header first) to a text stream (a file in an export archive), every cell through
    csv_safe; returns how many rows came after the header."""
    writer = csv.writer(stream)
    written = -1
    for row in rows:
        writer.writerow(csv_safe_row(row))
        written += 1
    return max(written, 0)
