"""发货单: one shipment on an accepted order, partial or whole (spec 4b). It names its order,
which must be accepted, ships only products on it and, with every other delivery of the order,
no more than was ordered less what was returned. A new version of the same delivery number
replaces the old one."""

from ..forms.kinds import Field, FieldType, Kind, Offer, Ref
from ..rules.delivery import ORDER, check_delivery, derive_delivery

T = FieldType

DELIVERY = Kind(
    name="delivery",
    zh="发货单",
    en="Delivery note",
    version=1,
    header=(
        Field("delivery_no", "发货单号", "Delivery No.", T.CODE, required=True,
              aliases=("送货单号", "发货单编号")),
        Field("delivery_date", "发货日期", "Delivery date", T.DATE, required=True,
              aliases=("送货日期",)),
        Field("order_no", "订单号", "Order No.", T.CODE, required=True,
              aliases=("订货单号", "原订单号"), offers=Offer.OPEN_ORDERS, refers_to=ORDER),
        Field("customer_code", "客户编码", "Customer code", T.CODE, ref=Ref.CUSTOMER,
              hint_zh="可不填，按订单", hint_en="may be left blank: the order's"),
        Field("salesperson", "业务员", "Salesperson", T.CODE, ref=Ref.SALESPERSON,
              hint_zh="可不填，按订单", hint_en="may be left blank: the order's"),
        Field("vehicle_or_picker", "车号/提货人", "Vehicle / picker", T.TEXT),
        Field("signed_by", "签收人", "Signed by", T.TEXT),
        Field("remarks", "备注", "Remarks", T.TEXT, width=30),
    ),
    table="delivery_lines",
    columns=(
        Field("product_code", "产品编码", "Product code", T.CODE, required=True, ref=Ref.PRODUCT,
              offers=Offer.OPEN_ORDER_PRODUCTS, aliases=("产品代码", "物料编码")),
        Field("quantity", "发货数量", "Quantity", T.QUANTITY, required=True, width=10,
              aliases=("数量",)),
        Field("remark", "行备注", "Line remark", T.TEXT, width=20),
    ),
    line_key=("product_code",),
    identity=("delivery_no",),
    priority=50,  # after the orders of the same batch, which it may ship
    header_table="deliveries",
    header_indexes=(("order_no",), ("customer_code", "delivery_date")),
    line_indexes=(("document_id",),),
    instructions_zh=(
        "带 * 的为必填项；订单号和产品编码请从下拉列表中选择（列出尚未发完的已接收订单及其产品）。",
        "订单须已接收（待审批、已否决或已被替代的订单不能发货）；产品须在订单上。",
        "同一订单的各次发货合计不能超过订购数量减去退货数量。",
        "同一发货单号再次提交即为修改，新版本替代旧版本，旧版本留档。",
    ),
    instructions_en=(
        "Fields marked * are required; pick the order number and product codes from the lists "
        "(accepted orders not yet fully delivered, and their products).",
        "The order must be accepted (held, declined or superseded orders cannot be delivered); "
        "every product must be on it.",
        "All deliveries of an order together may not exceed the quantity ordered less returns.",
        "Submitting the same delivery number again revises the delivery; the old version is "
        "kept.",
    ),
    derive=derive_delivery,
    check=check_delivery,
)
