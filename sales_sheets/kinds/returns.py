from ..forms.kinds import Field, FieldType, Kind, Ref
from ..rules.delivery import ORDER
from ..rules.derive import derive_return
from ..rules.hold_facts import return_hold_facts
from ..rules.payments import check_return

T = FieldType

RETURN = Kind(
    name="return",
    zh="退货申请",
    en="Return",
    version=1,
    header=(
        Field("return_no", "退货单号", "Return No.", T.CODE, required=True),
        Field("return_date", "退货日期", "Return date", T.DATE, required=True),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER),
        Field("order_no", "原订单号", "Original order No.", T.CODE, required=True,
              aliases=("订单号",), refers_to=ORDER),
        Field("reason", "退货原因", "Reason", T.TEXT, required=True, width=30),
    ),
    table="return_lines",
    columns=(
        Field("product_code", "产品编码", "Product code", T.CODE, required=True, ref=Ref.PRODUCT),
        Field("quantity", "退货数量", "Quantity", T.QUANTITY, required=True, aliases=("数量",)),
        Field("unit_price", "单价", "Unit price", T.MONEY, required=True),
    ),
    line_key=("product_code",),
    identity=("return_no",),
    priority=65,
    header_table="returns",
    derived_header=(Field("total", "合计", "Total", T.MONEY, required=True),),
    header_indexes=(("order_no",), ("customer_code",)),
    line_indexes=(("document_id",),),
    approvable="return_no",
    owner_field=None,
    instructions_zh=(
        "退货须对应原订单；退货数量不能超过原订单数量（扣除已退）。",
        "单价按原订单单价填写。",
    ),
    instructions_en=(
        "A return refers to its original order; quantities cannot exceed what is still "
        "returnable.",
        "Use the unit price of the original order.",
    ),
    derive=derive_return,
    check=check_return,
    hold_facts=return_hold_facts,
)
