"""How every workbook we write prints: on A4 whatever the printer's or LibreOffice's default
paper (US Letter in an en-US locale); scaled to the page's width, not to a postage stamp (to
one page for a form that is one page; a sheet too wide to read fitted to the width prints over
pages side by side); the rows that head a table repeated at the top of every page; "page x of
y" at the foot. The templates, the documents and the reports all set their sheets up here, so
that they print alike."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..text import Text

A4 = 9  # paperSize in SpreadsheetML
FOOTER = Text("&C第 &P 页，共 &N 页", "&CPage &P of &N")
# Below this scale (percent) a sheet fitted to the page's width is too small to read: it
# prints at this scale instead, on pages side by side, its first column on each.
SMALLEST_SCALE = 60
# An A4 page's width less the margins set here, in pixels at 96 dpi (as xlsxwriter counts a
# column: 7 pixels a character and 5 more).
_PRINTABLE = {True: (11.69 - 0.8) * 96, False: (8.27 - 0.8) * 96}  # landscape or not


def print_on_a4(
    sheet: Worksheet, language: str, *, landscape: bool = True,
    titles: tuple[int, int] | None = None, one_page: bool = False, width: int | None = None,
) -> None:
    """Set `sheet` up to print on A4 (see the module's docstring): one page wide and as many
    pages down as it takes, or, with `one_page`, one page in all; the 0-based rows `titles`
    (first, last) repeated at the top of every page; the footer in `language`. A sheet whose
    columns are `width` pixels wide, too wide to read fitted to one page's width, prints at
    `SMALLEST_SCALE` over as many pages across as it takes."""
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    if not one_page and width is not None and \
            width * SMALLEST_SCALE / 100 > _PRINTABLE[landscape]:
        sheet.set_print_scale(SMALLEST_SCALE)
        sheet.repeat_columns(0)
    else:
        sheet.fit_to_pages(1, 1 if one_page else 0)
    if titles is not None:
        sheet.repeat_rows(*titles)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(FOOTER(language))
