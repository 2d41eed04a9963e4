from ..forms.kinds import Field, FieldType, Kind, Offer, Ref
from ..rules.expenses import check_expense, derive_expense
from ..rules.hold_facts import expense_hold_facts

T = FieldType

# The expense claim (费用报销单): a salesperson's expenses, each line judged against their
# month's budget in its category and the category's cap; held for approval (reason `expense`)
# when over either.
EXPENSE = Kind(
    name="expense",
    zh="费用报销单",
    en="Expense claim",
    version=1,
    header=(
        Field("claim_no", "报销单号", "Claim No.", T.CODE, required=True, aliases=("单号",)),
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True, ref=Ref.SALESPERSON,
              aliases=("报销人",)),
        Field("claim_date", "报销日期", "Claim date", T.DATE, required=True, aliases=("日期",)),
        Field("remarks", "备注", "Remarks", T.TEXT, width=30),
    ),
    table="expense_lines",
    columns=(
        Field("spent_on", "费用日期", "Date spent", T.DATE, required=True, width=12,
              aliases=("发生日期",)),
        Field("category", "费用类别", "Category", T.TEXT, required=True, width=14,
              offers=Offer.EXPENSE_CATEGORIES, aliases=("类别",)),
        Field("amount", "金额", "Amount", T.MONEY, required=True, width=12,
              aliases=("报销金额",)),
        Field("invoice_count", "单据张数", "Invoices", T.INTEGER, width=10,
              aliases=("发票张数", "附件张数")),
        Field("customer_code", "拜访客户", "Customer visited", T.CODE, ref=Ref.CUSTOMER,
              aliases=("客户编码",)),
        Field("description", "事由", "What for", T.TEXT, required=True, width=30,
              aliases=("用途", "说明")),
    ),
    identity=("claim_no",),
    priority=60,
    header_table="expense_claims",
    derived_header=(Field("total", "合计", "Total", T.MONEY, required=True),),
    derived_columns=(
        Field("month", "费用月份", "Month", T.PERIOD, required=True),
        Field("cap", "单笔上限", "Cap", T.MONEY),
    ),
    header_indexes=(("claim_no",), ("salesperson", "claim_date")),
    line_indexes=(("document_id",), ("month", "category")),
    approvable="claim_no",
    serialised_by=("salesperson",),
    instructions_zh=(
        "带 * 的为必填项；业务员、费用类别、拜访客户请从下拉列表中选择。",
        "每笔费用一行：费用日期、类别、金额、单据张数、拜访的客户和事由。",
        "按费用日期所在月份与本人该类别的月度预算比较：超出预算，或单笔超出该类别的上限，"
        "报销单转审批，审批通过后方可支付。",
        "同一报销单号再次提交即为修改，新版本替代旧版本，旧版本留档。",
    ),
    instructions_en=(
        "Fields marked * are required; pick the salesperson, the category and the customer "
        "visited from the lists.",
        "One line per expense: the date spent, category, amount, number of invoices, the "
        "customer visited and what it was for.",
        "Each line counts against your budget of its category in the month it was spent: a "
        "claim over budget, or with a line above the category's cap, waits for approval before "
        "it is paid.",
        "Submitting the same claim number again revises the claim; the old version is kept.",
    ),
    derive=derive_expense,
    check=check_expense,
    hold_facts=expense_hold_facts,
)
