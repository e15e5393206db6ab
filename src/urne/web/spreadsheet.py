"""CSV files for French spreadsheets, written one way everywhere (rolls, émargement, sends, the
audit journal, import errors).

- `CSV_SEPARATOR`: French Excel reads ";" as its column separator (the comma is the decimal one).
- `inert_cell`: a cell a spreadsheet will not run. One starting like a formula (=, +, -, @, a tab
  or a carriage return) gets a leading apostrophe, which Excel and LibreOffice show as text.
- `excel_csv(header, rows)`: the lines of such a file, streamed: UTF-8 with a byte order mark,
  ";" between cells, CRLF at each line's end, every cell made inert.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

CSV_SEPARATOR: Final = ";"

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> str:
    """`value` as a cell's text (None: empty), made inert if it starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def excel_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The file's text, line by line (the first with the byte order mark), without holding the
    rows in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")

    def line(cells: Sequence[object]) -> str:
        writer.writerow([inert_cell(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(row)
