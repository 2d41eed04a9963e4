from ..forms.kinds import Field, FieldType, Kind, Offer
from ..rules.expenses import check_budget

T = FieldType

# The expense budget (费用预算): a manager's budget of one salesperson's or one region's
# expenses by category, for a year, a quarter or a month. A year's or a quarter's is spread
# over its months unless a month has its own (rules/expenses.py).
BUDGET = Kind(
    name="budget",
    zh="费用预算",
    en="Expense budget",
    version=1,
    header=(
        Field("owner", "预算对象", "Owner", T.CODE, required=True, width=16,
              offers=Offer.BUDGET_OWNERS,
              hint_zh="业务员编码或片区", hint_en="a salesperson code or a region",
              aliases=("业务员", "片区")),
        Field("period", "预算期间", "Period", T.PERIOD, required=True,
              hint_zh="2026 / 2026-Q4 / 2026-11", hint_en="2026 / 2026-Q4 / 2026-11",
              aliases=("期间",)),
    ),
    table="budget_lines",
    columns=(
        Field("category", "费用类别", "Category", T.TEXT, required=True, width=16,
              offers=Offer.EXPENSE_CATEGORIES, aliases=("类别",)),
        Field("amount", "预算金额", "Budget", T.MONEY, required=True, width=14,
              aliases=("金额",)),
    ),
    line_key=("category",),
    identity=("owner", "period"),
    priority=35,  # before the claims of the same batch it budgets
    header_table="budgets",
    header_indexes=(("owner", "period"),),
    line_indexes=(("document_id",),),
    owner_field="owner",
    serialised_by=("owner",),
    instructions_zh=(
        "预算对象填业务员编码或片区名称；预算期间填年度（2026）、季度（2026-Q4）或月份（2026-11）。",
        "每个费用类别一行，类别从下拉列表中选择；金额不能为负数。",
        "年度、季度预算平均分到各月（精确到分，尾差计入最后一个月）；某月另有月度预算的，以月度预算为准。",
        "同一预算对象、同一期间再次提交即为修改，新版本替代旧版本，旧版本留档。",
    ),
    instructions_en=(
        "Owner is a salesperson code or a region; period is a year (2026), a quarter (2026-Q4) "
        "or a month (2026-11).",
        "One line per expense category, picked from the list; amounts must not be negative.",
        "A year's or a quarter's budget is spread evenly over its months (to the fen, the "
        "remainder on the last month); a month with a monthly budget of its own keeps that.",
        "Submitting the same owner and period again revises the budget; the old version is "
        "kept.",
    ),
    check=check_budget,
)
