"""A1 references: column letters and numbers, a cell's reference, a range's bounds.

The same functions as openpyxl.utils.cell, with its rules and its limits (columns A to ZZZ), so
that reading a form, checking a file's size and editing its package do not import openpyxl:
importing any part of it loads the whole library, about 0.2 s of every add-in button's start.
tests/formats/test_a1.py checks them against openpyxl's.
"""

from __future__ import annotations

import re
from functools import cache
from string import ascii_uppercase

_LAST_COLUMN = 18278  # ZZZ
_COORDINATE = re.compile(r"^[$]?([A-Za-z]{1,3})[$]?(\d+)$")
_RANGE = re.compile(r"""^
[$]?(?P<min_col>[A-Za-z]{1,3})?
[$]?(?P<min_row>\d+)?
(:[$]?(?P<max_col>[A-Za-z]{1,3})?
[$]?(?P<max_row>\d+)?)?
$""", re.VERBOSE)
_LETTER_VALUES = {letter: value for value, letter in enumerate(ascii_uppercase, 1)}


@cache
def get_column_letter(index: int) -> str:
    """The letters of column `index` (1 is A, 27 is AA).

    Raises:
        ValueError: `index` is not a column from A to ZZZ.
    """
    if not 1 <= index <= _LAST_COLUMN:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = ascii_uppercase[remainder] + letters
    return letters


@cache
def column_index_from_string(letters: str) -> int:
    """The number of column `letters`, in either case (A is 1, aa is 27).

    Raises:
        ValueError: `letters` are not a column from A to ZZZ.
    """
    invalid = f"'{letters}' is not a valid column name. Column names are from A to ZZZ"
    if len(letters) > 3:
        raise ValueError(invalid)
    index = 0
    # As openpyxl counts: the last three letters of the upper case (ß is SS).
    for letter, power in zip(reversed(letters.upper()), (1, 26, 676), strict=False):
        value = _LETTER_VALUES.get(letter)
        if value is None:
            raise ValueError(invalid)
        index += value * power
    if not 0 < index <= _LAST_COLUMN:
        raise ValueError(invalid)
    return index


def coordinate_from_string(reference: str) -> tuple[str, int]:
    """A cell's reference split into its column letters and its row: "B12" -> ("B", 12); a $
    before either is allowed.

    Raises:
        ValueError: `reference` is not a cell's reference, or names row 0.
    """
    match = _COORDINATE.match(reference)
    if not match:
        raise ValueError(f"Invalid cell coordinates ({reference})")
    letters, row = match.groups()
    if not int(row):
        raise ValueError(f"There is no row 0 ({reference})")
    return letters, int(row)


def range_boundaries(reference: str) -> tuple[int | None, int | None, int | None, int | None]:
    """(first column, first row, last column, last row) of a range such as "A1:C9", "A:C" or
    "1:9" (None where it names no bound); a single cell is a range of one.

    Raises:
        ValueError: `reference` is neither a cell nor a range.
    """
    match = _RANGE.match(reference)
    if not match:
        raise ValueError(f"{reference} is not a valid coordinate or range")
    min_col, min_row, separator, max_col, max_row = match.groups()
    if separator:
        columns, rows = (min_col, max_col), (min_row, max_row)
        if not (all(columns + rows) or all(columns) and not any(rows)
                or all(rows) and not any(columns)):
            raise ValueError(f"{reference} is not a valid coordinate or range")
    first_col = column_index_from_string(min_col) if min_col is not None else None
    first_row = int(min_row) if min_row is not None else None
    last_col = column_index_from_string(max_col) if max_col is not None else first_col
    last_row = int(max_row) if max_row is not None else first_row
    return first_col, first_row, last_col, last_row
