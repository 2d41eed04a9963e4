from ..forms.kinds import Field, FieldType, Kind, Ref
from ..rules.invoice import check_invoice, derive_invoice

T = FieldType

# 开票登记: the 开票通知单 that sales-sheets writes for every accepted order is itself this form
# (documents/invoice.py gives it the `_meta` sheet and the defined names). Finance fills in the
# invoice number and date, and the amount of a partial invoice, and drops it back. One fact a
# form: there is no line table.
#
# A document is one VAT invoice, keyed by its number: the same number again for the same order
# (a date or an amount corrected) is a new version that supersedes the old one; for another
# order it is a duplicate reference (`duplicate_invoice`). The same file twice is a duplicate
# file, as for every kind.
INVOICE = Kind(
    name="invoice",
    zh="开票登记",
    en="Invoice registration",
    version=1,
    header=(
        Field("order_no", "订单号", "Order No.", T.CODE, required=True, aliases=("订货单号",)),
        Field("order_version", "订单版本", "Order version", T.INTEGER,
              hint_zh="通知单所对应的订单版本，请勿修改",
              hint_en="the order version of this notice: leave it as it is"),
        Field("customer_code", "客户编码", "Customer code", T.CODE, required=True,
              ref=Ref.CUSTOMER),
        Field("invoice_no", "发票号码", "Invoice No.", T.CODE, required=True,
              aliases=("发票号",)),
        Field("invoiced_on", "开票日期", "Invoiced on", T.DATE, required=True),
        Field("invoice_amount", "开票金额", "Invoice amount", T.MONEY,
              hint_zh="部分开票时填写；不填即开具订单剩余金额",
              hint_en="for a partial invoice; empty: the rest of the order"),
        Field("remarks", "开票备注", "Invoice remarks", T.TEXT, width=30),
    ),
    named_by=(("invoice_no", "order_no"),),
    identity=("invoice_no",),
    lines_required=False,
    priority=75,  # after the orders, returns and approvals of the same batch
    header_table="invoices",
    derived_header=(
        # What the invoice registers: the amount entered, or the rest of the order.
        Field("amount", "开票金额", "Amount invoiced", T.MONEY, required=True),
        Field("order_document_id", "所开订单", "Invoiced order", T.DOCUMENT),
    ),
    header_indexes=(("order_no",), ("customer_code", "invoiced_on"), ("invoice_no",)),
    owner_field=None,
    instructions_zh=(
        "本表即系统生成的开票通知单：财务开具增值税发票后，填写发票号码和开票日期，"
        "放回收件箱即完成开票登记。",
        "部分开票时填写本次开票金额；不填即按订单剩余未开票金额登记。",
        "同一发票号码再次提交即为修改（须为同一订单）；一个订单可以分多次开票，"
        "开票合计不能超过订单金额（扣除退货）。",
    ),
    instructions_en=(
        "This form is the invoice notice sales-sheets wrote: once the VAT invoice is issued, "
        "fill in its number and date and drop the notice back into the inbox.",
        "For a partial invoice fill in its amount; left empty, the rest of the order is "
        "registered.",
        "The same invoice number again corrects it (for the same order); an order may be "
        "invoiced in parts, up to its total less returns.",
    ),
    derive=derive_invoice,
    check=check_invoice,
)
