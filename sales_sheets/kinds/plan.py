from ..forms.kinds import Field, FieldType, Kind, Ref
from ..rules.plan import check_plan

T = FieldType

PLAN = Kind(
    name="plan",
    zh="销售计划",
    en="Sales plan",
    version=1,
    header=(
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True, ref=Ref.SALESPERSON),
        Field("period", "计划期间", "Period", T.PERIOD, required=True,
              hint_zh="2026 / 2026-Q4 / 2026-11", hint_en="2026 / 2026-Q4 / 2026-11",
              aliases=("期间",)),
    ),
    table="plan_lines",
    columns=(
        Field("customer_code", "客户编码", "Customer code", T.CODE, ref=Ref.CUSTOMER),
        Field("product_code", "产品编码", "Product code", T.CODE, ref=Ref.PRODUCT),
        Field("target_amount", "销售目标", "Sales target", T.MONEY, required=True, width=14),
        Field("target_collection", "回款目标", "Collection target", T.MONEY, width=14),
        Field("target_new_customers", "新客户目标", "New-customer target", T.INTEGER, width=12),
        Field("planned_visits", "计划拜访次数", "Planned visits", T.INTEGER, width=12),
    ),
    line_key=("customer_code", "product_code"),
    identity=("salesperson", "period"),
    priority=30,
    header_table="plans",
    line_indexes=(("document_id",),),
    instructions_zh=(
        "计划期间填年度（2026）、季度（2026-Q4）或月份（2026-11）。",
        "每行可按客户、产品分解；都不填表示该业务员的总目标。",
        "金额不能为负数。各月计划与季度、年度计划不一致时会提示。",
    ),
    instructions_en=(
        "Period is a year (2026), a quarter (2026-Q4) or a month (2026-11).",
        "Lines may break the target down by customer and product; leave both empty for a total.",
        "Amounts must not be negative. Monthly plans that disagree with the quarter or year are "
        "flagged.",
    ),
    check=check_plan,
)
