"""The order lines of 明细 rendered as sheet XML: in this process, or in a helper process.

A year's 明细 holds a million rows and is about half the work of its workbook, and none of
the other sheets needs it. So `write_summary` has a helper process render it on a second core
(`rendered_elsewhere`) while this one computes the other figures and lays out their sheets;
`write_report` splices the parts in when it gets to 明细. Either way the rows are rendered
by `render_details`, into one file per sheet.

The helper is started with "spawn" on every platform (Windows has nothing else; fork would
copy an open database connection): it imports this package afresh and is handed only things
that pickle, the line stream as a `functools.partial` of a module-level function (see
kpis.details) and a folder name. As with anything that spawns, a script calling
`write_summary` at its top level must guard it with `if __name__ == "__main__":`.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from itertools import chain, islice
from multiprocessing.connection import Connection
from typing import Any

import xlsxwriter

from ..errors import SalesSheetsError
from ..formats.xlsx_rows import Rows
from .columns import DETAIL_AMOUNT, DETAIL_COLUMNS
from .model import DetailRow
from .sheet import FIRST_ROW
from .styles import VALUE_TYPES, Styles

Details = Callable[[], Iterable[DetailRow]]


@dataclass(frozen=True)
class DetailPart:
    """The data rows of one 明细 sheet, rendered into the file at `path`."""

    path: str
    size: int  # bytes
    count: int  # rows
    amount: Decimal  # the sum of their amounts, for the sheet's totals row


def render_details(details: Details, folder: str, per_sheet: int) -> list[DetailPart]:
    """Render the order lines into `folder`, one file for every `per_sheet` rows (one, empty,
    when there are none)."""
    with xlsxwriter.Workbook(BytesIO()) as scratch:  # Styles numbers these alike everywhere
        styles = Styles(scratch)
        numbers = {kind: styles.index(kind) for kind in VALUE_TYPES}
    kinds = [column.kind for column in DETAIL_COLUMNS]
    rows = iter(details())
    parts: list[DetailPart] = []
    while True:
        path = os.path.join(folder, f"details-{len(parts) + 1}.xml")
        with Rows(kinds, lambda kind, _variant: numbers[kind], FIRST_ROW,
                  file=open(path, "wb")) as fragment:  # Rows closes the file
            (amount,) = fragment.write(islice(rows, per_sheet), sums=(DETAIL_AMOUNT,))
        parts.append(DetailPart(path, fragment.size, fragment.count, amount))
        following = next(rows, None)
        if following is None:
            return parts
        rows = chain((following,), rows)


def can_start_helper() -> bool:
    """Whether this process may start a helper process: a daemonic one (a pool's worker) may
    not."""
    return not multiprocessing.current_process().daemon


@contextmanager
def rendered_elsewhere(details: Details,
                       per_sheet: int) -> Iterator[Callable[[], list[DetailPart]]]:
    """Start rendering the order lines in a helper process; yield the function that waits for
    its parts (call it once). The parts are valid until the end of the with block; leaving
    it early stops the helper.

    Args:
        details: the order-line stream; it must pickle (a partial of a module function).
        per_sheet: data rows per 明细 sheet.
    """
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="sales-sheets-") as folder:
        receive, send = context.Pipe(duplex=False)
        helper = context.Process(target=_helper, args=(send, details, folder, per_sheet),
                                 name="sales-sheets 明细", daemon=True)
        helper.start()
        send.close()  # the helper holds the sending end now: so its end is an EOF here
        try:
            yield lambda: _outcome(receive)
        finally:
            receive.close()
            if helper.is_alive():  # the workbook failed before it took the parts
                helper.terminate()
            helper.join()


def _helper(send: Connection, details: Details, folder: str, per_sheet: int) -> None:
    """The helper process: render, send the parts back, or the error."""
    outcome: Any
    try:
        outcome = render_details(details, folder, per_sheet)
    except SalesSheetsError as exc:
        outcome = exc
    except Exception as exc:  # noqa: BLE001 - the parent waits for an outcome: any failure
        # must reach it, not end the helper unseen. Handed back to the parent, which raises
        # it; not every exception survives pickling, its text does.
        outcome = SalesSheetsError("rendering 明细 in a helper process failed: "
                                   + "".join(traceback.format_exception(exc)))
    send.send(outcome)
    send.close()


def _outcome(receive: Connection) -> list[DetailPart]:
    try:
        outcome = receive.recv()
    except EOFError:
        raise SalesSheetsError("the helper process rendering 明细 ended without a result "
                               "(killed, or out of memory?)") from None
    if isinstance(outcome, SalesSheetsError):
        raise outcome
    parts: list[DetailPart] = outcome
    return parts
