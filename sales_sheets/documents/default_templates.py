"""The shipped Word templates, built in code so that they are reproducible.

`write_contract_template` writes the sales contract (销售合同) and `write_letter_template` the
reconciliation letter (对账函), each in Chinese or English. Both are ordinary .docx files with
docxtpl (Jinja) tags that an administrator may restyle in Word; docs/TEMPLATES.md says how.

Every tag is written with a single `add_run`, because docxtpl only sees a tag that sits in one
Word run. `CONTRACT_VARIABLES` and `LETTER_VARIABLES` list every value a template may use; the
tests check that the shipped templates use each one and nothing else.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..errors import UsageError
from ..files import write_bytes_atomic
from ..formats.stable_zip import stable_package

__all__ = [
    "CONTRACT_VARIABLES",
    "LETTER_VARIABLES",
    "QUOTE_VARIABLES",
    "write_contract_template",
    "write_letter_template",
    "write_quote_template",
]

# name -> (中文说明, English description). "x.y" is field y of object x; "xs[].y" is field y of
# each item of list xs. Money arrives formatted ("12,345.67"), dates as text.
_PARTY_SELLER: dict[str, tuple[str, str]] = {
    "seller.name": ("卖方名称", "Seller's name"),
    "seller.address": ("卖方地址", "Seller's address"),
    "seller.tax_id": ("卖方纳税人识别号", "Seller's tax ID"),
    "seller.bank": ("卖方开户银行", "Seller's bank"),
    "seller.bank_account": ("卖方银行账号", "Seller's bank account"),
    "seller.representative": ("卖方法定代表人或委托代理人",
                              "Seller's legal or authorised representative"),
    "seller.phone": ("卖方电话", "Seller's phone"),
}


def _customer_fields(prefix: str, zh: str, en: str) -> dict[str, tuple[str, str]]:
    return {
        f"{prefix}.code": (f"{zh}编码", f"{en} code"),
        f"{prefix}.name": (f"{zh}名称", f"{en} name"),
        f"{prefix}.address": (f"{zh}地址", f"{en} address"),
        f"{prefix}.contact": (f"{zh}联系人", f"{en} contact person"),
        f"{prefix}.phone": (f"{zh}电话", f"{en} phone"),
        f"{prefix}.tax_id": (f"{zh}纳税人识别号", f"{en} tax ID"),
        f"{prefix}.bank": (f"{zh}开户银行", f"{en} bank"),
        f"{prefix}.bank_account": (f"{zh}银行账号", f"{en} bank account"),
    }


CONTRACT_VARIABLES: dict[str, tuple[str, str]] = {
    **_PARTY_SELLER,
    **_customer_fields("buyer", "买方", "Buyer's"),
    "order.no": ("订单编号", "Order number"),
    "order.date": ("订单日期（合同签订日期）", "Order date (date the contract is signed)"),
    "order.contract_no": ("合同编号", "Contract number"),
    "order.revision": ("合同版本号（整数，首版为 1；大于 1 时注明取代此前各版）",
                       "Revision (integer, 1 for the first; above 1 the contract says it "
                       "supersedes earlier ones)"),
    "order.salesperson_code": ("业务员工号", "Salesperson's code"),
    "order.salesperson_name": ("业务员姓名", "Salesperson's name"),
    "order.delivery_address": ("交货地点", "Delivery address"),
    "order.delivery_date": ("交货日期（可为空）", "Delivery date (may be empty)"),
    "order.delivery_method": ("交货方式，如 送货 / 自提（可为空）",
                              "Delivery method, e.g. delivery / collection (may be empty)"),
    "order.vehicle_or_picker": ("车辆或提货人（可为空）",
                                "Vehicle or person collecting (may be empty)"),
    "order.remarks": ("备注（可为空）", "Remarks (may be empty)"),
    "lines[].no": ("行序号（从 1 开始）", "Line number (from 1)"),
    "lines[].product_code": ("产品编码", "Product code"),
    "lines[].product_name": ("产品名称", "Product name"),
    "lines[].spec": ("规格型号", "Specification"),
    "lines[].unit": ("单位", "Unit"),
    "lines[].quantity": ("数量", "Quantity"),
    "lines[].unit_price": ("单价（含税，元）", "Unit price (tax included, CNY)"),
    "lines[].amount": ("金额（含税，元）", "Amount (tax included, CNY)"),
    "lines[].tax_rate": ("税率，如 13%", "Tax rate, e.g. 13%"),
    "tax_groups[].rate": ("税率", "Tax rate"),
    "tax_groups[].net": ("该税率的不含税金额", "Net amount at this rate"),
    "tax_groups[].tax": ("该税率的税额", "Tax at this rate"),
    "tax_groups[].total": ("该税率的价税合计", "Total including tax at this rate"),
    "totals.net": ("不含税金额合计", "Total net amount"),
    "totals.tax": ("税额合计", "Total tax"),
    "totals.total": ("价税合计", "Total including tax"),
    "totals.total_capitals": ("价税合计（人民币大写）", "Total in Chinese capitals (人民币大写)"),
    "payment.days": ("付款期限天数（整数）", "Payment term in days (integer)"),
    "payment.terms": ("付款条款（一句话）", "Payment terms (one sentence)"),
    "generated_on": ("生成日期", "Date the document was generated"),
}

LETTER_VARIABLES: dict[str, tuple[str, str]] = {
    **_PARTY_SELLER,
    **_customer_fields("customer", "客户", "Customer's"),
    "period.label": ("对账期间名称，如 2026年第3季度", "Period label, e.g. 2026 Q3"),
    "period.start": ("期间开始日期", "First day of the period"),
    "period.end": ("期间结束日期", "Last day of the period"),
    "balance.opening": ("期初余额", "Opening balance"),
    "balance.debits": ("本期发货（借方）", "Deliveries in the period (debits)"),
    "balance.credits": ("本期回款及退货（贷方）", "Receipts and returns in the period (credits)"),
    "balance.closing": ("期末余额", "Closing balance"),
    "balance.closing_capitals": ("期末余额（人民币大写）", "Closing balance in Chinese capitals"),
    "balance.not_due": ("期末余额中未到期部分", "Part of the closing balance not yet due"),
    "balance.overdue": ("期末余额中已逾期部分", "Part of the closing balance overdue"),
    "reply_by": ("请客户回函的截止日期", "Date by which the customer should reply"),
    "statement_no": ("对账函编号", "Statement number"),
    "generated_on": ("生成日期", "Date the document was generated"),
}

# A name the contract has too keeps its description (one table documents both).
_QUOTE_OWN: dict[str, tuple[str, str]] = {
    **_PARTY_SELLER,
    "buyer.name": ("客户名称（或潜在客户名称）", "Customer's (or prospect's) name"),
    "buyer.code": ("客户编码（潜在客户为空）", "Customer code (empty for a prospect)"),
    "buyer.contact": ("客户联系人（可为空）", "Customer's contact (may be empty)"),
    "buyer.phone": ("客户电话（可为空）", "Customer's phone (may be empty)"),
    "quote.no": ("报价单号", "Quotation number"),
    "quote.date": ("报价日期", "Quotation date"),
    "quote.valid_until": ("报价有效期至", "Valid until"),
    "quote.delivery_terms": ("交货条件（可为空）", "Delivery terms (may be empty)"),
    "quote.payment_terms": ("付款方式（可为空）", "Payment terms (may be empty)"),
    "quote.remarks": ("备注（可为空）", "Remarks (may be empty)"),
    "quote.salesperson_name": ("业务员姓名", "Salesperson's name"),
    "quote.approval": ("报价的审批号（未经审批为空）", "The quotation's approval number (empty if "
                       "none)"),
    "lines[].no": ("行序号（从 1 开始）", "Line number (from 1)"),
    "lines[].product_code": ("产品编码", "Product code"),
    "lines[].product_name": ("产品名称", "Product name"),
    "lines[].spec": ("规格型号", "Specification"),
    "lines[].unit": ("单位", "Unit"),
    "lines[].quantity": ("数量", "Quantity"),
    "lines[].unit_price": ("报价单价（含税，元）", "Quoted unit price (tax included, CNY)"),
    "lines[].amount": ("金额（含税，元）", "Amount (tax included, CNY)"),
    "lines[].remark": ("客户的特殊要求（可为空）", "The customer's special requirements"),
    "totals.total": ("报价合计", "Total"),
    "totals.total_capitals": ("报价合计（人民币大写）", "Total in Chinese capitals (人民币大写)"),
}
QUOTE_VARIABLES = {name: CONTRACT_VARIABLES.get(name, text) for name, text in _QUOTE_OWN.items()}

_T = TypeVar("_T")
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})")
_REVISION = "{% if order.revision|int > 1 %}"
_GREY = RGBColor(0x59, 0x59, 0x59)
# Table and cell properties are ordered sequences in WordprocessingML (CT_TblPr, CT_TcPr in
# ECMA-376 Part 1, 17.4.60 and 17.4.70): an element after one that must follow it makes Word
# repair the file or drop the property. These are the elements each property we add must
# precede, for `insert_element_before`.
_AFTER_TBL_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                      "w:tblDescription", "w:tblPrChange")
_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
              "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge",
              "w:tcPrChange")
# python-docx's blank document carries Word 2010's copy of the styles (stylesWithEffects.xml);
# the styles added here would be missing from it, and Word may call a file whose two style
# parts disagree unreadable. The part is optional: without it Word reads styles.xml.
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


@dataclass(frozen=True)
class _Fonts:
    body: str  # Latin text
    heading: str
    east_asia: str  # Chinese text: names, addresses, and the whole Chinese template
    east_asia_heading: str
    size: float  # body size in points


_ZH_FONTS = _Fonts("Times New Roman", "Arial", "宋体", "黑体", 10.5)
_EN_FONTS = _Fonts("Times New Roman", "Arial", "宋体", "黑体", 10.0)


@dataclass(frozen=True)
class _ContractText:
    fonts: _Fonts
    title: str
    head: tuple[str, ...]
    seller: tuple[str, ...]
    buyer: tuple[str, ...]
    intro: str
    goods_heading: str
    columns: tuple[str, ...]
    total_label: str
    capitals: str
    price_note: str
    tax_columns: tuple[str, ...]
    tax_total_label: str
    clauses: tuple[tuple[str, tuple[str, ...]], ...]
    end_of_text: str
    signatures: tuple[tuple[str, str], ...]
    generated: str
    footer: tuple[str, str, str]  # text before PAGE, between PAGE and NUMPAGES, after


@dataclass(frozen=True)
class _LetterText:
    fonts: _Fonts
    title: str
    number: str
    addressee: tuple[str, ...]
    intro: str
    unit: str
    columns: tuple[str, ...]
    body: tuple[str, ...]
    sender: tuple[str, ...]
    cut: str
    agree: str
    disagree: str
    box_lines: tuple[str, ...]
    footer: tuple[str, str, str]


# Column widths in cm; each table fills the 17 cm between 2 cm margins on A4.
_LINE_WIDTHS = (1.1, 1.9, 3.2, 2.4, 1.2, 1.6, 2.0, 2.4, 1.2)
_NUMERIC_COLUMNS = {5, 6, 7}
_TAX_WIDTHS = (2.6, 3.4, 3.0, 3.4)
_BALANCE_WIDTHS = (2.8, 2.9, 3.0, 2.8, 2.75, 2.75)

_ZH_CONTRACT = _ContractText(
    fonts=_ZH_FONTS,
    title="销售合同",
    head=(
        "合同编号：{{ order.contract_no }}" + _REVISION
        + "（第 {{ order.revision }} 版，取代此前各版）{% endif %}",
        "订单编号：{{ order.no }}",
        "签订日期：{{ order.date }}",
        "签订地点：{{ seller.address }}",
        "业务员：{{ order.salesperson_name }}（{{ order.salesperson_code }}）",
    ),
    seller=(
        "卖方（甲方）：{{ seller.name }}",
        "地址：{{ seller.address }}",
        "电话：{{ seller.phone }}",
        "纳税人识别号：{{ seller.tax_id }}",
        "开户银行：{{ seller.bank }}",
        "账号：{{ seller.bank_account }}",
        "法定代表人：{{ seller.representative }}",
    ),
    buyer=(
        "买方（乙方）：{{ buyer.name }}",
        "客户编码：{{ buyer.code }}",
        "地址：{{ buyer.address }}",
        "联系人：{{ buyer.contact }}　电话：{{ buyer.phone }}",
        "纳税人识别号：{{ buyer.tax_id }}",
        "开户银行：{{ buyer.bank }}",
        "账号：{{ buyer.bank_account }}",
    ),
    intro="根据《中华人民共和国民法典》及有关法律法规的规定，甲乙双方本着平等互利、诚实信用的原则，"
          "经友好协商，就买方向卖方购买下列产品一事达成如下条款，共同遵守。",
    goods_heading="一、产品名称、规格、数量、金额",
    columns=("序号", "产品编码", "产品名称", "规格型号", "单位", "数量", "单价(元)", "金额(元)",
             "税率"),
    total_label="合计",
    capitals="合计人民币（大写）：{{ totals.total_capitals }}（¥{{ totals.total }}）",
    price_note="注：以上单价、金额均为含税价格，卖方按实际交货金额开具增值税发票。税额明细如下：",
    tax_columns=("税率", "不含税金额(元)", "税额(元)", "价税合计(元)"),
    tax_total_label="合计",
    clauses=(
        ("二、质量标准", (
            "1. 产品质量符合国家标准、行业标准；无国家标准、行业标准的，按卖方企业标准或双方书面确"
            "认的技术要求执行。",
            "2. 卖方随货提供产品合格证；买方需要其他质量证明文件的，应在订货时提出。",
        )),
        ("三、交货地点、时间和方式", (
            "1. 交货地点：{% if order.delivery_address %}{{ order.delivery_address }}"
            "{% else %}双方另行约定{% endif %}。",
            "2. 交货时间：{% if order.delivery_date %}{{ order.delivery_date }}前"
            "{% else %}双方另行约定{% endif %}。",
            "3. 交货方式：{% if order.delivery_method %}{{ order.delivery_method }}"
            "{% else %}双方另行约定{% endif %}{% if order.vehicle_or_picker %}"
            "；车辆/提货人：{{ order.vehicle_or_picker }}{% endif %}。",
            "4. 买方或其指定的收货人、提货人在送货单上签收，即视为卖方已按约交货；货物毁损、灭失的"
            "风险自交付时起由买方承担。",
        )),
        ("四、运输及费用", (
            "1. 卖方送货的，由卖方安排运输并承担至交货地点的运输费用；买方自提的，运输费用及运输途"
            "中的风险由买方承担。",
            "2. 产品按行业通用标准包装，包装物不回收，双方另有约定的除外。",
        )),
        ("五、付款方式", (
            "1. {{ payment.terms }}",
            "2. 付款期限：{% if payment.days|int > 0 %}自交货之日起 {{ payment.days }} 天内"
            "{% else %}交货前付清{% endif %}。买方应将货款汇入本合同首部所列卖方银行账户；"
            "以现金支付给卖方业务人员的，须取得卖方出具的正式收据。",
            "3. 卖方按实际交货金额向买方开具增值税发票，适用税率见第一条。",
        )),
        ("六、验收及异议", (
            "1. 买方应在收货时当场核对产品的品种、规格、数量及外包装，发现问题应在送货单上注明并及"
            "时通知卖方。",
            "2. 买方对产品质量有异议的，应在收货之日起七日内以书面形式向卖方提出；逾期未提出的，视"
            "为产品质量合格。",
            "3. 经双方确认属卖方责任的质量问题，由卖方负责退换货并承担相应费用。",
        )),
        ("七、违约责任", (
            "1. 卖方未按约定时间交货的，每逾期一日，按逾期交货部分货款的万分之五向买方支付违约金。",
            "2. 买方未按约定付款的，每逾期一日，按逾期付款金额的万分之五向卖方支付违约金；逾期超过"
            "三十日的，卖方有权暂停供货，直至买方付清全部欠款。",
            "3. 买方无正当理由拒绝收货的，应赔偿卖方由此产生的运输、仓储等损失。",
        )),
        ("八、争议解决", (
            "因本合同引起的或与本合同有关的争议，由双方协商解决；协商不成的，任何一方均可提交卖方所"
            "在地人民法院诉讼解决。",
        )),
        ("九、其他", (
            "1. 本合同一式两份，双方各执一份，具有同等法律效力，自双方签字盖章之日起生效。",
            "2. 本合同未尽事宜，由双方另行签订补充协议；补充协议与本合同具有同等法律效力。",
            "3. 双方以传真、扫描件方式签署的本合同与原件具有同等法律效力。",
            "4. 备注：{% if order.remarks %}{{ order.remarks }}{% else %}无{% endif %}",
        )),
    ),
    end_of_text="（以下无正文）",
    signatures=(
        ("卖方（盖章）：{{ seller.name }}", "买方（盖章）：{{ buyer.name }}"),
        ("法定代表人或委托代理人：{{ seller.representative }}", "法定代表人或委托代理人："),
        ("电话：{{ seller.phone }}", "电话：{{ buyer.phone }}"),
        ("日期：　　　　年　　月　　日", "日期：　　　　年　　月　　日"),
    ),
    generated="本合同依据订单 {{ order.no }} 于 {{ generated_on }} 生成。",
    footer=("合同编号：{{ order.contract_no }}　　第 ", " 页 共 ", " 页"),
)

_EN_CONTRACT = _ContractText(
    fonts=_EN_FONTS,
    title="SALES CONTRACT",
    head=(
        "Contract No.: {{ order.contract_no }}" + _REVISION
        + " (revision {{ order.revision }}, supersedes all earlier versions){% endif %}",
        "Order No.: {{ order.no }}",
        "Date of signing: {{ order.date }}",
        "Place of signing: {{ seller.address }}",
        "Salesperson: {{ order.salesperson_name }} ({{ order.salesperson_code }})",
    ),
    seller=(
        "Seller (Party A): {{ seller.name }}",
        "Address: {{ seller.address }}",
        "Phone: {{ seller.phone }}",
        "Tax ID: {{ seller.tax_id }}",
        "Bank: {{ seller.bank }}",
        "Account: {{ seller.bank_account }}",
        "Legal representative: {{ seller.representative }}",
    ),
    buyer=(
        "Buyer (Party B): {{ buyer.name }}",
        "Customer code: {{ buyer.code }}",
        "Address: {{ buyer.address }}",
        "Contact: {{ buyer.contact }}, phone: {{ buyer.phone }}",
        "Tax ID: {{ buyer.tax_id }}",
        "Bank: {{ buyer.bank }}",
        "Account: {{ buyer.bank_account }}",
    ),
    intro="In accordance with the Civil Code of the People's Republic of China and other "
          "applicable laws, the parties, on the principles of equality, mutual benefit and good "
          "faith, have agreed on the following terms for the Buyer's purchase of the goods below.",
    goods_heading="1. Goods, specifications, quantities and amounts",
    columns=("No.", "Code", "Product", "Spec.", "Unit", "Qty", "Unit price", "Amount", "Tax"),
    total_label="Total",
    capitals="Total in words (RMB): {{ totals.total_capitals }} (CNY {{ totals.total }})",
    price_note="Note: unit prices and amounts include VAT; the Seller issues VAT invoices for the "
               "amount delivered. Tax breakdown:",
    tax_columns=("Tax rate", "Net amount", "Tax", "Total"),
    tax_total_label="Total",
    clauses=(
        ("2. Quality", (
            "2.1 The goods conform to the applicable national or industry standards or, where "
            "none exists, to the Seller's company standard or technical requirements agreed in "
            "writing.",
            "2.2 The Seller supplies a certificate of conformity with the goods; the Buyer asks "
            "for any other quality document when ordering.",
        )),
        ("3. Place, time and method of delivery", (
            "3.1 Place of delivery: {% if order.delivery_address %}{{ order.delivery_address }}"
            "{% else %}to be agreed{% endif %}.",
            "3.2 Delivery by: {% if order.delivery_date %}{{ order.delivery_date }}"
            "{% else %}a date to be agreed{% endif %}.",
            "3.3 Method: {% if order.delivery_method %}{{ order.delivery_method }}"
            "{% else %}to be agreed{% endif %}{% if order.vehicle_or_picker %}"
            "; vehicle / collected by: {{ order.vehicle_or_picker }}{% endif %}.",
            "3.4 Delivery is complete when the Buyer or its named consignee signs the delivery "
            "note; risk of loss passes to the Buyer on delivery.",
        )),
        ("4. Transport and costs", (
            "4.1 Where the Seller delivers, it arranges and pays for transport to the place of "
            "delivery; where the Buyer collects, transport cost and risk in transit are the "
            "Buyer's.",
            "4.2 Goods are packed to the usual trade standard; packaging is not returnable unless "
            "agreed otherwise.",
        )),
        ("5. Payment", (
            "5.1 {{ payment.terms }}",
            "5.2 Payment term: {% if payment.days|int > 0 %}within {{ payment.days }} days of "
            "delivery{% else %}before delivery{% endif %}. The Buyer pays into the Seller's bank "
            "account stated above; cash paid to the Seller's staff needs the Seller's official "
            "receipt.",
            "5.3 The Seller issues VAT invoices for the amount delivered at the rates in clause 1.",
        )),
        ("6. Inspection and claims", (
            "6.1 The Buyer checks type, specification, quantity and packaging on receipt and "
            "notes any discrepancy on the delivery note.",
            "6.2 Quality claims are made in writing within seven days of receipt; goods not "
            "claimed against in time are deemed accepted.",
            "6.3 Where a defect is agreed to be the Seller's responsibility, the Seller replaces "
            "or takes back the goods at its own cost.",
        )),
        ("7. Liability for breach", (
            "7.1 For late delivery the Seller pays 0.05% of the value of the late goods per day.",
            "7.2 For late payment the Buyer pays 0.05% of the overdue amount per day; after "
            "thirty days the Seller may suspend deliveries until all debts are paid.",
            "7.3 A Buyer who refuses goods without good reason bears the Seller's resulting "
            "transport and storage costs.",
        )),
        ("8. Disputes", (
            "Disputes arising from or in connection with this contract are settled by "
            "negotiation; failing that, either party may bring proceedings before the people's "
            "court where the Seller is located.",
        )),
        ("9. Miscellaneous", (
            "9.1 This contract is made in two counterparts, one for each party, of equal force, "
            "and takes effect when signed and sealed by both parties.",
            "9.2 Matters not covered here may be settled in a supplementary agreement of equal "
            "force.",
            "9.3 Copies signed by fax or scan have the same force as the original.",
            "9.4 Remarks: {% if order.remarks %}{{ order.remarks }}{% else %}none{% endif %}",
        )),
    ),
    end_of_text="(No further text below)",
    signatures=(
        ("Seller (seal): {{ seller.name }}", "Buyer (seal): {{ buyer.name }}"),
        ("Legal or authorised representative: {{ seller.representative }}",
         "Legal or authorised representative:"),
        ("Phone: {{ seller.phone }}", "Phone: {{ buyer.phone }}"),
        ("Date:", "Date:"),
    ),
    generated="Generated from order {{ order.no }} on {{ generated_on }}.",
    footer=("Contract No. {{ order.contract_no }}    Page ", " of ", ""),
)

_ZH_LETTER = _LetterText(
    fonts=_ZH_FONTS,
    title="对账函",
    number="编号：{{ statement_no }}",
    addressee=(
        "致：{{ customer.name }}（客户编码：{{ customer.code }}）",
        "地址：{{ customer.address }}　联系人：{{ customer.contact }}　电话：{{ customer.phone }}",
        "纳税人识别号：{{ customer.tax_id }}　开户银行：{{ customer.bank }}"
        "　账号：{{ customer.bank_account }}",
    ),
    intro="感谢贵公司一直以来的支持与合作。为核对双方往来账目，现将本公司账面记录的贵公司 "
          "{{ period.label }}（{{ period.start }} 至 {{ period.end }}）往来情况列示如下：",
    unit="单位：人民币元",
    columns=("期初余额", "本期发货", "本期回款及退货", "期末余额", "其中：未到期", "其中：已逾期"),
    body=(
        "截至 {{ period.end }}，贵公司期末余额为人民币 {{ balance.closing }} 元（大写："
        "{{ balance.closing_capitals }}）。余额为正数表示贵公司应付本公司的款项，为负数表示本公司预"
        "收贵公司的款项。",
        "请贵公司核对上述数据：如信息无误，请在下方“信息证明无误”处签章确认；如有不符，请在“信息不"
        "符”处列明不符金额及原因。请于 {{ reply_by }} 前将本函签章后寄回或扫描发送至本公司。",
        "本函仅为核对账目之用，并非催款结算。若款项在上述日期之后已经付清，仍请及时函复为盼。",
        "本公司收款账户：户名 {{ seller.name }}，开户银行 {{ seller.bank }}，账号 "
        "{{ seller.bank_account }}，纳税人识别号 {{ seller.tax_id }}。",
        "回函地址：{{ seller.address }}　电话：{{ seller.phone }}",
    ),
    sender=(
        "{{ seller.name }}（盖章）",
        "法定代表人：{{ seller.representative }}",
        "{{ generated_on }}",
    ),
    cut="- - - - - - - - - - 以下由贵公司核对后填写并盖章 - - - - - - - - - -",
    agree="一、信息证明无误。",
    disagree="二、信息不符，请列明不符金额及原因：",
    box_lines=("（公司盖章）", "经办人：", "日期：　　　　年　　月　　日"),
    footer=("对账函 {{ statement_no }}　　第 ", " 页 共 ", " 页"),
)

_EN_LETTER = _LetterText(
    fonts=_EN_FONTS,
    title="BALANCE CONFIRMATION",
    number="No. {{ statement_no }}",
    addressee=(
        "To: {{ customer.name }} (customer code {{ customer.code }})",
        "Address: {{ customer.address }}; contact: {{ customer.contact }}; "
        "phone: {{ customer.phone }}",
        "Tax ID: {{ customer.tax_id }}; bank: {{ customer.bank }}; "
        "account: {{ customer.bank_account }}",
    ),
    intro="Thank you for your continued business. To reconcile our accounts, our books show the "
          "following for {{ period.label }} ({{ period.start }} to {{ period.end }}):",
    unit="Amounts in CNY",
    columns=("Opening balance", "Deliveries", "Receipts and returns", "Closing balance",
             "of which not due", "of which overdue"),
    body=(
        "As of {{ period.end }} the balance of your account is CNY {{ balance.closing }} (in "
        "words: {{ balance.closing_capitals }}). A positive balance is owed by you to us; a "
        "negative one is an advance we hold for you.",
        "Please check these figures. If they are correct, sign and seal box 1 below; if not, "
        "state the differing amount and the reason in box 2. Please return this letter, signed "
        "and sealed, by post or as a scan by {{ reply_by }}.",
        "This letter is for reconciliation only and is not a demand for payment. If the balance "
        "has been paid since, please reply all the same.",
        "Our account for payments: {{ seller.name }}, bank {{ seller.bank }}, "
        "account {{ seller.bank_account }}, tax ID {{ seller.tax_id }}.",
        "Reply to: {{ seller.address }}; phone {{ seller.phone }}",
    ),
    sender=(
        "{{ seller.name }} (seal)",
        "Legal representative: {{ seller.representative }}",
        "{{ generated_on }}",
    ),
    cut="- - - - - - - - - - To be completed, signed and sealed by you - - - - - - - - - -",
    agree="1. The information above is correct.",
    disagree="2. Not correct; amount and reason:",
    box_lines=("(Company seal)", "Signed by:", "Date:"),
    footer=("Balance confirmation {{ statement_no }}    Page ", " of ", ""),
)

@dataclass(frozen=True)
class _QuoteText:
    fonts: _Fonts
    letterhead: tuple[str, ...]
    title: str
    head: tuple[str, ...]
    parties: tuple[tuple[str, ...], tuple[str, ...]]
    intro: str
    columns: tuple[str, ...]
    total_label: str
    capitals: str
    terms: tuple[str, ...]
    signatures: tuple[tuple[str, str], ...]
    footer: tuple[str, str, str]


_QUOTE_WIDTHS = (1.2, 1.8, 2.8, 2.0, 1.1, 1.4, 2.0, 2.2, 2.5)
_ZH_QUOTE = _QuoteText(
    fonts=_ZH_FONTS,
    letterhead=("{{ seller.address }}　电话：{{ seller.phone }}",
                "纳税人识别号：{{ seller.tax_id }}　开户银行：{{ seller.bank }}　账号："
                "{{ seller.bank_account }}"),
    title="报 价 单",
    head=("报价单号：{{ quote.no }}", "报价日期：{{ quote.date }}"),
    parties=(
        ("报价方：{{ seller.name }}", "地址：{{ seller.address }}", "电话：{{ seller.phone }}",
         "业务员：{{ quote.salesperson_name }}"),
        ("致：{{ buyer.name }}", "客户编码：{{ buyer.code }}", "联系人：{{ buyer.contact }}",
         "电话：{{ buyer.phone }}"),
    ),
    intro="承蒙垂询，现将贵公司所需产品报价如下：",
    columns=("序号", "产品编码", "产品名称", "规格型号", "单位", "数量", "单价（元）", "金额（元）",
             "特殊要求"),
    total_label="合计",
    capitals="报价合计（大写）：{{ totals.total_capitals }}",
    terms=(
        "1. 以上价格为含税价（人民币元）。",
        "2. 交货条件：{% if quote.delivery_terms %}{{ quote.delivery_terms }}{% else %}双方另行约定"
        "{% endif %}。",
        "3. 付款方式：{% if quote.payment_terms %}{{ quote.payment_terms }}{% else %}双方另行约定"
        "{% endif %}。",
        "4. 本报价有效期至 {{ quote.valid_until }}，逾期须重新报价。",
        "5. 备注：{% if quote.remarks %}{{ quote.remarks }}{% else %}无{% endif %}",
        "{% if quote.approval %}本报价已经审批，审批号 {{ quote.approval }}。{% endif %}",
    ),
    signatures=(("报价方（盖章）：{{ seller.name }}", "客户确认（盖章）："),
                ("法定代表人：{{ seller.representative }}", "签字："),
                ("总经理（签字）：", "日期："), ("日期：{{ quote.date }}", "")),
    footer=("报价单 {{ quote.no }}　　第 ", " 页 共 ", " 页"),
)
_EN_QUOTE = _QuoteText(
    fonts=_EN_FONTS,
    letterhead=("{{ seller.address }}; phone {{ seller.phone }}",
                "Tax ID {{ seller.tax_id }}; bank {{ seller.bank }}, account "
                "{{ seller.bank_account }}"),
    title="QUOTATION",
    head=("Quotation No. {{ quote.no }}", "Date: {{ quote.date }}"),
    parties=(
        ("From: {{ seller.name }}", "Address: {{ seller.address }}",
         "Phone: {{ seller.phone }}", "Salesperson: {{ quote.salesperson_name }}"),
        ("To: {{ buyer.name }}", "Customer code: {{ buyer.code }}",
         "Contact: {{ buyer.contact }}", "Phone: {{ buyer.phone }}"),
    ),
    intro="Thank you for your enquiry. We are pleased to quote as follows:",
    columns=("No.", "Code", "Product", "Spec", "Unit", "Qty", "Unit price", "Amount",
             "Requirements"),
    total_label="Total",
    capitals="Total in words (大写): {{ totals.total_capitals }}",
    terms=(
        "1. Prices are in CNY, tax included.",
        "2. Delivery: {% if quote.delivery_terms %}{{ quote.delivery_terms }}{% else %}to be "
        "agreed{% endif %}.",
        "3. Payment: {% if quote.payment_terms %}{{ quote.payment_terms }}{% else %}to be "
        "agreed{% endif %}.",
        "4. This quotation is valid until {{ quote.valid_until }}.",
        "5. Remarks: {% if quote.remarks %}{{ quote.remarks }}{% else %}none{% endif %}",
        "{% if quote.approval %}This quotation is approved, approval "
        "{{ quote.approval }}.{% endif %}",
    ),
    signatures=(("For {{ seller.name }} (seal):", "Accepted by the customer (seal):"),
                ("Legal representative: {{ seller.representative }}", "Signature:"),
                ("General manager (signature):", "Date:"), ("Date: {{ quote.date }}", "")),
    footer=("Quotation {{ quote.no }}    Page ", " of ", ""),
)

_CONTRACTS = {"zh": _ZH_CONTRACT, "en": _EN_CONTRACT}
_QUOTES = {"zh": _ZH_QUOTE, "en": _EN_QUOTE}
_LETTERS = {"zh": _ZH_LETTER, "en": _EN_LETTER}


def write_contract_template(path: Path, language: str = "zh") -> Path:
    """Write the default sales contract template (销售合同) to `path`, atomically.

    Args:
        path: Where the .docx goes; its folder is created if missing.
        language: "zh" or "en".

    Returns:
        `path`.

    Raises:
        UsageError: `language` is neither "zh" nor "en".
    """
    text = _pick(_CONTRACTS, language)
    document = _new_document(text.fonts)
    _title(document, text.title)
    for line in text.head:
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, style="Small Print")
    _parties(document, text.seller, text.buyer)
    _paragraph(document, text.intro, indent=True, before=6)
    _heading(document, text.goods_heading)
    _line_table(document, text)
    _paragraph(document, text.capitals, bold=True, before=4)
    _paragraph(document, text.price_note)
    _tax_table(document, text)
    for heading, paragraphs in text.clauses:
        _heading(document, heading)
        for body in paragraphs:
            _paragraph(document, body, indent=True)
    _paragraph(document, text.end_of_text, align=WD_ALIGN_PARAGRAPH.CENTER)
    _signatures(document, text.signatures)
    _paragraph(document, text.generated, style="Small Print", before=6)
    _footer(document, text.footer)
    return _save(document, path)


def write_letter_template(path: Path, language: str = "zh") -> Path:
    """Write the default reconciliation letter template (对账函) to `path`, atomically.

    Args:
        path: Where the .docx goes; its folder is created if missing.
        language: "zh" or "en".

    Returns:
        `path`.

    Raises:
        UsageError: `language` is neither "zh" nor "en".
    """
    text = _pick(_LETTERS, language)
    document = _new_document(text.fonts)
    _title(document, text.title)
    _paragraph(document, text.number, align=WD_ALIGN_PARAGRAPH.RIGHT, style="Small Print")
    for i, line in enumerate(text.addressee):
        _paragraph(document, line, bold=i == 0)
    _paragraph(document, text.intro, indent=True)
    _paragraph(document, text.unit, align=WD_ALIGN_PARAGRAPH.RIGHT, style="Small Print")
    _balance_table(document, text.columns)
    for i, body in enumerate(text.body):
        _paragraph(document, body, indent=True, before=4 if i == 0 else None)
    for i, line in enumerate(text.sender):
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, before=12 if i == 0 else None)
    _paragraph(document, text.cut, align=WD_ALIGN_PARAGRAPH.CENTER, style="Small Print")
    _reply_boxes(document, text)
    _footer(document, text.footer)
    return _save(document, path)


def write_quote_template(path: Path, language: str = "zh") -> Path:
    """Write the default quotation template (报价单) to `path`, atomically: the company's
    letterhead, the lines with the customer's requirements, the total in capitals, validity,
    terms and the signature block.

    Raises:
        UsageError: `language` is neither "zh" nor "en".
    """
    text = _pick(_QUOTES, language)
    document = _new_document(text.fonts)
    _paragraph(document, "{{ seller.name }}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for line in text.letterhead:
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.CENTER, style="Small Print")
    _title(document, text.title)
    for line in text.head:
        _paragraph(document, line, align=WD_ALIGN_PARAGRAPH.RIGHT, style="Small Print")
    _parties(document, *text.parties)
    _paragraph(document, text.intro, indent=True, before=6)
    table = _table(document, 5, _QUOTE_WIDTHS)
    _header_row(table, text.columns)
    fields = ("no", "product_code", "product_name", "spec", "unit", "quantity", "unit_price",
              "amount", "remark")
    _loop_rows(table, 1, "for line in lines", [f"line.{f}" for f in fields], {5, 6, 7})
    total = table.rows[4].cells
    _cell_text(total[0].merge(total[6]), [text.total_label], align=WD_ALIGN_PARAGRAPH.CENTER,
               bold=True)
    _cell_text(total[7], ["{{ totals.total }}"], align=WD_ALIGN_PARAGRAPH.RIGHT, bold=True)
    _paragraph(document, text.capitals, bold=True, before=4)
    for line in text.terms:
        _paragraph(document, line, indent=True)
    _signatures(document, text.signatures)
    _footer(document, text.footer)
    return _save(document, path)


def _pick(texts: dict[str, _T], language: str) -> _T:
    try:
        return texts[language]
    except KeyError:
        raise UsageError(f"no default template in language {language!r}; "
                         f"choose one of {', '.join(texts)}") from None


def _save(document: DocumentObject, path: Path) -> Path:
    path = Path(path)
    buffer = io.BytesIO()
    document.save(buffer)
    write_bytes_atomic(path, stable_package(buffer.getvalue()))
    return path


# --- document, styles and fonts ---

def _new_document(fonts: _Fonts) -> DocumentObject:
    document = Document()
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype == _STYLES_WITH_EFFECTS:
            document.part.drop_rel(rel_id)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.header_distance = section.footer_distance = Cm(1.0)
    normal = document.styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _style_fonts(normal, fonts.body, fonts.east_asia, fonts.size)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.2
    # Named styles so that an administrator restyles every heading or cell at once in Word.
    _add_style(document, "Document Title", fonts.heading, fonts.east_asia_heading, 18, bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _add_style(document, "Clause Heading", fonts.heading, fonts.east_asia_heading, fonts.size + 0.5,
               bold=True, before=6, after=3)
    _add_style(document, "Table Text", fonts.body, fonts.east_asia, 9, after=0)
    small = _add_style(document, "Small Print", fonts.body, fonts.east_asia, 9, after=1)
    small.font.color.rgb = _GREY
    return document


def _add_style(document: DocumentObject, name: str, latin: str, east_asia: str, size: float, *,
               bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None, before: float = 0,
               after: float = 3) -> ParagraphStyle:
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    _style_fonts(style, latin, east_asia, size)
    style.font.bold = bold
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if align is not None:
        fmt.alignment = align
    if name == "Clause Heading":
        fmt.keep_with_next = True
    if name == "Table Text":
        fmt.line_spacing = 1.0
    return style


def _style_fonts(style: ParagraphStyle, latin: str, east_asia: str, size: float) -> None:
    style.font.name = latin
    style.font.size = Pt(size)
    # python-docx's font.name sets only w:ascii/w:hAnsi; Chinese text takes w:eastAsia.
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)


# --- paragraphs and runs ---

def _runs(paragraph: Paragraph, text: str, *, bold: bool = False) -> Paragraph:
    """Add `text` as runs, each Jinja tag in exactly one run (docxtpl only sees whole-run tags)."""
    for part in _TAG.split(text):
        if part:
            run = paragraph.add_run(part)
            if bold:
                run.bold = True
    return paragraph


def _paragraph(document: DocumentObject, text: str, *, align: WD_ALIGN_PARAGRAPH | None = None,
               bold: bool = False, indent: bool = False, style: str | None = None,
               before: float | None = None) -> Paragraph:
    paragraph = _runs(document.add_paragraph(style=style), text, bold=bold)
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    if align is not None:
        paragraph.alignment = align
    if indent:
        normal = document.styles["Normal"]
        assert isinstance(normal, ParagraphStyle)
        # Two characters, as Chinese paragraphs are indented.
        paragraph.paragraph_format.first_line_indent = (normal.font.size or Pt(10.5)) * 2
    return paragraph


def _title(document: DocumentObject, text: str) -> None:
    _runs(document.add_paragraph(style="Document Title"), text)


def _heading(document: DocumentObject, text: str) -> None:
    _runs(document.add_paragraph(style="Clause Heading"), text)


def _cell_text(cell: _Cell, lines: Sequence[str], *, align: WD_ALIGN_PARAGRAPH | None = None,
               bold: bool = False, style: str = "Table Text") -> None:
    for i, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.style = style
        _runs(paragraph, line, bold=bold)
        if align is not None:
            paragraph.alignment = align


# --- tables ---

def _table(document: DocumentObject, rows: int, widths: Sequence[float], *,
           grid: bool = True) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(widths))  # untyped in python-docx
    if grid:
        table.style = document.styles["Table Grid"]
    else:
        _no_borders(table)
    table.autofit = False
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(borders, *_AFTER_TBL_BORDERS)


def _shade(cell: _Cell, fill: str = "E7E6E6") -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().insert_element_before(shd, *_AFTER_SHD)


def _row_flag(table: Table, index: int, flag: str) -> None:
    """Set a row property such as w:tblHeader (repeat on each page) or w:cantSplit.

    Appending is right here: CT_TrPr is a choice in any order, not a sequence."""
    element = OxmlElement(f"w:{flag}")
    table.rows[index]._tr.get_or_add_trPr().append(element)


def _header_row(table: Table, labels: Sequence[str]) -> None:
    for cell, label in zip(table.rows[0].cells, labels, strict=True):
        _cell_text(cell, [label], align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
        _shade(cell)
    _row_flag(table, 0, "tblHeader")


def _loop_rows(table: Table, first: int, loop: str, fields: Sequence[str],
               numeric: set[int]) -> None:
    """Rows `first`..`first+2`: `{%tr for %}`, the repeated row, `{%tr endfor %}`.

    docxtpl replaces each `{%tr %}` row, whole, by its tag, so both sit in their own row; the
    row is one merged cell so that the tag reads on one line in Word."""
    _cell_text(_whole_row(table, first), ["{%tr " + loop + " %}"])
    for i, (cell, name) in enumerate(zip(table.rows[first + 1].cells, fields, strict=True)):
        align = WD_ALIGN_PARAGRAPH.RIGHT if i in numeric else WD_ALIGN_PARAGRAPH.CENTER
        _cell_text(cell, ["{{ " + name + " }}"], align=align)
    _row_flag(table, first + 1, "cantSplit")
    _cell_text(_whole_row(table, first + 2), ["{%tr endfor %}"])


def _whole_row(table: Table, index: int) -> _Cell:
    cells = table.rows[index].cells
    merged: _Cell = cells[0].merge(cells[-1])  # untyped in python-docx
    return merged


def _line_table(document: DocumentObject, text: _ContractText) -> None:
    table = _table(document, 5, _LINE_WIDTHS)
    _header_row(table, text.columns)
    fields = ("no", "product_code", "product_name", "spec", "unit", "quantity", "unit_price",
              "amount", "tax_rate")
    _loop_rows(table, 1, "for line in lines", [f"line.{f}" for f in fields], _NUMERIC_COLUMNS)
    total = table.rows[4].cells
    label = total[0].merge(total[6])
    _cell_text(label, [text.total_label], align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _cell_text(total[7], ["{{ totals.total }}"], align=WD_ALIGN_PARAGRAPH.RIGHT, bold=True)


def _tax_table(document: DocumentObject, text: _ContractText) -> None:
    table = _table(document, 5, _TAX_WIDTHS)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _header_row(table, text.tax_columns)
    fields = [f"group.{f}" for f in ("rate", "net", "tax", "total")]
    _loop_rows(table, 1, "for group in tax_groups", fields, {1, 2, 3})
    totals = ["{{ totals.net }}", "{{ totals.tax }}", "{{ totals.total }}"]
    _cell_text(table.rows[4].cells[0], [text.tax_total_label], align=WD_ALIGN_PARAGRAPH.CENTER,
               bold=True)
    for cell, value in zip(table.rows[4].cells[1:], totals, strict=True):
        _cell_text(cell, [value], align=WD_ALIGN_PARAGRAPH.RIGHT)


def _parties(document: DocumentObject, seller: Sequence[str], buyer: Sequence[str]) -> None:
    table = _table(document, 1, (8.5, 8.5), grid=False)
    for cell, lines in zip(table.rows[0].cells, (seller, buyer), strict=True):
        _cell_text(cell, lines[:1], bold=True, style="Normal")
        for line in lines[1:]:
            _runs(cell.add_paragraph(style="Normal"), line)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _signatures(document: DocumentObject, rows: Sequence[tuple[str, str]]) -> None:
    table = _table(document, len(rows), (8.5, 8.5), grid=False)
    for row, texts in zip(table.rows, rows, strict=True):
        row.height = Cm(1.0)  # room for a seal and a signature
        for cell, line in zip(row.cells, texts, strict=True):
            _cell_text(cell, [line], style="Normal")
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    for cell in table.rows[0].cells:
        cell.paragraphs[0].runs[0].bold = True


def _balance_table(document: DocumentObject, labels: Sequence[str]) -> None:
    table = _table(document, 2, _BALANCE_WIDTHS)
    _header_row(table, labels)
    names = ("opening", "debits", "credits", "closing", "not_due", "overdue")
    for cell, name in zip(table.rows[1].cells, names, strict=True):
        _cell_text(cell, ["{{ balance." + name + " }}"], align=WD_ALIGN_PARAGRAPH.RIGHT)
    table.rows[1].height = Cm(0.8)


def _reply_boxes(document: DocumentObject, text: _LetterText) -> None:
    table = _table(document, 1, (8.5, 8.5))
    for cell, heading in zip(table.rows[0].cells, (text.agree, text.disagree), strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        _cell_text(cell, [heading], bold=True, style="Normal")
        for _ in range(5):  # room to write or stamp
            cell.add_paragraph(style="Normal")
        for line in text.box_lines:
            _runs(cell.add_paragraph(style="Normal"), line)
    _row_flag(table, 0, "cantSplit")


# --- footer with page numbers ---

def _footer(document: DocumentObject, parts: tuple[str, str, str]) -> None:
    """Footer "<before> PAGE <between> NUMPAGES <after>" with live Word fields."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = "Small Print"
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, between, after = parts
    _runs(paragraph, before)
    _field(paragraph, "PAGE")
    _runs(paragraph, between)
    _field(paragraph, "NUMPAGES")
    _runs(paragraph, after)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end), as Word writes it."""
    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    char("separate")
    paragraph.add_run("1")  # shown until the viewer updates the field
    char("end")
