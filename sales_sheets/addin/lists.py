"""Refresh lists: the drop-downs of an open template, filled again from the current ledger."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..formats.cells import set_text
from ..formats.safety import inspect_file
from ..forms.grid import open_workbook
from ..forms.meta import LISTS_SHEET, META_SHEET, list_name, list_range, parse_meta
from ..kinds import KINDS
from ..ledger import Ledger
from ..text import Text
from ..workspace import Workspace
from .messages import AddinError

# openpyxl is imported by the button that refreshes lists, not by the add-in's other buttons,
# which import this module too: it costs any button's start about 0.2 s.
if TYPE_CHECKING:
    from openpyxl.workbook import Workbook as OpenpyxlWorkbook

_COUNT = Text("{label} {n} 个", "{label} {n}")
_SEPARATOR = Text("，", ", ")


@dataclass(frozen=True)
class ListUpdate:
    """New values for one list on the `_lists` sheet, and the extent of its defined name."""

    key: str
    label: str
    column: int  # 0-based column on `_lists`
    values: tuple[str, ...]
    stale_rows: int  # rows the earlier values took below the heading, to clear first

    @property
    def name(self) -> str:
        return list_name(self.key)

    @property
    def refers_to(self) -> str:
        return f"={list_range(self.column, len(self.values))}"


@dataclass(frozen=True)
class ListRefresh:
    updates: tuple[ListUpdate, ...]

    def summary(self, language: str) -> str:
        return _SEPARATOR(language).join(
            _COUNT.format(language, label=u.label, n=len(u.values)) for u in self.updates)


def plan_list_refresh(workspace: Workspace, path: Path) -> ListRefresh:
    """The master-data lists of the template at `path` (customers, products, salespeople), and
    what its fields offer (see `Offer`): from the ledger's documents (open orders) and master
    data (budget owners) as the ledger has them now, from the settings (expense categories) as
    config.toml has them. The choice lists (delivery method, say) are fixed and left."""
    fmt, _problems = inspect_file(path, workspace.settings.limits)
    if fmt is None:
        raise AddinError("not_a_template")
    with open_workbook(path, fmt) as (grid, _problems):
        if grid is None or META_SHEET not in grid.sheets or LISTS_SHEET not in grid.sheets:
            raise AddinError("not_a_template")
        meta = parse_meta(grid.sheets[META_SHEET], KINDS)
        lists = grid.sheets[LISTS_SHEET]
    if meta.kind is None:
        raise AddinError("not_a_template")
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    defined = set(book.defined_names)
    book.close()
    headings = [str(v) if v is not None else "" for v in (lists[0] if lists else [])]
    with Ledger.of(workspace).connect() as books:
        current = books.drop_down_lists(meta.kind, workspace.settings)
    updates = []
    for f in meta.kind.fields:
        source = f.list_source
        if source is None or f.key not in headings:
            continue
        if list_name(f.key) not in defined:
            # Made before drop-downs referred to named lists: they point at fixed ranges.
            raise AddinError("old_template")
        column = headings.index(f.key)
        stale = sum(1 for row in lists[1:] if column < len(row) and row[column] not in ("", None))
        values = tuple(code for code, _name in current.get(source, []))
        updates.append(ListUpdate(f.key, f.label(workspace.language), column, values, stale))
    if not updates:
        raise AddinError("no_lists")
    return ListRefresh(tuple(updates))


def apply_list_refresh(book: OpenpyxlWorkbook, refresh: ListRefresh) -> None:
    """Write the new lists into an openpyxl workbook (the add-in does the same in Excel)."""
    from openpyxl.workbook.defined_name import DefinedName

    sheet = book[LISTS_SHEET]
    for update in refresh.updates:
        column = update.column + 1
        for row in range(2, update.stale_rows + 2):
            sheet.cell(row, column).value = None
        for row, value in enumerate(update.values, start=2):
            set_text(sheet.cell(row, column), value)
        book.defined_names[update.name] = DefinedName(update.name,
                                                      attr_text=update.refers_to[1:])
