"""Sample master data and filled forms for a realistic first run of the whole pipeline.

The samples show every outcome: accepted orders, orders held for a price, an overdue customer and
a credit limit, a rejected order with an annotated copy, a damaged file, a CSV export read by its
labels, visits, plans, receipts and a return, a month's expense budget and two claims against it;
then the approval loop (a held order approved, one declined, a claim over budget approved, a
standing approval of next month), the month's summary workbook and statements, and the
quarter's appraisal.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl

from .documents.approval_request import request_data
from .documents.invoice import invoice_path
from .documents.pdf import pdf_worker
from .documents.statements import StatementFiles, statement_files
from .formats.package import PackageReader, PackageWriter
from .formats.stable_zip import stable_package
from .forms.kinds import Kind
from .forms.periods import parse_period
from .forms.template import FormData, write_form
from .intake.ingest import IngestResult, process_inbox
from .kinds import KINDS
from .ledger import Ledger
from .reports.appraisal import write_appraisal
from .reports.summary import write_summary
from .workspace import Workspace

D = date

SALESPEOPLE: list[dict[str, object]] = [
    {"code": "S01", "name": "张伟", "region": "华东", "manager": "李强",
     "email": "zhangwei@example.cn"},
    {"code": "S02", "name": "王芳", "region": "华南", "manager": "陈静",
     "email": "wangfang@example.cn"},
    {"code": "S03", "name": "刘洋", "region": "华北", "manager": "李强",
     "email": "liuyang@example.cn"},
]

PRODUCTS: list[dict[str, object]] = [
    {"code": "P001", "name": "齿轮减速机", "spec": "ZQ-250", "unit": "台", "list_price": "12800",
     "floor_price": "11000", "tax_rate": "13%"},
    {"code": "P002", "name": "行星减速机", "spec": "NGW-42", "unit": "台", "list_price": "8650",
     "floor_price": "7800", "tax_rate": "13%"},
    {"code": "P003", "name": "弹性联轴器", "spec": "LX-3", "unit": "个", "list_price": "460",
     "floor_price": "400"},
    {"code": "P004", "name": "轴承座", "spec": "UCP-208", "unit": "个", "list_price": "185.50",
     "floor_price": "160"},
    {"code": "P005", "name": "工业齿轮油", "spec": "L-CKC 220 18L", "unit": "桶",
     "list_price": "520", "floor_price": "480"},
    {"code": "P006", "name": "安装调试服务", "spec": "", "unit": "次", "list_price": "2000",
     "tax_rate": "6%"},
]

CUSTOMERS: list[dict[str, object]] = [
    {"code": "C001", "name": "杭州恒达机械有限公司", "region": "华东", "salesperson": "S01",
     "tier": "A", "credit_limit": "500000", "payment_days": 60, "contact": "周建华",
     "phone": "0571-8765 4321", "address": "杭州市萧山区经济技术开发区建设一路 88 号",
     "tax_id": "91330109MA27XK1234", "bank": "中国银行杭州萧山支行",
     "bank_account": "3567 0000 1234 5678", "created": D(2024, 3, 1)},
    {"code": "C002", "name": "宁波海天塑机配件厂", "region": "华东", "salesperson": "S01",
     "tier": "B", "credit_limit": "200000", "payment_days": 30, "contact": "孙丽",
     "phone": "0574-8612 3456", "address": "宁波市北仑区大港工业城 12 号",
     "created": D(2025, 5, 12)},
    {"code": "C003", "name": "广州粤丰建材有限公司", "region": "华南", "salesperson": "S02",
     "tier": "B", "credit_limit": "300000", "payment_days": 30, "opening_balance": "86400",
     "opening_date": D(2026, 8, 1), "contact": "黄志明", "phone": "020-3822 1188",
     "address": "广州市白云区太和镇大源北路 6 号", "created": D(2023, 9, 18)},
    {"code": "C004", "name": "深圳创新自动化设备有限公司", "region": "华南", "salesperson": "S02",
     "tier": "C", "credit_limit": "50000", "payment_days": 30, "contact": "林晓东",
     "phone": "0755-2699 0011", "address": "深圳市宝安区福永街道凤凰第三工业区",
     "created": D(2025, 11, 3)},
    {"code": "C005", "name": "北京京城重工机械有限公司", "region": "华北", "salesperson": "S03",
     "tier": "A", "credit_limit": "800000", "payment_days": 90, "contact": "赵国庆",
     "phone": "010-6788 9900", "address": "北京市大兴区经济技术开发区科创十三街 9 号",
     "created": D(2022, 1, 10)},
    {"code": "C006", "name": "天津新港物流设备有限公司", "region": "华北", "salesperson": "S03",
     "tier": "C", "credit_limit": "100000", "payment_days": 30, "contact": "马骏",
     "phone": "022-2576 3300", "address": "天津市滨海新区新港二号路 18 号",
     "created": D(2026, 11, 2)},
]


def _order(no: str, day: date, customer: str, salesperson: str,
           lines: list[tuple[str, int | str, str]], **extra: object) -> FormData:
    header = {"order_no": no, "order_date": day, "customer_code": customer,
              "salesperson": salesperson, "delivery_address": "客户仓库", "delivery_method": "送货",
              "delivery_date": day.replace(day=min(day.day + 7, 28)), **extra}
    return FormData(header, [{"product_code": p, "quantity": q, "unit_price": u}
                             for p, q, u in lines])


ORDERS: dict[str, FormData] = {
    "S01/订货单-恒达-1102.xlsx": _order("SO-20261102-001", D(2026, 11, 2), "C001", "S01",
                                     [("P001", 2, "12800"), ("P003", 10, "460")]),
    "S01/订货单-海天-1105.xlsx": _order("SO-20261105-002", D(2026, 11, 5), "C002", "S01",
                                     [("P002", 1, "8650"), ("P005", 4, "520")]),
    "S02/订货单-粤丰-1106.xlsx": _order("SO-20261106-003", D(2026, 11, 6), "C003", "S02",
                                     [("P004", 40, "185.50")]),
    "S02/订货单-创新-1110.xlsx": _order("SO-20261110-004", D(2026, 11, 10), "C004", "S02",
                                     [("P001", 5, "12800")]),
    "S01/订货单-恒达-1112.xlsx": _order("SO-20261112-005", D(2026, 11, 12), "C001", "S01",
                                     [("P001", 3, "12000")], remarks="老客户批量采购"),
    "S03/订货单-新港-1115.xlsx": _order("SO-20261115-006", D(2026, 11, 15), "C006", "S03",
                                     [("P002", 2, "8650"), ("P006", 1, "2000")]),
    "S03/订货单-错误示例-1118.xlsx": _order("SO-20261118-007", D(2026, 11, 18), "C099", "S03",
                                       [("P001", "两台", "12800"), ("P003", 5, "380")]),
}

VISITS = FormData(
    {"salesperson": "S01", "week_start": D(2026, 11, 16)},
    [
        {"visit_date": D(2026, 11, 16), "customer_code": "C001", "purpose": "回访新设备运行情况",
         "planned": "是", "visited": "是", "outcome": "运行正常，计划追加减速机",
         "intent_amount": "38400"},
        {"visit_date": D(2026, 11, 17), "customer_code": "C002", "purpose": "催收 10 月货款",
         "planned": "是", "visited": "是", "outcome": "承诺本月底付款"},
        {"visit_date": D(2026, 11, 18), "prospect_name": "绍兴越达纺机", "purpose": "新客户开发",
         "planned": "是", "visited": "否", "next_action": "下周再约"},
        {"visit_date": D(2026, 11, 19), "customer_code": "C001", "purpose": "技术交流",
         "planned": "否", "visited": "是", "competitor_info": "竞品报价低 5%"},
    ],
)

PLANS = {
    "S01/销售计划-张伟-202611.xlsx": FormData(
        {"salesperson": "S01", "period": "2026-11"},
        [{"customer_code": "C001", "target_amount": "120000", "target_collection": "100000",
          "planned_visits": 6},
         {"customer_code": "C002", "target_amount": "60000", "target_collection": "50000",
          "target_new_customers": 1, "planned_visits": 4}]),
    "S02/销售计划-王芳-2026Q4.xlsx": FormData(
        {"salesperson": "S02", "period": "2026-Q4"},
        [{"target_amount": "450000", "target_collection": "400000", "target_new_customers": 2,
          "planned_visits": 30}]),
}

RECEIPTS = FormData(lines=[
    {"receipt_date": D(2026, 11, 8), "customer_code": "C001", "amount": "30000",
     "method": "银行转账", "reference": "ICBC20261108001", "order_no": "SO-20261102-001"},
    {"receipt_date": D(2026, 11, 12), "customer_code": "C002", "amount": "10730",
     "method": "承兑汇票", "reference": "BA20261112-77", "salesperson": "S01"},
    {"receipt_date": D(2026, 11, 20), "customer_code": "C005", "amount": "150000",
     "method": "银行转账", "reference": "BOC20261120009"},
])

# 张伟's November budget, and two claims against it: the first within it, the second takes
# travel to ¥3,500 of ¥3,000 and waits for 李强's approval.
BUDGET = FormData({"owner": "S01", "period": "2026-11"},
                  [{"category": "差旅费", "amount": "3000"},
                   {"category": "业务招待费", "amount": "1500"}])
CLAIMS = {
    "S01/费用报销单-张伟-1120.xlsx": FormData(
        {"claim_no": "BX-20261120-01", "salesperson": "S01", "claim_date": D(2026, 11, 20)},
        [{"spent_on": D(2026, 11, 16), "category": "差旅费", "amount": "1200",
          "invoice_count": 3, "customer_code": "C001", "description": "杭州萧山回访恒达"},
         {"spent_on": D(2026, 11, 17), "category": "业务招待费", "amount": "680",
          "invoice_count": 1, "customer_code": "C002", "description": "宁波海天技术交流"}]),
    "S01/费用报销单-张伟-1125.xlsx": FormData(
        {"claim_no": "BX-20261125-02", "salesperson": "S01", "claim_date": D(2026, 11, 25),
         "remarks": "参加上海工博会"},
        [{"spent_on": D(2026, 11, 24), "category": "差旅费", "amount": "2300",
          "invoice_count": 4, "description": "上海工博会差旅"}]),
}

RETURN = FormData(
    {"return_no": "TH-20261119-01", "return_date": D(2026, 11, 19), "customer_code": "C001",
     "order_no": "SO-20261102-001", "reason": "联轴器规格不符"},
    [{"product_code": "P003", "quantity": 2, "unit_price": "460"}],
)

CSV_ORDER = [
    ["订货单"],
    ["订单号", "SO-20261120-008", "", "订货日期", "2026/11/20"],
    ["客户编码", "C005", "", "业务员", "S03"],
    ["送货地点", "北京市大兴区经济技术开发区科创十三街 9 号"],
    [],
    ["产品编码", "产品名称", "数量", "单价", "金额"],
    ["P001", "齿轮减速机", "4", "12,800.00", "51,200.00"],
    ["P005", "工业齿轮油", "10", "￥520", "5200"],
]


def write_samples(workspace: Workspace) -> list[Path]:
    """Write the sample files into the inbox, as staff would drop them."""
    inbox = workspace.inbox
    language = workspace.language
    written = [
        write_form(inbox / "业务员名单.xlsx", KINDS["salespeople"], language,
                   data=FormData(lines=SALESPEOPLE)),
        write_form(inbox / "产品价格表.xlsx", KINDS["products"], language,
                   data=FormData(lines=PRODUCTS)),
        write_form(inbox / "客户档案.xlsx", KINDS["customers"], language,
                   data=FormData(lines=CUSTOMERS)),
    ]
    for name, data in ORDERS.items():
        written.append(write_form(inbox / name, KINDS["order"], language, data=data))
    for name, data in PLANS.items():
        written.append(write_form(inbox / name, KINDS["plan"], language, data=data))
    written.append(write_form(inbox / "S01/拜访记录-张伟-1116.xlsx", KINDS["visit"], language,
                              data=VISITS))
    written.append(write_form(inbox / "财务/回款登记-11月.xlsx", KINDS["receipt"], language,
                              data=RECEIPTS))
    written.append(write_form(inbox / "S01/退货申请-恒达-1119.xlsx", KINDS["return"], language,
                              data=RETURN))
    written.append(write_form(inbox / "仓库/发货单-恒达-1106.xlsx", KINDS["delivery"], language,
                              data=DELIVERY))
    written.append(write_complaint(workspace))
    written.append(write_form(inbox / "S03/报价单-京城重工-1118.xlsx", KINDS["quote"], language,
                              data=QUOTE))
    written.append(write_form(inbox / "李强/费用预算-张伟-202611.xlsx", KINDS["budget"], language,
                              data=BUDGET))
    for name, data in CLAIMS.items():
        written.append(write_form(inbox / name, KINDS["expense"], language, data=data))
    exported = inbox / "S03" / "订货单导出-京城重工.csv"
    with exported.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(CSV_ORDER)
    written.append(exported)
    damaged = inbox / "S02" / "传输中断的订货单.xlsx"
    damaged.write_bytes(written[3].read_bytes()[:2000])
    written.append(damaged)
    return written


# The warehouse ships 恒达's first order in part: both gear reducers, 6 of the 10 couplings (the
# order promised delivery by 9 November: the rest is late).
DELIVERY = FormData(
    {"delivery_no": "FH-20261106-01", "delivery_date": D(2026, 11, 6),
     "order_no": "SO-20261102-001", "vehicle_or_picker": "浙A·D1234", "signed_by": "周建华"},
    [{"product_code": "P001", "quantity": 2}, {"product_code": "P003", "quantity": 6}])
# Finance invoices what was shipped of it, from the 开票通知单 sales-sheets wrote: (order,
# invoice number, date, amount).
INVOICE = ("SO-20261102-001", "04417725", D(2026, 11, 8), "28360")


# 京城重工 asks for three planetary gearboxes in grey with a wooden crate: 刘洋 quotes below list,
# his manager approves the price on the quotation's 审批单 (the formal 报价单 then goes to the
# customer), and the customer orders on the quotation: the order is not held for price again.
QUOTE = FormData(
    {"quote_no": "BJ-20261118-01", "quote_date": D(2026, 11, 18), "customer_code": "C005",
     "salesperson": "S03", "valid_until": D(2026, 12, 18),
     "delivery_terms": "合同签订后 15 天内送货", "payment_terms": "货到 30 天内付清"},
    [{"product_code": "P002", "quantity": 3, "unit_price": "8200", "remark": "灰色，木箱包装"}])
QUOTED_ORDER = _order("SO-20261125-010", D(2026, 11, 25), "C005", "S03", [("P002", 3, "8200")],
                      quote_no="BJ-20261118-01")

# 恒达 complains of leaking couplings from its first order (重要: due in 3 days); the salesperson
# files it, then a second version of it once the couplings were replaced and the customer,
# called back, gave 4 of 5.
COMPLAINT = {"complaint_no": "TS-20261110-01", "received_on": D(2026, 11, 10),
             "customer_code": "C001", "salesperson": "S01", "order_no": "SO-20261102-001",
             "product_code": "P003", "category": "quality", "severity": "important",
             "description": "弹性联轴器安装后渗油，要求更换"}
COMPLAINT_RESOLVED = {"resolved_on": D(2026, 11, 12), "resolution": "上门更换 6 个联轴器及密封圈",
                      "satisfaction": 4, "remarks": "11月11日已寄样品检测"}


# The managers' decisions on two of the held orders, the quotation and the claim over budget:
# (document, approver, decision, day, remark).
DECISIONS = [
    ("SO-20261112-005", "李强", "approve", D(2026, 11, 13), "老客户批量采购，同意优惠价"),
    ("SO-20261110-004", "陈静", "decline", D(2026, 11, 11), "超出授信额度，请先安排回款"),
    ("BJ-20261118-01", "李强", "approve", D(2026, 11, 19), "批量报价，同意"),
    ("BX-20261125-02", "李强", "approve", D(2026, 11, 26), "参展差旅，同意超预算报销"),
]
# Filed on the last day of November for December: 粤丰 is overdue, but may order up to ¥30,000.
STANDING = FormData({
    "approval_type": "standing", "customer_code": "C003", "salesperson": "S02",
    "period": "2026-12", "amount_cap": "30000", "decision": "approve", "approver": "陈静",
    "approved_on": D(2026, 11, 30), "remarks": "回款计划已确认，12 月发货上限 3 万元"})
DECEMBER_ORDER = _order("SO-20261203-009", D(2026, 12, 3), "C003", "S02", [("P004", 60, "185.50")])


@dataclass
class Demo:
    results: list[IngestResult]
    report: Path
    statements: list[StatementFiles]
    appraisal: Path


def run_demo(workspace: Workspace) -> Demo:
    """The whole job on sample data: the forms staff drop, the managers' approval forms (an
    order approved, one declined, a claim over budget approved, a standing approval of next
    month and an order it lets through), then the month's summary workbook, the customers'
    statements and the quarter's appraisal."""
    write_samples(workspace)
    with pdf_worker(workspace):  # one LibreOffice for every PDF, waited for at the end
        results = process_inbox(workspace)
        write_decisions(workspace)
        write_invoice_registration(workspace)
        write_complaint(workspace, resolved=True)
        results += process_inbox(workspace)
        # (after the decisions: an order is judged before the approval forms of its batch)
        write_form(workspace.inbox / "S03/订货单-京城重工-1125.xlsx", KINDS["order"],
                   workspace.language, data=QUOTED_ORDER)
        write_form(workspace.inbox / "S02/订货单-粤丰-1203.xlsx", KINDS["order"],
                   workspace.language, data=DECEMBER_ORDER)
        results += process_inbox(workspace)
        statements = statement_files(workspace, parse_period("2026-11"), None, False)
        write_replies(workspace, statements)
        results += process_inbox(workspace)
        report = write_summary(workspace, parse_period("2026-11"))
        appraisal = write_appraisal(workspace, parse_period("2026-Q4"))
    return Demo(results, report, statements, appraisal)


def write_replies(workspace: Workspace, statements: list[StatementFiles]) -> list[Path]:
    """The 对账回函 the assistant fills from the customers' signed letters: the first customer
    agrees, the second disputes (a payment of ¥1,000 they made that we have not recorded yet),
    the others have not replied."""
    language = workspace.language
    kind = KINDS["statement_reply"]
    written = []
    with Ledger.of(workspace).connect() as books:
        for files, reply in zip(statements, ("agreed", "disputed"), strict=False):
            issued = books.issued_statement(files.statement_no)
            assert issued is not None  # statement_files has just recorded it
            header: dict[str, object] = {
                "statement_no": files.statement_no, "customer_code": files.customer,
                "reply": _label(kind, "reply", reply, language), "replied_on": D(2026, 12, 8)}
            lines: list[dict[str, object]] = []
            if reply == "disputed":
                theirs = issued["closing"] - 1000
                header.update(customer_balance=str(theirs), remarks="12月1日电汇1000元")
                lines = [{"item": "回款", "our_amount": "0", "their_amount": "1000",
                          "note": "12月1日电汇，我方尚未入账"}]
            written.append(write_form(workspace.inbox / f"对账回函-{files.customer}.xlsx", kind,
                                      language, data=FormData(header, lines)))
    return written


def write_complaint(workspace: Workspace, resolved: bool = False) -> Path:
    """恒达's complaint as the salesperson files it, or its later version once resolved."""
    kind = KINDS["complaint"]
    language = workspace.language
    header: dict[str, object] = {**COMPLAINT, **(COMPLAINT_RESOLVED if resolved else {})}
    for key in ("category", "severity"):
        header[key] = _label(kind, key, str(header[key]), language)
    name = "客户投诉-恒达-1110" + ("-已解决" if resolved else "")
    return write_form(workspace.inbox / "S01" / f"{name}.xlsx", kind, language,
                      data=FormData(header))


def write_invoice_registration(workspace: Workspace) -> Path:
    """The 开票通知单 of 恒达's first order back from finance, with the VAT invoice's number,
    date and amount filled in where the notice asks for them (its defined names)."""
    order_no, invoice_no, day, amount = INVOICE
    notice = invoice_path(workspace, "C001", order_no, 1)
    book = openpyxl.load_workbook(notice)
    for name, value in (("invoice_no", invoice_no), ("invoiced_on", day),
                        ("invoice_amount", float(amount))):
        [(sheet, cell)] = list(book.defined_names[name].destinations)
        book[sheet][cell.replace("$", "")].value = value
    saved = io.BytesIO()
    book.save(saved)
    target = workspace.inbox / "财务" / f"开票登记-{order_no}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_saved_on(saved.getvalue(), day))
    return target


def _saved_on(package: bytes, day: date) -> bytes:
    """`package` as if saved on `day`: openpyxl stamps the moment of saving into its core
    properties and zip members, and the demo run again must drop the very same file."""
    stamp = f"{day.isoformat()}T10:00:00Z".encode()
    out = io.BytesIO()
    with PackageReader(package) as source, PackageWriter(out) as target:
        for member in source.members:
            data = source.read(member)
            if member.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.write(member.filename, data)
    return stable_package(out.getvalue())


def write_decisions(workspace: Workspace) -> list[Path]:
    """The approval forms the managers fill in and drop: the held orders' requests with their
    decisions, and a standing approval."""
    language = workspace.language
    kind = KINDS["approval"]
    written = []
    with Ledger.of(workspace).connect() as books:
        for number, approver, decision, day, remark in DECISIONS:
            document = books.latest_document(number)
            if document is None:
                continue
            data = request_data(books, document, language)
            data.header.update(decision=_label(kind, "decision", decision, language),
                               approver=approver, approved_on=day, remarks=remark)
            written.append(write_form(workspace.inbox / approver / f"审批单-{number}.xlsx", kind,
                                      language, data=data))
    header = dict(STANDING.header)
    for key in ("approval_type", "decision"):
        header[key] = _label(kind, key, str(header[key]), language)
    written.append(write_form(workspace.inbox / "陈静" / "逾期客户月度发货审批-粤丰-202612.xlsx",
                              kind, language, data=FormData(header)))
    return written


def _label(kind: Kind, key: str, value: str, language: str) -> str:
    choice = next(c for c in kind.header_field(key).choices if c.value == value)
    return choice.label(language)
