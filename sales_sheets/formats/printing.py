"""How every workbook we write prints: on A4 whatever the printer's or LibreOffice's default
paper (US Letter in an en-US locale), scaled to the page's width rather than to a postage
stamp (or to one page, for a form that is one page), the rows that head a table repeated at
the top of every page, and "page x of y" at the foot. The templates, the documents and the
reports all set their sheets up here, so that they print alike."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..text import Text

A4 = 9  # paperSize in SpreadsheetML
FOOTER = Text("&C第 &P 页，共 &N 页", "&CPage &P of &N")


def print_on_a4(
    sheet: Worksheet, language: str, *, landscape: bool = True,
    titles: tuple[int, int] | None = None, one_page: bool = False,
) -> None:
    """Set `sheet` up to print on A4 (see the module's docstring): one page wide and as many
    pages down as it takes, or, with `one_page`, one page in all; the 0-based rows `titles`
    (first, last) repeated at the top of every page; the footer in `language`."""
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 1 if one_page else 0)
    if titles is not None:
        sheet.repeat_rows(*titles)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(FOOTER(language))
