"""The words of the summary workbook, each as (中文, English): sheet names, order statuses,
hold reasons, titles, notes and chart titles."""

from __future__ import annotations

SHEETS: dict[str, tuple[str, str]] = {
    "achievement": ("业务员达成", "Achievement"),
    "regions": ("片区", "Regions"),
    "products": ("产品", "Products"),
    "customers": ("客户", "Customers"),
    "trend": ("趋势", "Trend"),
    "aging": ("应收账龄", "Aging"),
    "contracts": ("合同台账", "Contracts"),
    "visits": ("拜访执行", "Visits"),
    "details": ("明细", "Details"),
    "notes": ("说明", "Notes"),
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("已接收", "Accepted"),
    "held": ("待审批", "Held (pending approval)"),
    "superseded": ("已作废（被新版本替代）", "Superseded by a revision"),
}
HOLD_REASON_WORDS: dict[str, tuple[str, str]] = {
    "price_below_list": ("低于价目表价", "below list price"),
    "customer_overdue": ("客户逾期", "customer overdue"),
    "credit_limit_exceeded": ("超授信额度", "over credit limit"),
}
WORDS: dict[str, tuple[str, str]] = {
    "report": ("销售汇总", "Sales summary"),
    "period": ("期间：{start} 至 {end}。", "Period: {start} to {end}. "),
    "total": ("合计", "Total"),
    "sheet_total": ("本表合计", "Total of this sheet"),
    "accepted_total": ("已接收合计", "Total accepted"),
    "held_total": ("待审批合计", "Total held"),
    "note_achievement": (
        "实际订单金额只含已接收订单；待审批订单单列，未计入。指标定义见“说明”。",
        "Actual orders are accepted orders only; held orders are pending and shown apart. "
        "Definitions are on the Notes sheet."),
    "note_products": ("不同单位的数量不相加。", "Quantities in different units are not added up."),
    "note_customers": ("ABC分类按累计占比（80% / 95%），定义见“说明”。",
                       "ABC class by cumulative share (80 % / 95 %); see Notes."),
    "note_trend": ("最近12个月：{first} 至 {last}。", "The last 12 months: {first} to {last}."),
    "note_aging": ("截至 {end}；逾期客户在前。", "As of {end}; overdue customers first."),
    "note_contracts": (
        "本期全部订单版本，含待审批与已被替代的版本；合计只含已接收订单。",
        "Every order version of the period, held and superseded ones included; the total "
        "counts accepted orders only."),
    "note_details": ("订单明细行。", "Order lines."),
    "note_notes": ("本工作簿由台账生成，所有数字均为数值（不含公式）。",
                   "Generated from the ledger; every figure is a value, not a formula."),
    "item": ("指标", "Item"),
    "definition": ("定义", "Definition"),
    "chart_achievement": ("计划达成率", "Plan achievement"),
    "chart_target": ("目标 100%", "Target 100 %"),
    "chart_trend": ("近12个月订单与回款", "Orders and receipts, last 12 months"),
    "chart_aging": ("应收账龄", "Receivables aging"),
    "chart_aging_top": ("应收账龄（应收余额前{n}名）", "Receivables aging ({n} largest balances)"),
    "top_balances": ("应收余额前{n}名（图表数据）", "The {n} largest balances (chart data)"),
    "footer": ("&C第 &P 页，共 &N 页", "&CPage &P of &N"),
}


def language_index(language: str) -> int:
    """The index into the (中文, English) pairs: English for "en", Chinese otherwise."""
    return 1 if language == "en" else 0


def status_word(status: str, language: str) -> str:
    words = STATUS_WORDS.get(status)
    return words[language_index(language)] if words else status


def hold_reason_words(codes: tuple[str, ...], language: str) -> str:
    """The codes a document was held for in words; a code without words shows as it is."""
    i = language_index(language)
    words = [HOLD_REASON_WORDS[code][i] if code in HOLD_REASON_WORDS else code for code in codes]
    return ("; " if i else "、").join(words)
