"""The rows of an Excel workbook's first sheet as text cells, read by openpyxl in streaming mode,
possibly in a child process of its own.

openpyxl spends about 90 µs of Python per row of nine cells: for a million rows, a minute and a
half of one core, as much as all the rest of an import. `urne.campaign.import_parse` therefore
reads a workbook that is a file on disk through `python -m urne.campaign.xlsx_rows FILE`, on the
machine's other core, while it checks and stores the rows already read; the child sends them
in batches (pickled: the child is this very code, the channel a pipe between the two). No
Django here, so that the child starts at once.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import IO, Final

import openpyxl

BATCH: Final = 2000


def cell_text(value: object) -> str:
    """A workbook cell as the CSV would have it: a date as JJ/MM/AAAA, a whole number without
    ".0", a formula as its text (=...), an empty cell as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}" if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_rows(source: str | IO[bytes]) -> Iterator[list[str]]:
    """The first sheet's rows, streamed (openpyxl's read-only mode: a row in memory at a
    time), each as its cells' text. Formulas are read as written (=...), not as their last
    computed value, so that the import's checks see them. Empty cells past the header's last
    column are dropped; missing ones at the end of a row are empty.

    Raises whatever openpyxl raises for a file that is not a workbook it can read.
    """
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=False)
    try:
        width = 0
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True)):
            cells = [cell_text(value) for value in row]
            while cells and not cells[-1]:
                cells.pop()
            if number == 0:
                width = len(cells)
            elif len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            yield cells
    finally:
        workbook.close()


def main(path: str, out: IO[bytes]) -> int:
    """Send the rows of the workbook at `path` to `out`: pickled lists of rows, then None at
    the end; on failure, the exception's class name as a string (the parent words it)."""
    batch: list[list[str]] = []
    try:
        # Opened here and given as a stream: openpyxl refuses a path whose name does not end in
        # .xlsx, and the back office stores uploads under a name of its own (the content, not
        # the name, says what a file is).
        with open(path, "rb") as source:
            for cells in sheet_rows(source):
                batch.append(cells)
                if len(batch) >= BATCH:
                    pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                    batch = []
    except Exception as error:  # any failure means one thing to staff: not a readable workbook
        pickle.dump(type(error).__name__, out)
        return 1
    if batch:
        pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump(None, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.stdout.buffer))
