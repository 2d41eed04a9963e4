from ..forms.kinds import Choice, Field, FieldType, Kind, Output, Ref
from ..rules.derive import derive_order
from ..rules.hold_facts import order_hold_facts
from ..rules.order import check_order

T = FieldType

ORDER = Kind(
    name="order",
    zh="订货单",
    en="Order",
    version=1,
    header=(
        Field("order_no", "订单号", "Order No.", T.CODE, required=True,
              aliases=("订货单号", "单号")),
        Field("order_date", "订货日期", "Order date", T.DATE, required=True, aliases=("日期",)),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True, ref=Ref.CUSTOMER,
              aliases=("客户代码", "客户")),
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True, ref=Ref.SALESPERSON,
              aliases=("业务员编码",)),
        Field("delivery_address", "送货地点", "Delivery address", T.TEXT, required=True, width=30,
              aliases=("交货地点", "收货地址")),
        Field("delivery_date", "交货日期", "Delivery date", T.DATE),
        Field("delivery_method", "交货方式", "Delivery method", T.ENUM,
              choices=(Choice("delivery", "送货", "Delivery"), Choice("pickup", "自提", "Pickup"))),
        Field("vehicle_or_picker", "车号/提货人", "Vehicle / picker", T.TEXT),
        Field("price_approval_no", "优惠价格审批号", "Price approval No.", T.TEXT),
        Field("overdue_approval_no", "逾期发货审批号", "Overdue approval No.", T.TEXT),
        Field("remarks", "备注", "Remarks", T.TEXT, width=30),
        Field("quote_no", "报价单号", "Quotation No.", T.CODE, aliases=("报价编号",),
              hint_zh="按报价单订货时填写", hint_en="when ordering on a quotation"),
    ),
    table="order_lines",
    columns=(
        Field("product_code", "产品编码", "Product code", T.CODE, required=True, ref=Ref.PRODUCT,
              aliases=("产品代码", "物料编码")),
        Field("product_name", "产品名称", "Product name", T.TEXT, width=20, aliases=("品名",)),
        Field("spec", "规格型号", "Spec", T.TEXT, aliases=("规格",)),
        Field("quantity", "数量", "Quantity", T.QUANTITY, required=True, width=10),
        Field("unit", "单位", "Unit", T.TEXT, width=8),
        Field("unit_price", "单价", "Unit price", T.MONEY, required=True, width=12,
              aliases=("含税单价",)),
        Field("amount", "金额", "Amount", T.MONEY, width=14, aliases=("含税金额",)),
        Field("remark", "行备注", "Line remark", T.TEXT, width=20),
    ),
    line_key=("product_code", "spec"),
    identity=("order_no",),
    priority=40,
    header_table="orders",
    derived_header=(
        Field("total", "合计", "Total", T.MONEY, required=True),
        # The approval of the quotation the order follows (its number when it needed none).
        Field("quote_approval", "报价审批号", "Quotation approval", T.TEXT),
    ),
    derived_columns=(Field("tax_rate", "税率", "Tax rate", T.RATE, required=True),),
    header_indexes=(("order_no",), ("customer_code", "order_date")),
    line_indexes=(("document_id",),),
    approvable="order_no",
    writes=(Output.CONTRACT, Output.INVOICE_NOTICE),
    instructions_zh=(
        "带 * 的为必填项；客户编码、业务员、产品编码请从下拉列表中选择。",
        "新客户须先提交客户档案建档，再下订单。",
        "单价低于价目表价时须填写优惠价格审批号；客户有逾期应收款时须填写逾期发货审批号。",
        "按已审批的报价单订货时填写报价单号：在报价有效期内、同一客户、不低于报价单价的产品"
        "不再做优惠价格审批。",
        "金额可不填，系统按 数量×单价 计算。明细行可以在表格下方继续添加。",
        "同一订单号再次提交即为修改，新版本替代旧版本，旧版本留档。",
    ),
    instructions_en=(
        "Fields marked * are required; pick customer, salesperson and product codes from the "
        "lists.",
        "A new customer needs a customer record before the first order.",
        "A unit price below the list price needs a price approval number; a customer with overdue "
        "receivables needs an overdue approval number.",
        "Ordering on an approved quotation, give its number: within its validity, for the same "
        "customer, products at no less than the quoted price need no price approval again.",
        "Amount may be left empty: quantity \u00d7 unit price is used. Lines may continue below "
        "the table.",
        "Submitting the same order number again revises the order; the old version is kept.",
    ),
    derive=derive_order,
    check=check_order,
    hold_facts=order_hold_facts,
)
