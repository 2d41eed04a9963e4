"""A1 references give what openpyxl gives, value for value and refusal for refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import cell as openpyxl_cell

from sales_sheets.formats import a1

# References as users and files write them, and the odd ones: lower case, $, ß (upper case SS),
# digits other than ASCII, empty parts, four letters.
_REFERENCE_TEXT = st.text(alphabet="AaBZzß$:0129٣", max_size=10)
T = TypeVar("T")


def _same(ours: Callable[[T], object], theirs: Callable[[T], object], text: T) -> None:
    try:
        expected: object = theirs(text)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl refuses, we refuse too
        expected = type(exc)
    try:
        got: object = ours(text)
    except ValueError:
        got = ValueError
    # openpyxl refuses a cell reference with its own exception; ours is a ValueError.
    if expected is openpyxl_cell.CellCoordinatesException:
        expected = ValueError
    assert got == expected, text


def test_every_column_has_the_letters_openpyxl_gives_it_and_back() -> None:
    for index in range(1, 18279):
        letters = a1.get_column_letter(index)
        assert letters == openpyxl_cell.get_column_letter(index)
        assert a1.column_index_from_string(letters.lower()) == index


def test_a_column_beyond_the_last_is_refused() -> None:
    for index in (0, 18279, -1):
        _same(a1.get_column_letter, openpyxl_cell.get_column_letter, index)


@given(_REFERENCE_TEXT)
def test_column_letters_read_as_openpyxl_reads_them(text: str) -> None:
    _same(a1.column_index_from_string, openpyxl_cell.column_index_from_string, text)


@given(_REFERENCE_TEXT)
def test_a_cell_reference_splits_as_openpyxl_splits_it(text: str) -> None:
    _same(a1.coordinate_from_string, openpyxl_cell.coordinate_from_string, text)


@given(_REFERENCE_TEXT)
def test_a_range_has_the_bounds_openpyxl_gives_it(text: str) -> None:
    _same(a1.range_boundaries, openpyxl_cell.range_boundaries, text)


def test_the_usual_references() -> None:
    for text in ("A1", "$B$12", "ZZZ1048576", "A1:C9", "A:C", "1:9", "AAAA1", "A0", "A1:B"):
        _same(a1.coordinate_from_string, openpyxl_cell.coordinate_from_string, text)
        _same(a1.range_boundaries, openpyxl_cell.range_boundaries, text)
