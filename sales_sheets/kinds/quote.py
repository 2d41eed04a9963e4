"""报价单 (spec 4e): the salesperson's quotation to a customer, or to a prospect not yet on the
customer list, with the customer's special requirements per line. With `[approvals] quote`
every quotation is held for the general manager (one 审批单 with the price facts, as for an
order); below a floor price it is rejected. An order naming the quotation (its `quote_no`)
within `valid_until`, for the same customer, is not held for price again on the quoted lines.
A new version of the same quotation number replaces the old one."""

from ..forms.kinds import Field, FieldType, Kind, Output, Ref
from ..rules.hold_facts import quote_hold_facts
from ..rules.quote import check_quote, derive_quote

T = FieldType

QUOTE = Kind(
    name="quote",
    zh="报价单",
    en="Quotation",
    version=1,
    header=(
        Field("quote_no", "报价单号", "Quotation No.", T.CODE, required=True,
              aliases=("报价编号", "单号")),
        Field("quote_date", "报价日期", "Quotation date", T.DATE, required=True,
              aliases=("日期",)),
        Field("customer_code", "客户编码", "Customer code", T.CODE, ref=Ref.CUSTOMER,
              aliases=("客户代码", "客户"), hint_zh="新客户未建档时不填，填潜在客户名称",
              hint_en="empty for a prospect: give the prospect's name"),
        Field("prospect_name", "潜在客户名称", "Prospect", T.TEXT, width=24,
              aliases=("客户名称",)),
        Field("salesperson", "业务员", "Salesperson", T.CODE, required=True, ref=Ref.SALESPERSON,
              aliases=("业务员编码",)),
        Field("valid_until", "有效期至", "Valid until", T.DATE, required=True,
              aliases=("报价有效期",)),
        Field("delivery_terms", "交货条件", "Delivery terms", T.TEXT, width=30,
              aliases=("交货期",)),
        Field("payment_terms", "付款方式", "Payment terms", T.TEXT, width=30,
              aliases=("付款条件",)),
        Field("remarks", "备注", "Remarks", T.TEXT, width=30),
    ),
    table="quote_lines",
    columns=(
        Field("product_code", "产品编码", "Product code", T.CODE, required=True, ref=Ref.PRODUCT,
              aliases=("产品代码", "物料编码")),
        Field("quantity", "数量", "Quantity", T.QUANTITY, required=True, width=10),
        Field("unit_price", "报价单价", "Quoted price", T.MONEY, required=True, width=12,
              aliases=("单价", "含税单价")),
        Field("remark", "特殊要求", "Special requirements", T.TEXT, width=30,
              aliases=("行备注", "客户要求")),
    ),
    line_key=("product_code",),
    identity=("quote_no",),
    priority=35,  # before the orders of the same batch, which may name it
    header_table="quotes",
    derived_header=(Field("total", "合计", "Total", T.MONEY, required=True),),
    derived_columns=(
        Field("product_name", "产品名称", "Product name", T.TEXT),
        Field("spec", "规格型号", "Spec", T.TEXT),
        Field("unit", "单位", "Unit", T.TEXT),
        Field("list_price", "价目表价", "List price", T.MONEY),
        Field("amount", "金额", "Amount", T.MONEY, required=True),
    ),
    header_indexes=(("quote_no",), ("customer_code", "quote_date"),
                    ("salesperson", "quote_date")),
    line_indexes=(("document_id",),),
    approvable="quote_no",
    writes=(Output.QUOTE,),
    hold_facts=quote_hold_facts,
    instructions_zh=(
        "带 * 的为必填项；客户编码、业务员、产品编码请从下拉列表中选择。",
        "尚未建档的新客户不填客户编码，填写潜在客户名称；建档后按客户编码下单即可引用本报价单。",
        "每个产品一行：数量、报价单价和客户的特殊要求（颜色、包装、标识、配件等）。"
        "报价不能低于最低限价。",
        "设置了报价审批（[approvals] quote）时，报价单须经总经理审批，审批通过后生成正式报价单。",
        "订货单填写本报价单号，在有效期内、同一客户、按报价单价订货的产品不再做优惠价格审批。",
        "同一报价单号再次提交即为修改，新版本替代旧版本，旧版本留档。",
    ),
    instructions_en=(
        "Fields marked * are required; pick customer, salesperson and product codes from the "
        "lists.",
        "For a prospect not yet on the customer list leave the customer code empty and give "
        "the prospect's name; once the customer record exists, its orders may name this "
        "quotation.",
        "One line per product: quantity, quoted price and the customer's special requirements "
        "(colour, packing, logo, parts). No price may be below the floor price.",
        "With quotation approval set up ([approvals] quote), the general manager approves "
        "every quotation; the formal quotation is written once it is approved.",
        "An order giving this quotation number, for the same customer and within its "
        "validity, is not held for price again on the products it orders at the quoted price.",
        "Submitting the same quotation number again revises it; the old version is kept.",
    ),
    derive=derive_quote,
    check=check_quote,
)
