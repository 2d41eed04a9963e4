from ..forms.kinds import Choice, Field, FieldType, Kind, Ref
from ..rules.approval import check_approval
from ..rules.derive import derive_approval
from ..text import Text

T = FieldType

# The approval form (审批单): written pre-filled for every held document as its request, and
# blank by `sales-sheets template approval` for a standing month-ahead approval. The approver
# fills the decision block and drops it into the inbox.
APPROVAL = Kind(
    name="approval",
    zh="审批单",
    en="Approval",
    version=1,
    header=(
        Field("approval_type", "审批类型", "Approval type", T.ENUM, required=True, width=22,
              choices=(Choice("document", "单据审批", "Held document"),
                       Choice("standing", "逾期客户月度发货审批", "Standing overdue approval"))),
        Field("document_no", "单据号", "Document No.", T.CODE,
              aliases=("订单号", "退货单号", "报销单号")),
        Field("document_version", "单据版本", "Document version", T.INTEGER),
        Field("reasons", "审批事项", "Held for", T.TEXT, width=30),
        # Required for a standing approval (rules/approval.py); a held expense claim has none.
        Field("customer_code", "客户编码", "Customer code", T.CODE, ref=Ref.CUSTOMER),
        Field("salesperson", "业务员", "Salesperson", T.CODE),
        Field("amount", "单据金额", "Document amount", T.MONEY),
        Field("period", "发货月份", "Month", T.PERIOD,
              hint_zh="月度审批：如 2026-12", hint_en="standing approvals: e.g. 2026-12"),
        Field("amount_cap", "发货金额上限", "Amount cap", T.MONEY,
              hint_zh="月度审批：本月发货合计不超过", hint_en="standing: the month's orders up to"),
        Field("decision", "审批结果", "Decision", T.ENUM,
              choices=(Choice("approve", "同意", "Approve"),
                       Choice("decline", "不同意", "Decline"))),
        Field("approval_no", "审批号", "Approval No.", T.TEXT,
              hint_zh="可不填，系统自动编号", hint_en="may be left blank: one is assigned"),
        Field("approver", "审批人", "Approver", T.CODE, required=True),
        Field("approved_on", "审批日期", "Approved on", T.DATE),
        Field("remarks", "审批意见", "Remarks", T.TEXT, width=30),
    ),
    table="approval_lines",
    columns=(
        Field("reason", "事项", "Reason", T.TEXT, width=16),
        Field("item", "项目", "Item", T.TEXT, width=22),
        Field("list_price", "价目表价", "List price", T.MONEY, width=12),
        Field("offered_price", "申请价格", "Offered price", T.MONEY, width=12),
        Field("discount", "折扣", "Discount", T.RATE, width=9),
        Field("quantity", "数量", "Quantity", T.QUANTITY, width=10),
        Field("amount", "金额", "Amount", T.MONEY, width=14),
        Field("note", "说明", "Note", T.TEXT, width=30),
    ),
    lines_required=False,
    priority=70,  # after the orders and returns of the same batch it may decide
    named_by=(("document_no",), ("customer_code", "period")),
    header_table="approvals",
    # The held document an approval decided (none for a standing approval).
    derived_header=(Field("target_document_id", "所审单据", "Decided document", T.DOCUMENT),),
    header_indexes=(("target_document_id",), ("customer_code", "period")),
    line_indexes=(("document_id",),),
    decides=True,
    owner_field="approver",
    # What the approver signs on paper; 签字日期 rather than 日期, which an order's date answers to.
    sign_off=(Text("审批人签字", "Approver's signature"), Text("签字日期", "Date")),
    instructions_zh=(
        "单据审批：本表由系统为每张待审批单据生成，上半部分和明细为审批依据，请勿修改。",
        "请填写审批结果（同意/不同意）、审批人（您的编码）、审批日期和审批意见；审批号可不填，"
        "系统自动编号。填好后放入收件箱（启用权限时放入您自己的文件夹）。",
        "同意：单据即被接收并生成合同；不同意：单据状态为“已否决”，业务员可提交新版本。",
        "逾期客户月度发货审批：审批类型选“逾期客户月度发货审批”，填写客户编码、发货月份"
        "（如 2026-12）和发货金额上限；批准后该客户当月订单在上限内不再因逾期而待审批。",
    ),
    instructions_en=(
        "Held document: this form is written for every held document; the upper part and the "
        "lines are what to weigh. Please leave them as they are.",
        "Fill in the decision (approve / decline), the approver (your code), the date and your "
        "remarks; the approval number may be left blank and one is assigned. Drop the form into "
        "the inbox (your own folder when access is enforced).",
        "Approve: the document is accepted and its contract written. Decline: the document is "
        "declined, and the salesperson may submit a new version.",
        "Standing overdue approval: choose that approval type and fill in the customer, the "
        "month (e.g. 2026-12) and the amount cap; once approved, that customer's orders in that "
        "month are not held for being overdue while they stay within the cap.",
    ),
    derive=derive_approval,
    check=check_approval,
)
