"""绩效考核: each salesperson of a quarter or year scored on 计划达成率, 回款率, 新客户拓展率,
拜访完成率 and 费用率 by the weights of `[appraisal]`, ranked, and paid a commission on the
period's receipts tiered by 计划达成率; written to outbox/appraisal/<P>/绩效考核_<P>.xlsx in the
summary workbook's frame (sheet.py: A4 landscape, one page wide, headings repeated).

The metrics are the summary workbook's own (kpis.appraisal_figures), never worked out again
here. The score and the rank are formulas with their values stored beside them: a manager sees
the arithmetic, a reader of values sees the figures. The same ledger gives the same bytes.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..config import Appraisal
from ..errors import UsageError
from ..files import atomic_path
from ..formats.xlsx_rows import write_package
from ..forms.periods import Period
from ..ledger import Ledger
from ..paths import inside
from ..text import Text
from ..workspace import Workspace
from .columns import NOTES_COLUMNS, Column
from .definitions import (
    APPRAISAL_DEFINITIONS,
    APPRAISAL_NAMES,
    APPRAISAL_SHARED,
    KPI_DEFINITIONS,
    KPI_NAMES,
)
from .kpis import appraisal_figures
from .model import Report
from .sheet import FIRST_ROW, Formula, Sheet, Writer, wrapped_height

_NAME = Text("绩效考核", "Appraisal")
_NOTES = Text("说明", "Notes")
_NOTE = Text("得分、排名为公式（可核对）；留空的指标计0分。定义见“说明”。",
             "Score and rank are formulas (check them); a blank metric earns no points. "
             "Definitions are on the Notes sheet.")
_SETTINGS = Text("本次设置", "Settings used")
_SETTINGS_TEXT = Text(
    "权重：{weights}。费用率限额：{limit}%。提成档位：{tiers}。",
    "Weights: {weights}. Expense ratio limit: {limit} %. Commission tiers: {tiers}.")
_TIER = Text("计划达成率≥{at_least}% 提成{rate}%", "achievement \u2265 {at_least} %: {rate} %")
_NO_TIERS = Text("无", "none")
_ONLY = Text("绩效考核按季度或年度：期间“{period}”是月份，请用 {year}-Q{quarter} 或 {year}",
             "the appraisal is by quarter or year: \u201c{period}\u201d is a month; use "
             "{year}-Q{quarter} or {year}")
_FEN = Decimal("0.01")
_HUNDRED = Decimal(100)
_ONE = Decimal(1)
# The five metrics in the order of their columns (D..H), with their keys in [appraisal.weights]
# and their headings.
_METRICS = (
    ("achievement", Text("计划达成率", "Achievement")),
    ("collection", Text("回款率", "Collection rate")),
    ("new_customers", Text("新客户拓展率", "New-customer rate")),
    ("visits", Text("拜访完成率", "Visit completion")),
    ("expenses", Text("费用率", "Expense ratio")),
)
_LETTERS = "DEFGH"  # the metrics' columns
_SCORE = "I"
_WEIGHT = Text("权重{weight}%", "weight {weight} %")


@dataclass(frozen=True)
class AppraisalRow:
    code: str
    name: str
    region: str
    achievement: Decimal | None  # the summary workbook's figures; None where it is blank
    collection_rate: Decimal | None
    new_customer_rate: Decimal | None
    visit_completion: Decimal | None
    expense_ratio: Decimal | None
    score: Decimal  # out of 100
    rank: int
    receipts: Decimal
    commission_rate: Decimal  # a fraction of the receipts (0.015 is 1.5 %)
    commission: Decimal  # half up to the fen

    @property
    def metrics(self) -> tuple[Decimal | None, ...]:
        return (self.achievement, self.collection_rate, self.new_customer_rate,
                self.visit_completion, self.expense_ratio)


def appraisal_path(workspace: Workspace, period: Period) -> Path:
    name = _NAME(workspace.language)
    return inside(workspace.outbox, "appraisal", period.label, f"{name}_{period.label}.xlsx")


def check_period(period: Period, language: str = "zh") -> Period:
    """`period` itself when it is a quarter or a year; a UsageError for a month."""
    if period.kind == "month":
        quarter = (period.start.month - 1) // 3 + 1
        raise UsageError(_ONLY.format(language, period=period.label, year=period.label[:4],
                                      quarter=quarter))
    return period


def appraise(ledger: Ledger, period: Period, settings: Appraisal) -> list[AppraisalRow]:
    """Every salesperson's appraisal of `period`, in the summary workbook's order."""
    people, expense_ratios = appraisal_figures(ledger, period)
    scored = []
    for person in people:
        metrics = (person.achievement, person.collection_rate, person.new_customer_rate,
                   person.visit_completion, expense_ratios.get(person.code))
        rate = commission_rate(person.achievement, settings)
        scored.append((person, metrics, score(metrics, settings), rate))
    scores = [s for _, _, s, _ in scored]
    return [AppraisalRow(person.code, person.name, person.region, *metrics, points,
                         1 + sum(other > points for other in scores), person.receipts, rate,
                         (person.receipts * rate).quantize(_FEN, ROUND_HALF_UP))
            for person, metrics, points, rate in scored]


def score(metrics: tuple[Decimal | None, ...], settings: Appraisal) -> Decimal:
    """The score of the five metrics (in `_METRICS`' order), as the sheet's formula says it."""
    total = Decimal(0)
    limit = _decimal(settings.expense_ratio_limit) / _HUNDRED
    for (key, _), value in zip(_METRICS, metrics, strict=True):
        if value is None:
            continue  # blank: no points
        weight = _decimal(settings.weights.get(key, 0.0))
        rate = limit / max(value, limit) if key == "expenses" else min(value, _ONE)
        total += weight * rate
    return total


def commission_rate(achievement: Decimal | None, settings: Appraisal) -> Decimal:
    """The rate (a fraction) of the tier `achievement` falls in; 0 below the lowest."""
    percent = (achievement or Decimal(0)) * _HUNDRED
    rate = Decimal(0)
    for tier in settings.commission:
        if percent >= _decimal(tier.at_least):
            rate = _decimal(tier.rate) / _HUNDRED
    return rate


def write_appraisal(workspace: Workspace, period: Period) -> Path:
    """Write the 绩效考核 of `period` (a quarter or a year) and return its path.

    Raises:
        UsageError: `period` is a month.
    """
    check_period(period, workspace.language)
    settings = workspace.settings.appraisal
    rows = appraise(Ledger.of(workspace), period, settings)
    return write_rows(rows, settings, period, appraisal_path(workspace, period),
                      workspace.language, workspace.settings.company.name)


class _AppraisalWriter(Writer):
    def word(self, key: str, **values: object) -> str:
        if key == "report":
            return _NAME(self.language)
        return super().word(key, **values)


def write_rows(rows: list[AppraisalRow], settings: Appraisal, period: Period, path: Path,
               language: str = "zh", company: str = "") -> Path:
    """Write the appraisal `rows` and its 说明 to `path` atomically."""
    empty = Report(period, [], [], [], [], [], [], lambda: iter(()), [], details=lambda: iter(()))
    with ExitStack() as stack:
        w = _AppraisalWriter(empty, language, company, stack)
        title = _NAME(language)
        w.book.set_properties({"title": f"{title} {period.label}", "company": w.company,
                               "created": datetime.combine(period.end, datetime.min.time())})
        sheet = Sheet(w, title, _columns(settings, language), 2, _NOTE(language))
        last = FIRST_ROW + len(rows)  # 1-based: the last data row
        for row in rows:
            sheet.line(_values(row, sheet.row + 1, last, settings), "plain")
        sheet.last = sheet.row - 1
        sheet.line((w.word("total"), *(None,) * 9,
                    sum((r.receipts for r in rows), Decimal(0)), None,
                    sum((r.commission for r in rows), Decimal(0))))
        sheet.close()
        _notes(w, settings)
        w.book.close()
        with atomic_path(Path(path)) as partial:
            write_package(w.output, w.fragments, partial)
    return Path(path)


def _columns(settings: Appraisal, language: str) -> tuple[Column, ...]:
    metrics = tuple(
        Column(Text(f"{head.zh}（{_WEIGHT.format('zh', weight=_number(weight))}）",
                    f"{head.en} ({_WEIGHT.format('en', weight=_number(weight))})"), "pct", 12)
        for key, head in _METRICS for weight in [settings.weights.get(key, 0.0)])
    return (
        Column(Text("编码", "Code"), "text", 9), Column(Text("业务员", "Salesperson"), "text", 11),
        Column(Text("片区", "Region"), "text", 9), *metrics,
        Column(Text("得分", "Score"), "money", 9), Column(Text("排名", "Rank"), "int", 7),
        Column(Text("回款金额", "Receipts"), "money", 14),
        Column(Text("提成比例", "Commission rate"), "pct", 10),
        Column(Text("提成", "Commission"), "money", 13))


def _values(row: AppraisalRow, at: int, last: int, settings: Appraisal) -> tuple[object, ...]:
    """The sheet's cells of `row`, written at 1-based row `at`; the data rows end at `last`."""
    return (row.code, row.name, row.region, *row.metrics,
            Formula(_score_formula(at, settings), row.score),
            Formula(f"=RANK({_SCORE}{at},${_SCORE}${FIRST_ROW + 1}:${_SCORE}${last})",
                    row.rank),
            row.receipts, row.commission_rate, row.commission)


def _score_formula(at: int, settings: Appraisal) -> str:
    """`score` as Excel says it: N() of a blank cell is 0, so a blank metric earns nothing."""
    limit = _number(_decimal(settings.expense_ratio_limit) / _HUNDRED)
    terms = []
    for (key, _), letter in zip(_METRICS, _LETTERS, strict=True):
        weight = _number(settings.weights.get(key, 0.0))
        cell = f"{letter}{at}"
        if key == "expenses":
            terms.append(f"{weight}*IF(ISNUMBER({cell}),{limit}/MAX({cell},{limit}),0)")
        else:
            terms.append(f"{weight}*MIN(N({cell}),1)")
    return "=" + "+".join(terms)


def _notes(w: Writer, settings: Appraisal) -> None:
    sheet = Sheet(w, _NOTES(w.language), NOTES_COLUMNS, 0, "")
    shared = dict(KPI_DEFINITIONS)
    entries = [(KPI_NAMES[key], shared[key]) for key in APPRAISAL_SHARED]
    entries += [(APPRAISAL_NAMES[key], text) for key, text in APPRAISAL_DEFINITIONS]
    entries.append((_SETTINGS, _settings_text(settings)))
    wrap = w.styles.format("text", "wrap")
    for name, definition in entries:
        text = definition(w.language)
        sheet.ws.set_row(sheet.row, wrapped_height(text, NOTES_COLUMNS[1].width))
        sheet.ws.write_string(sheet.row, 0, name(w.language), w.styles.format("text", "label"))
        sheet.ws.write_string(sheet.row, 1, text, wrap)
        sheet.row += 1
    sheet.last = sheet.row - 1


def _settings_text(settings: Appraisal) -> Text:
    def said(language: str) -> str:
        weights = ", ".join(f"{head(language)} {_number(settings.weights.get(key, 0.0))}"
                            for key, head in _METRICS)
        tiers = "; ".join(_TIER.format(language, at_least=_number(t.at_least),
                                       rate=_number(t.rate)) for t in settings.commission)
        return _SETTINGS_TEXT.format(language, weights=weights,
                                     limit=_number(settings.expense_ratio_limit),
                                     tiers=tiers or _NO_TIERS(language))
    return Text(said("zh"), said("en"))


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _number(value: float | Decimal) -> str:
    """A setting as a person writes it: 40, 12.5, 0.05 (no trailing zeros, no exponent)."""
    text = format(Decimal(repr(value)) if isinstance(value, float) else value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
