"""The two rules of report arithmetic, shared by the figures (kpis.py) and their totals
(workbook.py): ratios and sums of targets that may be unset."""

from __future__ import annotations

from decimal import Decimal

from sales_sheets.reports.model import ratio, sum_known


def test_a_ratio_is_an_exact_decimal() -> None:
    assert ratio(Decimal("850.00"), Decimal("1000.00")) == Decimal("0.85")
    assert ratio(3, 4) == Decimal("0.75")
    assert ratio(0, 4) == Decimal(0)


def test_a_ratio_needs_a_known_part_and_a_base_that_is_not_zero() -> None:
    assert [ratio(5, 0), ratio(5, None), ratio(None, 5), ratio(Decimal(1), Decimal("0.00"))] \
        == [None, None, None, None]


def test_unset_values_are_left_out_of_a_sum_and_none_set_is_none() -> None:
    assert sum_known([None, Decimal("1.50"), Decimal("2.25")]) == Decimal("3.75")
    assert sum_known([None, 2, 3]) == 5
    assert type(sum_known([2, 3])) is int  # counts stay counts
    assert sum_known([None, None]) is None
    assert sum_known([]) is None
