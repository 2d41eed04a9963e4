"""The three native charts of the summary workbook: plan achievement per salesperson, orders
and receipts of the last 12 months, and receivables aging. Each plots cells of its sheet."""

from __future__ import annotations

from typing import Any

from .columns import AGING_BUCKETS
from .sheet import HEAD_ROW, Sheet
from .styles import FONT


def achievement_chart(sheet: Sheet, count: int) -> None:
    """Columns of each salesperson's achievement with the 100 % target as a dashed line, below
    the `count` data rows."""
    w = sheet.w
    chart = w.book.add_chart({"type": "column"})
    chart.add_series({"name": w.word("chart_achievement"), "categories": sheet.ref(1),
                      "values": sheet.ref(5), "fill": {"color": "#4472C4"},
                      "data_labels": {"value": True, "num_format": "0%"}})
    target = w.book.add_chart({"type": "line"})
    target.add_series({"name": w.word("chart_target"), "categories": sheet.ref(1),
                       "values": sheet.ref(len(sheet.columns) - 1),
                       "line": {"color": "#C00000", "width": 2, "dash_type": "dash"},
                       "marker": {"type": "none"}})
    chart.combine(target)
    chart.show_hidden_data()  # the 100 % line lives in a hidden column
    _style(chart, w.word("chart_achievement"),
           y_axis={"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
    sheet.place(chart, sheet.row + 1, 1, max(560, min(1400, 70 * count + 160)), 320)


def trend_chart(sheet: Sheet) -> None:
    """Lines of the monthly orders and receipts, beside the table."""
    chart = sheet.w.book.add_chart({"type": "line"})
    for c, color in ((1, "#4472C4"), (2, "#70AD47")):
        chart.add_series({"name": sheet.head_ref(c), "categories": sheet.ref(0),
                          "values": sheet.ref(c), "line": {"color": color, "width": 2.25},
                          "marker": {"type": "circle", "size": 5,
                                     "fill": {"color": color}, "border": {"color": color}}})
    _style(chart, sheet.w.word("chart_trend"), y_axis={
        "num_format": "#,##0", "min": 0, "major_gridlines": {"visible": True}})
    chart.set_size({"width": 700, "height": 340})
    sheet.ws.insert_chart(HEAD_ROW, len(sheet.columns) + 1, chart)  # beside the table


def aging_chart(sheet: Sheet, title: str, first: int, last: int) -> None:
    """Stacked bars of the aging buckets of the customers in rows first..last, below them."""
    chart = sheet.w.book.add_chart({"type": "bar", "subtype": "stacked"})
    colors = ("#70AD47", "#FFC000", "#ED7D31", "#C55A11", "#C00000")
    for c, color in zip(AGING_BUCKETS, colors, strict=True):
        chart.add_series({"name": sheet.head_ref(c),
                          "categories": sheet.ref(1, first, last),
                          "values": sheet.ref(c, first, last), "fill": {"color": color},
                          "gap": 60})
    # The first customer at the top, the amounts along the bottom.
    _style(chart, title, x_axis={"num_format": "#,##0", "major_gridlines": {"visible": True}},
           y_axis={"reverse": True, "crossing": "max"})
    sheet.place(chart, sheet.row + 1, 0, 820, max(300, 90 + 26 * (last - first + 1)))


def _style(chart: Any, title: str, x_axis: dict[str, Any] | None = None,
           y_axis: dict[str, Any] | None = None) -> None:
    font = {"name": FONT["font_name"], "size": 9}
    chart.set_title({"name": title, "name_font": {**font, "size": 12, "bold": True}})
    chart.set_legend({"position": "bottom", "font": font})
    chart.set_x_axis({"num_font": font, **(x_axis or {})})
    chart.set_y_axis({"num_font": font, **(y_axis or {})})
