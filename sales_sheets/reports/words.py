"""The words of the summary workbook in both languages: sheet names, hold reasons, titles,
notes and chart titles (statuses speak from `Status`'s one table)."""

from __future__ import annotations

from ..status import Status
from ..text import Text

SHEETS: dict[str, Text] = {
    "achievement": Text("业务员达成", "Achievement"),
    "regions": Text("片区", "Regions"),
    "products": Text("产品", "Products"),
    "customers": Text("客户", "Customers"),
    "trend": Text("趋势", "Trend"),
    "aging": Text("应收账龄", "Aging"),
    "contracts": Text("合同台账", "Contracts"),
    "pending": Text("待审批", "Pending"),
    "replies": Text("对账回函", "Statement replies"),
    "tracking": Text("销售跟单", "Order tracking"),
    "expenses": Text("费用", "Expenses"),
    "quotes": Text("报价转化", "Quotations"),
    "complaints": Text("投诉售后", "Complaints"),
    "visits": Text("拜访执行", "Visits"),
    "details": Text("明细", "Details"),
    "notes": Text("说明", "Notes"),
}
HOLD_REASON_WORDS: dict[str, Text] = {
    "price_below_list": Text("低于价目表价", "below list price"),
    "customer_overdue": Text("客户逾期", "customer overdue"),
    "credit_limit_exceeded": Text("超授信额度", "over credit limit"),
    "return_needs_approval": Text("退货审批", "return approval"),
    "over_budget": Text("费用超预算", "expenses over budget"),
    "over_cap": Text("费用超标准", "expense above cap"),
    "quote_needs_approval": Text("报价审批", "quotation approval"),
}
_REASON_SEPARATOR = Text("、", "; ")
WORDS: dict[str, Text] = {
    "report": Text("销售汇总", "Sales summary"),
    "period": Text("期间：{start} 至 {end}。", "Period: {start} to {end}. "),
    "total": Text("合计", "Total"),
    "sheet_total": Text("本表合计", "Total of this sheet"),
    "accepted_total": Text("已接收合计", "Total accepted"),
    "held_total": Text("待审批合计", "Total held"),
    "kind_total": Text("{kind}合计", "{kind} total"),
    "note_achievement": Text(
        "实际订单金额只含已接收订单；待审批订单单列，未计入。指标定义见“说明”。",
        "Actual orders are accepted orders only; held orders are pending and shown apart. "
        "Definitions are on the Notes sheet."),
    "note_products": Text("不同单位的数量不相加。",
                          "Quantities in different units are not added up."),
    "note_customers": Text("ABC分类按累计占比（80% / 95%），定义见“说明”。",
                           "ABC class by cumulative share (80 % / 95 %); see Notes."),
    "note_trend": Text("最近12个月：{first} 至 {last}。", "The last 12 months: {first} to {last}."),
    "note_aging": Text("截至 {end}；逾期客户在前。", "As of {end}; overdue customers first."),
    "note_contracts": Text(
        "本期全部订单版本，含待审批与已被替代的版本；合计只含已接收订单。",
        "Every order version of the period, held and superseded ones included; the total "
        "counts accepted orders only."),
    "note_pending": Text(
        "截至 {end} 待审批的单据（当日或之前提交、至今仍暂挂），最早的在前；待审天数算至 {end}。",
        "Documents pending approval on {end} (stored by then and still held now), oldest "
        "first; the age in days is counted to {end}."),
    "note_replies": Text(
        "每个客户截至 {end} 已结束期间的最新对账函及其回函；逾期天数算至 {end}；"
        "差额 = 客户余额 − 我方余额。",
        "Each customer's latest statement of a period ended by {end} and its reply; days "
        "overdue are counted to {end}; difference = their balance \u2212 ours."),
    "reply_rate": Text("回函率 {rate}（已回函 {replied} / 已发出 {issued}）",
                       "Reply rate {rate} ({replied} replied of {issued} issued)"),
    "note_tracking": Text(
        "截至 {end}：本期订单及此前未完结的订单，按业务员、订单号；延迟发货的红字标出。",
        "As of {end}: the period's orders and earlier ones still open, by salesperson and "
        "order number; late deliveries in red. "),
    "note_expenses": Text(
        "按业务员、费用类别、月份；每个业务员一行小计（含回款与费用率），片区预算列为片区行。定义见“说明”。",
        "By salesperson, category and month; a subtotal per salesperson (with receipts and "
        "the expense ratio); region budgets as rows of the region. See Notes."),
    "note_quotes": Text(
        "截至 {end}：报价日期在本期内的报价单，按业务员。定义见“说明”。",
        "As of {end}: the quotations dated in the period, by salesperson. See Notes."),
    "note_complaints": Text(
        "截至 {end}：本期受理及此前未解决的客户投诉，按投诉类别、产品、业务员。定义见“说明”。",
        "As of {end}: complaints received in the period and earlier ones still open at its "
        "start, by category, product and salesperson. See Notes."),
    "complaint_by_category": Text("类别", "Category"),
    "complaint_by_product": Text("产品", "Product"),
    "complaint_by_salesperson": Text("业务员", "Salesperson"),
    "salesperson_total": Text("{who} 小计", "{who} subtotal"),
    "note_details": Text("订单明细行。", "Order lines."),
    "note_notes": Text("本工作簿由台账生成，所有数字均为数值（不含公式）。",
                       "Generated from the ledger; every figure is a value, not a formula."),
    "item": Text("指标", "Item"),
    "definition": Text("定义", "Definition"),
    "chart_achievement": Text("计划达成率", "Plan achievement"),
    "chart_target": Text("目标 100%", "Target 100 %"),
    "chart_trend": Text("近12个月订单与回款", "Orders and receipts, last 12 months"),
    "chart_aging": Text("应收账龄", "Receivables aging"),
    "chart_aging_top": Text("应收账龄（应收余额前{n}名）",
                            "Receivables aging ({n} largest balances)"),
    "top_balances": Text("应收余额前{n}名（图表数据）", "The {n} largest balances (chart data)"),
}


def status_word(status: str, language: str) -> str:
    """A status as the report's status column says it: the one word of `Status`, a capital first
    in English, as a cell starts."""
    word = Status(status).word(language)
    return word[:1].upper() + word[1:]


def hold_reason_words(codes: tuple[str, ...], language: str) -> str:
    """The codes a document was held for in words; a code without words shows as it is."""
    words = [HOLD_REASON_WORDS[code](language) if code in HOLD_REASON_WORDS else code
             for code in codes]
    return _REASON_SEPARATOR(language).join(words)
