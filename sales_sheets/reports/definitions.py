"""What the figures of the summary workbook mean, written into its 说明 (Notes) sheet.

The texts describe what kpis.py computes; change them together.
"""

from __future__ import annotations

from ..text import Text

# (key, 中文, English); the workbook shows them in this order.
_DEFINITIONS: list[tuple[str, str, str]] = [
    (
        "what_counts",
        "统计口径：只统计已接收的订单；待审批（暂挂）订单单列为“待审批订单”，不计入实际订单金额；"
        "被新版本替代的订单版本不统计。回款计入回款单上注明的业务员，未注明的计入该客户的负责业务员。",
        "What counts: accepted orders only. Held orders are pending: they are shown apart as "
        "\u201cheld orders\u201d and not counted in the actual amount. Superseded versions of an "
        "order are not counted. A receipt is credited to the salesperson named on it, otherwise "
        "to the customer's own salesperson.",
    ),
    (
        "amounts",
        "金额：人民币元，含税，精确到分；占比、达成率等比率以百分比显示。",
        "Amounts: yuan (RMB), tax included, exact to the fen; ratios are shown as percentages.",
    ),
    (
        "achievement",
        "计划达成率 = 实际订单金额 ÷ 销售目标。实际订单金额为订单日期在本期内的已接收订单金额合计；"
        "没有销售目标时不计算（留空）。",
        "Plan achievement = actual order amount \u00f7 sales target. The actual order amount is "
        "the total of accepted orders dated in the period; left blank where there is no target.",
    ),
    (
        "targets",
        "季度、年度目标：取该季度或年度的计划；没有这一粒度的计划时，取所含各月计划之和。",
        "Targets for a quarter or a year: the plan for that quarter or year; where no plan of "
        "that granularity exists, the sum of the monthly plans it covers.",
    ),
    (
        "collection_rate",
        "回款率 = 回款金额 ÷ 回款目标。回款金额为回款日期在本期内的回款合计；"
        "没有回款目标时不计算（留空）。",
        "Collection rate = receipts \u00f7 collection target. Receipts are those dated in the "
        "period; left blank where there is no collection target.",
    ),
    (
        "new_customers",
        "新客户：客户档案建档日期在本期内，且本期内至少有一张已接收订单的客户。",
        "New customers: customers whose record was created in the period and who have at least "
        "one accepted order in it.",
    ),
    (
        "new_customer_rate",
        "新客户达成率 = 新客户数 ÷ 新客户目标；没有目标时不计算（留空）。",
        "New-customer rate = new customers \u00f7 new-customer target; left blank where there is "
        "no target.",
    ),
    (
        "visit_completion",
        "拜访完成率 = 计划内且已拜访的次数 ÷ 计划拜访次数。计划外拜访单列，不计入完成率。",
        "Visit completion = planned visits that were made \u00f7 planned visits. Unplanned visits "
        "are shown apart and do not count towards completion.",
    ),
    (
        "share",
        "占比 = 本行金额 ÷ 全部金额；累计占比为按金额从高到低排列后逐行累加的占比。",
        "Share = the row's amount \u00f7 the total amount; the cumulative share adds the shares "
        "up from the largest amount down.",
    ),
    (
        "abc",
        "ABC分类：客户按本期订单金额从高到低排列，看排在它前面的客户的累计占比："
        "不足80%为A类（第一名总是A类），不足95%为B类，其余为C类。",
        "ABC class: customers ranked by order amount in the period and classed by the "
        "cumulative share of the customers ranked above them: below 80 % A (so the first is "
        "always A), below 95 % B, C the rest.",
    ),
    (
        "due_date",
        "到期日 = 应收起算日 + 客户账期天数。起算日按 config.toml 的 [receivables] basis："
        "订单日期（默认）、每次发货日期（按发货金额）或每张发票的开票日期（按开票金额）。",
        "Due date = the day the receivable runs from + the customer's payment days. That day "
        "is set by [receivables] basis in config.toml: the order date (the default), each "
        "delivery's date (for the value delivered) or each invoice's date (for its amount).",
    ),
    (
        "aging",
        "应收账龄：截至期末日计算。回款和退货先冲抵最早的应收；未冲抵的金额按逾期天数"
        "（截至日 − 到期日）分为未到期、逾期1–30天、31–60天、61–90天、90天以上。",
        "Receivables aging: as of the period's last day. Receipts and returns are applied to "
        "the oldest items first; what remains is bucketed by days overdue (as-of date \u2212 "
        "due date): not yet due, 1\u201330, 31\u201360, 61\u201390 and over 90 days "
        "overdue.",
    ),
    (
        "credit_use",
        "授信使用率 = 应收余额 ÷ 授信额度；未设授信额度的客户不计算（留空）。",
        "Credit use = balance \u00f7 credit limit; left blank for customers without a credit "
        "limit.",
    ),
    (
        "pending",
        "待审批：期末日或之前提交、至今仍暂挂（未获审批）的订单和退货，最早提交的在前；"
        "待审天数 = 期末日 − 提交日期。期末后才获批的单据不再列出。",
        "Pending approvals: orders and returns stored on or before the period's last day and "
        "still held now, the oldest first; days pending = the period's last day \u2212 the day "
        "it was stored. A document approved after the period's end is no longer listed.",
    ),
    (
        "replies",
        "对账回函：每个客户截至期末日已结束期间的最新对账函（余额变化后重新出具的，取新编号）。"
        "状态：已发出（未到回函截止日）、核对相符、核对不符、逾期未回（截止日后仍未回函；"
        "截止日为对账期间结束后次月的 [statements] reply_by_day 日，默认 15 日）。"
        "差额 = 客户余额 − 我方余额；逾期天数 = 期末日 − 截止日。"
        "回函率 = 已回函（相符或不符）÷ 已发出。",
        "Statement replies: each customer's latest statement of a period ended by the period's "
        "last day (a statement issued again after its balance changed counts by its new "
        "number). Status: sent (reply not yet due), agreed, disputed, or overdue (no reply after "
        "the reply-by day: [statements] reply_by_day of the month after the statement's "
        "period, by default the 15th). Difference = their balance \u2212 ours; days overdue = "
        "the period's last day \u2212 the reply-by day. Reply rate = replied (agreed or "
        "disputed) \u00f7 issued.",
    ),
    (
        "tracking",
        "销售跟单：本期内的已接收订单，以及本期前的、期末仍未完结（未全部发货、开票或收款）的已接收订单，"
        "均按期末日计。订单金额 = 订单合计；"
        "已发货 = 期末日及之前各发货单所发数量按订单单价计的金额；"
        "已开票 = 期末日及之前的开票登记金额合计；已收款 = 期末日及之前注明该订单的回款；"
        "已退货 = 期末日及之前已接收的退货金额；未结金额 = 订单金额 − 已退货 − 已收款。"
        "全部发货：已发货 + 已退货 ≥ 订单金额；全部开票：已开票 + 已退货 ≥ 订单金额；"
        "全部收款：未结金额 ≤ 0；三者都满足即完结。"
        "在途天数 = 期末日 − 订单日期（完结的留空）；延迟天数 = 期末日 − 交货日期"
        "（过了交货日期仍未全部发货的订单，红字标出；否则留空）。按业务员、订单号排列，每个业务员一行小计。",
        "Order tracking: the accepted orders dated in the period, and those dated before it that "
        "are still open at its end (not fully delivered, invoiced or paid), all as of the "
        "period's last day. Ordered = the order's total; delivered = the value, at the order's "
        "unit prices, of what its deliveries dated by the period's end shipped; invoiced = its "
        "invoices registered by then; received = the receipts naming the order by then; "
        "returned = its accepted returns by then; outstanding = ordered \u2212 returned "
        "\u2212 received. Fully delivered: delivered + returned \u2265 ordered; fully invoiced: "
        "invoiced + returned \u2265 ordered; paid: outstanding \u2264 0; all three: settled. "
        "Days open = the period's last day \u2212 the order date (blank once settled); days "
        "late = the period's last day \u2212 the delivery date, for an order past its "
        "delivery date and not fully delivered (shown in red; blank otherwise). By "
        "salesperson and order number, with a subtotal per salesperson.",
    ),
    (
        "contract_progress",
        "合同台账的已发货、已开票、已收款：按订单号计至期末日，口径同销售跟单；合计只含已接收订单。",
        "Delivered, invoiced and received on the Contracts sheet: per order number up to the "
        "period's last day, as on Order tracking; the totals count accepted orders only.",
    ),
    (
        "expense_budget",
        "费用预算：每个业务员、费用类别、月份的已接收费用预算；年度、季度预算平均分摊到各月"
        "（有该月单独预算的以月预算为准）。业务员有自己的预算时显示在业务员行；"
        "没有自己的预算、由所属片区预算承担的，业务员行的预算和剩余留空、预算归属写片区名，"
        "片区预算单列为片区行（编码、业务员留空），其已报销为该片区全部业务员在该类别、该月的报销合计。",
        "Budget: the accepted expense budget of each salesperson, category and month; a year's "
        "or quarter's budget is spread evenly over its months (a month's own budget wins). A "
        "salesperson's own budget is shown on their rows; where they have none and their "
        "region's budget covers them, their rows leave budget and remaining blank and name the "
        "region under \u201cbudget of\u201d, and the region's budget is shown as a row of the "
        "region (code and salesperson blank), its spent being what all the region's "
        "salespeople claimed in that category and month.",
    ),
    (
        "expense_spent",
        "已报销：已接收（含审批通过）的费用报销单明细金额，按每行的费用日期计入月份；待审批、已退回的不计。",
        "Spent: the lines of accepted expense claims (approved ones included), each in the "
        "month of the day it was spent; held and rejected claims do not count.",
    ),
    (
        "expense_remaining",
        "剩余 = 预算 − 已报销；为负数（红字）表示超预算报销已获审批。业务员小计不计算剩余。",
        "Remaining = budget \u2212 spent; a negative remaining (in red) is spending over "
        "budget that was approved. Not computed on a salesperson's subtotal.",
    ),
    (
        "expense_ratio",
        "费用率 = 本期已报销合计 ÷ 本期回款金额（回款口径同回款率）；"
        "本期没有回款时不计算（留空）。",
        "Expense ratio = the period's spent total \u00f7 the period's receipts (receipts as for "
        "the collection rate); left blank where there are no receipts.",
    ),
    (
        "quotes",
        "报价转化：报价日期在本期内的报价单，按最新版本统计。已审批：已接收（设置了报价审批的须经总经理审批）；"
        "已成交：已审批且有已接收的订单注明其报价单号；已过期：已审批、未成交且期末已过有效期；"
        "报价金额为已审批报价单的合计，成交订单金额为注明报价单号的已接收订单合计；"
        "转化率 = 已成交 ÷ 已审批，没有已审批的报价单时留空。",
        "Quotations: those dated in the period, as their newest versions stand. Approved: "
        "accepted (by the general manager where quotation approval is set up); converted: "
        "approved and named by an accepted order; expired: approved, not converted and past "
        "its validity at the period's end. Amount quoted is the approved quotations' total, "
        "amount ordered the accepted orders naming them; conversion rate = converted \u00f7 "
        "approved, blank without approved quotations.",
    ),
    (
        "complaints",
        "投诉售后：本期受理的客户投诉，及本期之前受理、期初尚未解决的投诉，均按期末的最新版本统计；"
        "按投诉类别、产品（未注明产品的不列入产品行）、业务员分行，最后一行合计。"
        "已解决：解决日期不晚于期末；未解决：期末尚未解决；其中逾期：期末尚未解决且已过处理期限"
        "（处理期限为投诉单填写的，未填写的按严重程度从受理日期起算，见 [complaints.days]）。"
        "平均解决天数 = 已解决投诉的（解决日期 − 受理日期）的平均数；"
        "平均满意度 = 填写了回访满意度（1–5）的投诉的平均分；没有时留空。",
        "Complaints: those received in the period and those received before it still open at "
        "its start, each as its newest version stands at the period's end; by category, by "
        "product (complaints naming no product have no product row) and by salesperson, the "
        "total last. Resolved: resolved by the period's end; open: not resolved by then; "
        "overdue: open at the period's end and past the due date (the form's, or counted from "
        "the day received by the severity, see [complaints.days]). Average days to resolve = "
        "the mean of resolved \u2212 received over the resolved complaints; average "
        "satisfaction = the mean 1\u20135 score of the complaints scored after the follow-up "
        "call; blank where there are none.",
    ),
]

KPI_DEFINITIONS: list[tuple[str, Text]] = [(key, Text(zh, en)) for key, zh, en in _DEFINITIONS]

# The short name of each definition, for the first column of the Notes sheet.
KPI_NAMES: dict[str, Text] = {
    "what_counts": Text("统计口径", "What counts"),
    "amounts": Text("金额与比率", "Amounts and ratios"),
    "achievement": Text("计划达成率", "Plan achievement"),
    "targets": Text("季度/年度目标", "Quarter and year targets"),
    "collection_rate": Text("回款率", "Collection rate"),
    "new_customers": Text("新客户", "New customers"),
    "new_customer_rate": Text("新客户达成率", "New-customer rate"),
    "visit_completion": Text("拜访完成率", "Visit completion"),
    "share": Text("占比", "Share"),
    "abc": Text("ABC分类", "ABC class"),
    "due_date": Text("到期日", "Due date"),
    "aging": Text("账龄区间", "Aging buckets"),
    "credit_use": Text("授信使用率", "Credit use"),
    "pending": Text("待审批", "Pending approvals"),
    "replies": Text("对账回函", "Statement replies"),
    "tracking": Text("销售跟单", "Order tracking"),
    "contract_progress": Text("合同执行", "Contract progress"),
    "expense_budget": Text("费用预算", "Expense budget"),
    "expense_spent": Text("已报销", "Expenses spent"),
    "expense_remaining": Text("预算剩余", "Budget remaining"),
    "expense_ratio": Text("费用率", "Expense ratio"),
    "quotes": Text("报价转化", "Quotations"),
    "complaints": Text("投诉售后", "Complaints"),
}

# The appraisal's own entries (绩效考核, appraisal.py); its 说明 sheet shows the summary
# workbook's definitions of the metrics it scores (APPRAISAL_SHARED) and then these.
APPRAISAL_SHARED = ("what_counts", "targets", "achievement", "collection_rate",
                    "new_customers", "new_customer_rate", "visit_completion", "expense_ratio")
_APPRAISAL: list[tuple[str, str, str, str, str]] = [
    (
        "appraisal_score", "得分", "Score",
        "得分 = 各项权重 × 该项的得分率之和，满分100。权重（百分点，合计100）来自 config.toml 的"
        " [appraisal] weights，写在各列标题中。计划达成率、回款率、"
        "新客户拓展率（即销售汇总的新客户达成率）和拜访完成率的得分率就是该比率，超过100%的按100%计；费用率不超过"
        " [appraisal] expense_ratio_limit 的得分率为100%，超过的为 限额 ÷ 费用率。"
        "得分单元格是公式，可直接核对。",
        "Score = the sum of each metric's weight times its points rate, out of 100. The weights "
        "(percentage points adding up to 100) come from [appraisal] weights in config.toml and "
        "are shown in the column headings. For plan achievement, the collection rate, the "
        "new-customer rate and visit completion the points rate is the ratio itself, counting "
        "at most 100 %; an expense ratio up to [appraisal] expense_ratio_limit earns 100 %, "
        "above it limit \u00f7 expense ratio. The score cell is a formula that can be checked.",
    ),
    (
        "appraisal_blank", "无基数的指标", "Metrics without a base",
        "没有基数的指标（没有目标、没有计划拜访或没有回款）与销售汇总一样留空；留空的指标在得分中计0分。",
        "Metrics without a base (no target, no planned visits or no receipts) are left blank, "
        "as in the summary workbook; a blank metric earns no points in the score.",
    ),
    (
        "appraisal_rank", "排名", "Rank",
        "排名：按得分从高到低，得分相同的名次相同（Excel 的 RANK 公式）。",
        "Rank: by score, highest first; equal scores share a rank (Excel's RANK formula).",
    ),
    (
        "commission", "提成", "Commission",
        "提成 = 本期回款金额 × 提成比例，四舍五入到分。"
        "提成比例按计划达成率落在 [appraisal] commission 的哪一档："
        "每档从 at_least（含）起至下一档止；低于最低一档的没有提成；计划达成率留空的按0%计。",
        "Commission = the period's receipts \u00d7 the commission rate, rounded half up to the "
        "fen. The rate is that of the [appraisal] commission tier the plan achievement falls "
        "in: each tier from its at_least (inclusive) up to the next; below the lowest tier "
        "none; a blank plan achievement counts as 0 %.",
    ),
]
APPRAISAL_DEFINITIONS: list[tuple[str, Text]] = [
    (key, Text(zh, en)) for key, _, _, zh, en in _APPRAISAL]
APPRAISAL_NAMES: dict[str, Text] = {key: Text(zh, en) for key, zh, en, _, _ in _APPRAISAL}
