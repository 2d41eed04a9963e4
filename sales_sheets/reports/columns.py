"""The columns of each sheet of the summary workbook: heading in both languages, the kind of
value (which decides the cell format) and the width."""

from __future__ import annotations

from dataclasses import dataclass

from ..text import Text


@dataclass(frozen=True)
class Column:
    heading: Text
    kind: str  # text, int, money, price, qty, pct, date
    width: float
    hidden: bool = False


def _cols(*specs: tuple[str, str, str, float]) -> tuple[Column, ...]:
    """Columns from (中文, English, kind, width)."""
    return tuple(Column(Text(zh, en), kind, width) for zh, en, kind, width in specs)


ACHIEVEMENT_COLUMNS = _cols(
    ("编码", "Code", "text", 9), ("业务员", "Salesperson", "text", 11),
    ("片区", "Region", "text", 9), ("销售目标", "Sales target", "money", 14),
    ("实际订单金额", "Actual orders", "money", 14), ("计划达成率", "Achievement", "pct", 10),
    ("待审批订单（未计入）", "Held orders (pending)", "money", 15),
    ("回款目标", "Collection target", "money", 14), ("回款金额", "Receipts", "money", 14),
    ("回款率", "Collection rate", "pct", 10), ("新客户目标", "New-customer target", "int", 10),
    ("新客户数", "New customers", "int", 10), ("新客户达成率", "New-customer rate", "pct", 11),
    ("计划拜访", "Visits planned", "int", 9), ("完成拜访", "Visits done", "int", 9),
    ("计划外拜访", "Unplanned visits", "int", 10), ("拜访完成率", "Visit completion", "pct", 11),
) + (Column(Text("目标线", "Target line"), "pct", 8, hidden=True),)  # the chart's 100 % line
REGION_COLUMNS = _cols(
    ("片区", "Region", "text", 16), ("客户数", "Customers", "int", 10),
    ("订单数", "Orders", "int", 10), ("订单金额", "Amount", "money", 16),
    ("占比", "Share", "pct", 10))
PRODUCT_COLUMNS = _cols(
    ("产品编码", "Code", "text", 12), ("产品名称", "Product", "text", 24),
    ("规格", "Spec", "text", 14), ("单位", "Unit", "text", 7), ("数量", "Quantity", "qty", 12),
    ("金额", "Amount", "money", 16), ("占比", "Share", "pct", 9))
CUSTOMER_COLUMNS = _cols(
    ("排名", "Rank", "int", 6), ("客户编码", "Code", "text", 11),
    ("客户名称", "Customer", "text", 28), ("片区", "Region", "text", 10),
    ("业务员", "Salesperson", "text", 11), ("订单金额", "Amount", "money", 16),
    ("占比", "Share", "pct", 9), ("累计占比", "Cumulative share", "pct", 11),
    ("ABC分类", "ABC class", "text", 9))
TREND_COLUMNS = _cols(
    ("月份", "Month", "text", 10), ("订单金额", "Orders", "money", 16),
    ("回款金额", "Receipts", "money", 16))
AGING_COLUMNS = _cols(
    ("客户编码", "Code", "text", 11), ("客户名称", "Customer", "text", 26),
    ("业务员", "Salesperson", "text", 11), ("授信额度", "Credit limit", "money", 14),
    ("应收余额", "Balance", "money", 14), ("未到期", "Not yet due", "money", 13),
    ("逾期1–30天", "1–30 days", "money", 13), ("逾期31–60天", "31–60 days", "money", 13),
    ("逾期61–90天", "61–90 days", "money", 13), ("逾期90天以上", "Over 90 days", "money", 13),
    ("逾期合计", "Overdue", "money", 14), ("授信使用率", "Credit use", "pct", 10))
AGING_BUCKETS = range(5, 10)  # not yet due .. over 90 days: the stacked bars
AGING_OVERDUE = 10  # the overdue total shows red where there is one
CONTRACT_COLUMNS = _cols(
    ("订单号", "Order No.", "text", 16), ("版本", "Version", "int", 6),
    ("订单日期", "Order date", "date", 11), ("客户编码", "Customer code", "text", 11),
    ("客户名称", "Customer", "text", 24), ("业务员", "Salesperson", "text", 10),
    ("订单金额", "Amount", "money", 14), ("状态", "Status", "text", 21),
    ("暂挂原因", "Hold reasons", "text", 22), ("审批号", "Approval", "text", 14),
    ("合同文件", "Contract file", "text", 30), ("已发货", "Delivered", "money", 14),
    ("已开票", "Invoiced", "money", 14), ("已收款", "Received", "money", 14))
CONTRACT_STATUS = 7
PENDING_COLUMNS = _cols(
    ("单据类型", "Kind", "text", 10), ("单据号", "Document No.", "text", 16),
    ("版本", "Version", "int", 6), ("客户编码", "Customer code", "text", 11),
    ("客户名称", "Customer", "text", 24), ("业务员", "Salesperson", "text", 10),
    ("金额", "Amount", "money", 14), ("暂挂原因", "Hold reasons", "text", 22),
    ("提交日期", "Stored on", "date", 11), ("待审天数", "Days pending", "int", 9),
    ("来源文件夹", "Folder", "text", 12))
REPLY_COLUMNS = _cols(
    ("客户编码", "Customer code", "text", 11), ("客户名称", "Customer", "text", 24),
    ("对账函编号", "Statement No.", "text", 22), ("对账期间", "Period", "text", 9),
    ("回函状态", "Status", "text", 10), ("我方余额", "Our balance", "money", 14),
    ("客户余额", "Their balance", "money", 14), ("差额（客户−我方）", "Difference (theirs − ours)",
                                              "money", 14),
    ("回函截止日", "Reply by", "date", 11), ("回函日期", "Replied on", "date", 11),
    ("逾期天数", "Days overdue", "int", 9), ("不符项", "Disputed items", "int", 8))
TRACKING_COLUMNS = _cols(
    ("订单号", "Order No.", "text", 16), ("订单日期", "Order date", "date", 11),
    ("客户编码", "Customer code", "text", 11), ("客户名称", "Customer", "text", 24),
    ("业务员", "Salesperson", "text", 10), ("交货日期", "Delivery date", "date", 11),
    ("订单金额", "Ordered", "money", 14), ("已发货", "Delivered", "money", 14),
    ("已开票", "Invoiced", "money", 14), ("已收款", "Received", "money", 14),
    ("已退货", "Returned", "money", 12), ("未结金额", "Outstanding", "money", 14),
    ("在途天数", "Days open", "int", 9), ("延迟天数", "Days late", "int", 9))
TRACKING_LATE = 13  # days late: the row shows red where there are some
TRACKING_NULLABLE = (5, 12, 13)  # delivery date, days open, days late: often blank
EXPENSE_COLUMNS = _cols(
    ("编码", "Code", "text", 9), ("业务员", "Salesperson", "text", 11),
    ("预算归属", "Budget of", "text", 10), ("费用类别", "Category", "text", 12),
    ("月份", "Month", "text", 9), ("预算", "Budget", "money", 14),
    ("已报销", "Spent", "money", 14), ("剩余", "Remaining", "money", 14),
    ("回款金额", "Receipts", "money", 14), ("费用率", "Expense ratio", "pct", 10))
EXPENSE_REMAINING = 7  # red where a month's budget was overspent (an approved claim)
EXPENSE_NULLABLE = (5, 7, 8, 9)  # budget, remaining, receipts, 费用率: often blank
# 报销汇总 (expense_summary.py), its one sheet
CLAIM_COLUMNS = _cols(
    ("业务员", "Salesperson", "text", 14), ("报销单号", "Claim No.", "text", 14),
    ("报销日期", "Claim date", "date", 11), ("费用日期", "Spent on", "date", 11),
    ("费用类别", "Category", "text", 12), ("金额", "Amount", "money", 13),
    ("发票张数", "Invoices", "int", 8), ("客户编码", "Customer", "text", 10),
    ("事由", "Description", "text", 26), ("审批号", "Approval", "text", 17))
QUOTE_COLUMNS = _cols(
    ("编码", "Code", "text", 9), ("业务员", "Salesperson", "text", 11),
    ("报价单数", "Quotations", "int", 9), ("已审批", "Approved", "int", 9),
    ("已成交", "Converted", "int", 9), ("已过期", "Expired", "int", 9),
    ("报价金额", "Amount quoted", "money", 14), ("成交订单金额", "Amount ordered", "money", 14),
    ("转化率", "Conversion rate", "pct", 10))
QUOTE_NULLABLE = (8,)  # the rate: blank without approved quotations
COMPLAINT_COLUMNS = _cols(
    ("统计维度", "By", "text", 9), ("项目", "Item", "text", 12), ("名称", "Name", "text", 18),
    ("投诉数", "Complaints", "int", 9), ("已解决", "Resolved", "int", 9),
    ("未解决", "Open", "int", 9), ("其中逾期", "Overdue", "int", 9),
    ("平均解决天数", "Avg. days to resolve", "qty", 11),
    ("平均满意度", "Avg. satisfaction", "qty", 10))
COMPLAINT_OVERDUE = 6  # red where open complaints are past their due date
COMPLAINT_NULLABLE = (7, 8)  # the averages: blank where none was resolved or scored
VISIT_COLUMNS = _cols(
    ("业务员", "Salesperson", "text", 11), ("周开始日期", "Week starting", "date", 12),
    ("计划拜访", "Planned", "int", 10), ("完成拜访", "Done", "int", 10),
    ("计划外拜访", "Unplanned", "int", 10), ("完成率", "Completion", "pct", 10))
DETAIL_COLUMNS = _cols(
    ("订单号", "Order No.", "text", 16), ("订单日期", "Order date", "date", 11),
    ("客户编码", "Customer code", "text", 11), ("客户名称", "Customer", "text", 24),
    ("业务员", "Salesperson", "text", 10), ("产品编码", "Product code", "text", 11),
    ("产品名称", "Product", "text", 20), ("规格", "Spec", "text", 12),
    ("单位", "Unit", "text", 7), ("数量", "Quantity", "qty", 10),
    ("单价", "Unit price", "price", 12), ("金额", "Amount", "money", 14))
DETAIL_AMOUNT = 11  # model.DetailRow holds its fields in the order of DETAIL_COLUMNS
NOTES_COLUMNS = _cols(("指标", "Item", "text", 24), ("定义", "Definition", "text", 100))
