from ..forms.kinds import Choice, Field, FieldType, Kind, Ref
from ..rules.derive import derive_statement_reply
from ..rules.statement_reply import check_statement_reply

T = FieldType

# The customer's reply to a 对账函 (对账回函): written pre-filled beside every letter, filled by
# the assistant from the customer's signed copy and dropped into the inbox. The statement number
# is its identity: a new version of the same statement's reply revises the answer (the earlier
# one is kept as superseded), so a customer who first disputes and then agrees is recorded so.
STATEMENT_REPLY = Kind(
    name="statement_reply",
    zh="对账回函",
    en="Statement reply",
    version=1,
    header=(
        Field("statement_no", "对账函编号", "Statement No.", T.CODE, required=True, width=24,
              aliases=("对账单号", "对账编号")),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER, aliases=("客户代码", "客户")),
        Field("reply", "核对结果", "Reply", T.ENUM, required=True, width=16,
              choices=(Choice("agreed", "核对相符", "Agreed"),
                       Choice("disputed", "核对不符", "Disputed")),
              aliases=("回函结果",)),
        Field("replied_on", "回函日期", "Replied on", T.DATE, required=True),
        Field("customer_balance", "客户确认余额", "Customer's balance", T.MONEY,
              hint_zh="核对不符时必填：客户账上的余额", hint_en="required when disputed: the "
              "balance in the customer's books"),
        Field("remarks", "备注", "Remarks", T.TEXT, width=30),
    ),
    table="disputes",
    columns=(
        Field("item", "不符项目", "Item", T.TEXT, width=24),
        Field("our_amount", "我方金额", "Our amount", T.MONEY, width=14),
        Field("their_amount", "客户金额", "Their amount", T.MONEY, width=14),
        Field("note", "说明", "Note", T.TEXT, width=30),
    ),
    lines_required=False,  # an agreed reply has no disputed items
    identity=("statement_no",),
    priority=60,
    owner_field=None,  # filed by the assistant for any customer
    header_table="statement_replies",
    # From the issued statement: our closing balance, the customer's (ours when agreed) and
    # their difference, theirs − ours; what status and the summary workbook show.
    derived_header=(
        Field("our_balance", "我方余额", "Our balance", T.MONEY),
        Field("their_balance", "客户余额", "Their balance", T.MONEY),
        Field("difference", "差额", "Difference", T.MONEY),
    ),
    header_indexes=(("statement_no",), ("customer_code",)),
    line_indexes=(("document_id",),),
    instructions_zh=(
        "本表由系统随对账函生成，对账函编号和客户编码已填好，请勿修改。",
        "客户寄回签章的对账函后，请按客户的确认填写核对结果（核对相符/核对不符）和回函日期；"
        "核对不符时必须填写客户确认余额，并在明细中逐项列出不符项目（我方金额、客户金额、说明）。",
        "填好后放入收件箱。同一对账函再次提交即为更正，新版本替代旧版本。",
        "对账函重新出具（余额变化）后，旧编号作废，请使用新对账函所附的回函。",
    ),
    instructions_en=(
        "This form comes with the reconciliation letter; the statement number and customer are "
        "filled in. Please leave them as they are.",
        "Once the customer returns the signed letter, fill in the reply (agreed / disputed) and "
        "the date; when disputed, the customer's balance is required, and list each disputed "
        "item (our amount, their amount, note) in the table.",
        "Drop the form into the inbox. Submitting it again for the same statement corrects the "
        "reply; the earlier version is kept.",
        "When a statement is issued again with a changed balance, the earlier number is void: "
        "use the reply form that comes with the new letter.",
    ),
    derive=derive_statement_reply,
    check=check_statement_reply,
)
