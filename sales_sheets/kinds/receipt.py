from ..forms.kinds import Field, FieldType, Kind, Ref
from ..rules.payments import check_receipts

T = FieldType

RECEIPT = Kind(
    name="receipt",
    zh="回款登记",
    en="Receipts",
    version=1,
    header=(),
    table="receipts",
    columns=(
        Field("receipt_date", "回款日期", "Receipt date", T.DATE, required=True, width=12),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER),
        Field("amount", "回款金额", "Amount", T.MONEY, required=True, width=14, aliases=("金额",)),
        Field("method", "回款方式", "Method", T.TEXT, width=10),
        Field("reference", "凭证号", "Reference", T.CODE, required=True, width=18,
              aliases=("银行流水号", "回款单号")),
        Field("order_no", "订单号", "Order No.", T.CODE),
        Field("salesperson", "业务员", "Salesperson", T.CODE, ref=Ref.SALESPERSON),
    ),
    line_key=("reference",),
    priority=60,
    line_indexes=(("customer_code", "receipt_date"),),
    unique_columns=("reference",),  # a bank slip is paid once, even against racing watchers
    owner_field=None,
    instructions_zh=(
        "由财务登记，每行一笔回款；凭证号（银行流水号）不能重复。",
        "填写订单号时须与客户一致；业务员不填时按客户的负责业务员统计。",
    ),
    instructions_en=(
        "Entered by finance, one receipt a line; the reference (bank slip) must be unique.",
        "An order number, when given, must belong to the customer; without a salesperson the "
        "customer's own salesperson is credited.",
    ),
    check=check_receipts,
)
