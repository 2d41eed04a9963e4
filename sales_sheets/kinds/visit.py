from ..forms.kinds import YES_NO, Field, FieldType, Kind, Ref
from ..rules.visit import check_visit

T = FieldType

VISIT = Kind(
    name="visit",
    zh="客户拜访表",
    en="Customer visits",
    version=1,
    header=(
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True, ref=Ref.SALESPERSON),
        Field("week_start", "周开始日期", "Week starting", T.DATE, required=True,
              hint_zh="星期一", hint_en="a Monday", aliases=("周一", "本周一")),
    ),
    table="visits",
    columns=(
        Field("visit_date", "拜访日期", "Visit date", T.DATE, required=True, width=12),
        Field("customer_code", "客户编码", "Customer code", T.CODE, ref=Ref.CUSTOMER),
        Field("prospect_name", "潜在客户名称", "Prospect name", T.TEXT, width=20),
        Field("purpose", "拜访目的", "Purpose", T.TEXT, required=True, width=20),
        Field("planned", "计划内", "Planned", T.YESNO, required=True, choices=YES_NO, width=8),
        Field("visited", "已拜访", "Visited", T.YESNO, required=True, choices=YES_NO, width=8),
        Field("outcome", "拜访结果", "Outcome", T.TEXT, width=24),
        Field("intent_amount", "意向金额", "Intended amount", T.MONEY, width=12),
        Field("competitor_info", "竞品信息", "Competitor info", T.TEXT, width=20),
        Field("complaint", "客户投诉", "Complaint", T.TEXT, width=20),
        Field("next_action", "下一步计划", "Next action", T.TEXT, width=20),
    ),
    line_key=("visit_date", "customer_code", "prospect_name"),
    identity=("salesperson", "week_start"),
    priority=70,
    header_table="visit_weeks",
    line_indexes=(("document_id",),),
    instructions_zh=(
        "周开始日期填本周星期一；拜访日期须在本周内。",
        "每行填写客户编码，尚未建档的潜在客户填写潜在客户名称。",
        "计划内、已拜访填“是”或“否”。周五对照计划与实际。",
        "同一业务员同一周再次提交即为更新，旧版本留档。",
    ),
    instructions_en=(
        "Week starting is the Monday of the week; visit dates must fall in that week.",
        "Give a customer code, or a prospect name for someone not yet on file.",
        "Planned and Visited take Yes or No. Plans are compared with visits every Friday.",
        "Submitting the same salesperson and week again replaces the earlier version.",
    ),
    check=check_visit,
)
