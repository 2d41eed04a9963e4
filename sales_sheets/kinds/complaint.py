"""客户投诉/售后 (spec 4e): a customer's complaint, filed by the salesperson or the assistant,
and what became of it. The complaint number is its identity: each later version of it records
the progress, then the resolution and the 回访's satisfaction score; the earlier versions stay
as superseded, so the register keeps its history. Its due date is the form's, else the
received day plus `[complaints.days]` of its severity; one still open after it is told to its
salesperson and their manager (complaint_overdue, in the daily digest)."""

from ..config import COMPLAINT_SEVERITIES
from ..forms.kinds import Choice, Field, FieldType, Kind, Ref
from ..rules.complaint import check_complaint, derive_complaint

T = FieldType

COMPLAINT = Kind(
    name="complaint",
    zh="客户投诉",
    en="Customer complaint",
    version=1,
    header=(
        Field("complaint_no", "投诉编号", "Complaint No.", T.CODE, required=True,
              aliases=("投诉单号", "编号")),
        Field("received_on", "受理日期", "Received on", T.DATE, required=True,
              aliases=("投诉日期", "日期")),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER, aliases=("客户代码", "客户")),
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True, ref=Ref.SALESPERSON,
              aliases=("业务员编码",)),
        Field("order_no", "订单号", "Order No.", T.CODE, aliases=("订货单号",),
              hint_zh="涉及的订单（如有）", hint_en="the order concerned, if any"),
        Field("product_code", "产品编码", "Product code", T.CODE, ref=Ref.PRODUCT,
              aliases=("产品代码", "物料编码")),
        Field("category", "投诉类别", "Category", T.ENUM, required=True, width=10,
              choices=(Choice("quality", "质量", "Quality"),
                       Choice("delivery", "交期", "Delivery"),
                       Choice("service", "服务", "Service"),
                       Choice("warranty", "三包", "Warranty"),
                       Choice("other", "其他", "Other")),
              aliases=("类别",)),
        Field("severity", "严重程度", "Severity", T.ENUM, width=10,
              choices=tuple(Choice(value, zh, en) for value, zh, en in COMPLAINT_SEVERITIES),
              hint_zh="不填为一般", hint_en="empty: normal"),
        Field("description", "投诉内容", "Description", T.TEXT, required=True, width=40,
              aliases=("问题描述", "内容")),
        Field("due_on", "处理期限", "Due on", T.DATE,
              hint_zh="不填按严重程度计算", hint_en="empty: from the severity"),
        Field("resolved_on", "解决日期", "Resolved on", T.DATE, aliases=("处理完成日期",)),
        Field("resolution", "处理结果", "Resolution", T.TEXT, width=40,
              aliases=("处理措施", "处理情况"), hint_zh="填写解决日期时必填",
              hint_en="required with the resolved date"),
        Field("satisfaction", "满意度", "Satisfaction", T.INTEGER, width=8,
              aliases=("客户满意度", "回访满意度"), hint_zh="回访后填写 1–5",
              hint_en="1–5, after the follow-up call"),
        Field("remarks", "备注", "Remarks", T.TEXT, width=30, aliases=("处理进展", "进展")),
    ),
    identity=("complaint_no",),
    lines_required=False,
    priority=70,  # after the orders of the same batch, which it may name
    header_table="complaints",
    header_indexes=(("complaint_no",), ("customer_code", "received_on"),
                    ("salesperson", "received_on")),
    instructions_zh=(
        "带 * 的为必填项；客户编码、业务员、产品编码、投诉类别、严重程度请从下拉列表中选择。",
        "处理期限可不填：按严重程度（一般/重要/紧急）从受理日期起算，天数见 config.toml 的 "
        "[complaints.days]。过期未解决的投诉会通知业务员及其片区经理。",
        "处理过程中再次提交同一投诉编号即记录进展（新版本替代旧版本，旧版本留档）；"
        "解决后填写解决日期和处理结果，回访后填写满意度（1–5）。",
    ),
    instructions_en=(
        "Fields marked * are required; pick the customer, salesperson, product, category and "
        "severity from the lists.",
        "Due on may be left empty: it is counted from the day received by the severity "
        "(normal / important / urgent), see [complaints.days] in config.toml. A complaint "
        "still open after it is told to the salesperson and their manager.",
        "Submit the same complaint number again to record progress (the new version replaces "
        "the old one, which is kept); once resolved, fill in the resolved date and the "
        "resolution, and after the follow-up call the satisfaction score (1–5).",
    ),
    derive=derive_complaint,
    check=check_complaint,
)
