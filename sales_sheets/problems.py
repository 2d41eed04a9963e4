"""Problems are values: a stable code, a severity and a position, rendered in either language."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from .status import Status
from .text import Text

if TYPE_CHECKING:  # a type only: problems sit below the forms that use them
    from .forms.kinds.base import Field


class Severity(StrEnum):
    ERROR = "error"
    HOLD = "hold"
    WARNING = "warning"


# code -> the message template in both languages. Placeholders come from Problem.params plus
# {field} (the field's label in the message language) and {value}.
MESSAGES: dict[str, Text] = {
    # files
    "not_spreadsheet": Text(
        "这不是电子表格文件（支持 .xlsx、.xlsm、.xls、.ods、.csv）。",
        "This is not a spreadsheet (accepted: .xlsx, .xlsm, .xls, .ods, .csv).",
    ),
    "corrupt_file": Text(
        "文件已损坏或不完整，无法打开：{detail}",
        "The file is damaged or incomplete and cannot be opened: {detail}",
    ),
    "encrypted_file": Text(
        "文件设置了打开密码，请取消密码后重新提交。",
        "The file is password-protected; remove the password and submit it again.",
    ),
    "oversized_file": Text(
        "文件解压后过大（{detail}），出于安全考虑拒收。",
        "The file expands to an unsafe size ({detail}) and was refused.",
    ),
    "unsafe_xml": Text(
        "文件包含不安全的 XML 结构（实体扩展），拒收。",
        "The file contains unsafe XML (entity expansion) and was refused.",
    ),
    "unknown_kind": Text(
        "无法识别表单类型，请使用 sales-sheets 生成的模板。",
        "The form type could not be recognised; please use a template made by sales-sheets.",
    ),
    "unknown_template": Text(
        "模板版本未知（{detail}），请下载最新模板。",
        "Unknown template version ({detail}); please download the current template.",
    ),
    "empty_form": Text("表单中没有填写任何明细行。", "The form has no line items."),
    "missing_column": Text(
        "找不到必填列“{field}”。",
        "The required column \u201c{field}\u201d is missing.",
    ),
    # values
    "required": Text("“{field}”为必填项。", "\u201c{field}\u201d is required."),
    "formula_without_value": Text(
        "“{field}”是公式，但文件里没有它的计算结果（文件由程序生成，未经 Excel 保存）。"
        "请用 Excel 或 WPS 打开此文件并保存，然后重新提交。",
        "\u201c{field}\u201d is a formula whose result is not in the file (it was written by a "
        "program and never saved by Excel). Open the file in Excel or WPS, save it and submit "
        "it again.",
    ),
    "type": Text(
        "“{field}”的值“{value}”不是有效的{expected}。",
        "\u201c{field}\u201d: \u201c{value}\u201d is not a valid {expected}.",
    ),
    "enum": Text(
        "“{field}”的值“{value}”不在可选范围内（{allowed}）。",
        "\u201c{field}\u201d: \u201c{value}\u201d is not one of the allowed values ({allowed}).",
    ),
    "range": Text(
        "“{field}”的值 {value} 超出范围（{detail}）。",
        "\u201c{field}\u201d: {value} is out of range ({detail}).",
    ),
    "duplicate_line": Text(
        "“{field}”为“{value}”的行重复出现（与第 {other_row} 行重复）。",
        "The line with \u201c{field}\u201d = \u201c{value}\u201d repeats row {other_row}.",
    ),
    # master data
    "unknown_customer": Text(
        "客户编码“{value}”不存在，新客户须先建档。",
        "Customer code \u201c{value}\u201d does not exist; new customers need a record first.",
    ),
    "unknown_product": Text(
        "产品编码“{value}”不在价格表中。",
        "Product code \u201c{value}\u201d is not on the price list.",
    ),
    "unknown_salesperson": Text(
        "业务员“{value}”不在业务员名单中。",
        "Salesperson \u201c{value}\u201d is not on the roster.",
    ),
    "unknown_order": Text(
        "订单号“{value}”不存在。",
        "Order number \u201c{value}\u201d does not exist.",
    ),
    "not_assigned_salesperson": Text(
        "客户“{customer}”的负责业务员是“{assigned}”，不是“{value}”。",
        "Customer \u201c{customer}\u201d is assigned to \u201c{assigned}\u201d, "
        "not \u201c{value}\u201d.",
    ),
    # orders
    "amount_mismatch": Text(
        "金额 {value} 与 数量×单价 = {expected} 不一致，已按 {expected} 计。",
        "Amount {value} differs from quantity \u00d7 unit price = {expected}; {expected} is used.",
    ),
    "price_below_list": Text(
        "单价 {value} 低于价目表价 {list_price}，需填写优惠价格审批号。",
        "Unit price {value} is below the list price {list_price}; a price approval number "
        "is required.",
    ),
    "price_below_floor": Text(
        "单价 {value} 低于最低限价 {floor_price}，不能接受。",
        "Unit price {value} is below the floor price {floor_price} and cannot be accepted.",
    ),
    "customer_overdue": Text(
        "客户有逾期应收款 {overdue}（截至 {as_of}），需填写逾期客户发货审批号。",
        "The customer has overdue receivables of {overdue} (as of {as_of}); an overdue "
        "approval number is required.",
    ),
    "credit_limit_exceeded": Text(
        "应收余额 {balance} 加本单 {amount} 超出授信额度 {limit}。",
        "Outstanding balance {balance} plus this order {amount} exceeds the credit limit {limit}.",
    ),
    # visits and plans
    "date_outside_week": Text(
        "拜访日期 {value} 不在本周（{week_start} 至 {week_end}）内。",
        "Visit date {value} is outside the week {week_start} to {week_end}.",
    ),
    "not_monday": Text("周开始日期 {value} 不是星期一。", "Week start {value} is not a Monday."),
    "customer_or_prospect": Text(
        "每行须填写客户编码或潜在客户名称。",
        "Each line needs a customer code or a prospect name.",
    ),
    "plan_mismatch": Text(
        "{period} 各月计划合计 {months} 与{parent}计划 {parent_amount} 不一致。",
        "The monthly plans of {period} add up to {months}, not the {parent} plan "
        "of {parent_amount}.",
    ),
    # receipts and returns
    "duplicate_reference": Text(
        "回款凭证号“{value}”已经登记过。",
        "Receipt reference \u201c{value}\u201d is already recorded.",
    ),
    "duplicate_return": Text(
        "退货单号“{value}”已经登记过。",
        "Return number \u201c{value}\u201d is already recorded.",
    ),
    "order_customer_mismatch": Text(
        "订单“{value}”属于客户“{expected}”。",
        "Order \u201c{value}\u201d belongs to customer \u201c{expected}\u201d.",
    ),
    "return_exceeds_order": Text(
        "退货数量 {value} 超过订单可退数量 {available}。",
        "Return quantity {value} exceeds the {available} still returnable on the order.",
    ),
    "product_not_on_order": Text(
        "产品“{value}”不在订单“{order_no}”中。",
        "Product \u201c{value}\u201d is not on order \u201c{order_no}\u201d.",
    ),
    # statement replies (对账回函)
    "unknown_statement": Text(
        "对账函编号“{value}”不存在，请使用随对账函生成的回函。",
        "There is no statement numbered \u201c{value}\u201d; use the reply form that came with "
        "the letter.",
    ),
    "superseded_statement": Text(
        "对账函“{value}”已重新出具为“{current}”（余额已变化），请按新对账函回函。",
        "Statement \u201c{value}\u201d was issued again as \u201c{current}\u201d (the balance "
        "changed); reply to the new statement.",
    ),
    "statement_customer_mismatch": Text(
        "对账函“{statement}”是客户“{expected}”的，不是“{value}”。",
        "Statement \u201c{statement}\u201d is customer \u201c{expected}\u201d's, not "
        "\u201c{value}\u201d's.",
    ),
    "reply_balance_required": Text(
        "核对不符时须填写客户确认余额。",
        "A disputed reply needs the customer's balance.",
    ),
    "reply_balance_differs": Text(
        "回函为核对相符，但客户确认余额 {value} 与我方余额 {ours} 不同；按相符登记。",
        "The reply agrees, but the customer's balance {value} differs from ours, {ours}; "
        "recorded as agreed.",
    ),
    "return_needs_approval": Text(
        "退货须经审批（{approvers}）。",
        "A return needs approval ({approvers}).",
    ),
    "standing_approval_used": Text(
        "客户有逾期应收款 {overdue}，按月度发货审批 {approval} 放行"
        "（本月累计 {used}，上限 {cap}）。",
        "The customer has overdue receivables of {overdue}; shipped under the standing "
        "approval {approval} (this month {used} of {cap}).",
    ),
    # expenses
    "unknown_category": Text(
        "费用类别“{value}”不在设置的类别（{categories}）中。",
        "Expense category \u201c{value}\u201d is not one of the categories set up "
        "({categories}).",
    ),
    "unknown_budget_owner": Text(
        "预算对象“{value}”既不是业务员编码，也不是片区。",
        "Budget owner \u201c{value}\u201d is neither a salesperson code nor a region.",
    ),
    "over_budget": Text(
        "{month} {category}：预算 {budget}，已报销 {spent}，本单 {claimed}，超出 {excess}，"
        "须经审批。",
        "{month} {category}: budget {budget}, already claimed {spent}, this claim {claimed}: "
        "{excess} over budget; it needs approval.",
    ),
    "over_cap": Text(
        "{category}单笔 {value} 超出上限 {cap}，须经审批。",
        "{category}: {value} on one line is above the cap of {cap}; it needs approval.",
    ),
    # quotations (报价单)
    "quote_customer_or_prospect": Text(
        "须填写客户编码，新客户未建档时填写潜在客户名称。",
        "Give the customer code, or for a customer not yet on file the prospect's name.",
    ),
    "valid_before_quoted": Text(
        "有效期至 {value} 早于报价日期 {quoted}。",
        "Valid until {value} is before the quotation date {quoted}.",
    ),
    "quote_needs_approval": Text(
        "报价单须经审批（{approvers}）。",
        "A quotation needs approval ({approvers}).",
    ),
    "unknown_quote": Text(
        "报价单“{value}”不存在，按普通价格规则审核。",
        "There is no quotation \u201c{value}\u201d; the ordinary price rules apply.",
    ),
    "quote_not_approved": Text(
        "报价单“{value}”尚未审批通过，按普通价格规则审核。",
        "Quotation \u201c{value}\u201d is not approved; the ordinary price rules apply.",
    ),
    "quote_other_customer": Text(
        "报价单“{value}”不是本客户的，按普通价格规则审核。",
        "Quotation \u201c{value}\u201d is another customer's; the ordinary price rules apply.",
    ),
    "quote_expired": Text(
        "报价单“{value}”有效期至 {valid_until}，已过期，按普通价格规则审核。",
        "Quotation \u201c{value}\u201d was valid until {valid_until}; the ordinary price "
        "rules apply.",
    ),
    "quote_used_up": Text(
        "报价单“{quote_no}”该产品尚余 {left}，本行 {value} 超出，按普通价格规则审核。",
        "Quotation \u201c{quote_no}\u201d has {left} of this product left, less than {value}; "
        "the ordinary price rules apply.",
    ),
    # customer complaints (客户投诉)
    "resolution_required": Text(
        "填写了解决日期，须同时填写处理结果。",
        "A resolved complaint needs its resolution.",
    ),
    "resolved_before_received": Text(
        "解决日期 {value} 早于受理日期 {received}。",
        "Resolved on {value}, before it was received on {received}.",
    ),
    "due_before_received": Text(
        "处理期限 {value} 早于受理日期 {received}。",
        "Due on {value}, before it was received on {received}.",
    ),
    "satisfaction_out_of_range": Text(
        "满意度“{value}”须为 1 到 5 的整数。",
        "Satisfaction \u201c{value}\u201d must be a whole number from 1 to 5.",
    ),
    # deliveries and invoices: the order they name
    "order_held": Text(
        "订单“{value}”（第 {version} 版）正在待审批，审批通过后才能发货或开票。",
        "Order \u201c{value}\u201d (version {version}) is held for approval; it cannot be "
        "delivered or invoiced until it is approved.",
    ),
    "order_declined": Text(
        "订单“{value}”（第 {version} 版）已被否决，不能发货或开票。",
        "Order \u201c{value}\u201d (version {version}) was declined; nothing can be delivered "
        "or invoiced on it.",
    ),
    "order_superseded": Text(
        "订单“{value}”已被替代，现在没有有效的版本"
        "（最新的第 {version} 版为“{status}”），不能发货或开票。",
        "Order \u201c{value}\u201d was superseded and no version of it stands now (the "
        "newest, version {version}, is {status}); nothing can be delivered or invoiced on it.",
    ),
    "stale_order_version": Text(
        "此单据针对订单“{value}”的第 {version} 版，现行的是第 {current} 版，请使用新版本的单据。",
        "This form is for version {version} of order \u201c{value}\u201d; version {current} "
        "is current: use its form.",
    ),
    # deliveries
    "over_delivery": Text(
        "发货数量 {value} 超过订单“{order_no}”尚可发货的 {left}"
        "（订购 {ordered}，退货 {returned}，已发货 {delivered}）。",
        "Delivering {value} is more than the {left} left to deliver on order "
        "\u201c{order_no}\u201d (ordered {ordered}, returned {returned}, delivered {delivered}).",
    ),
    # invoices
    "over_invoiced": Text(
        "开票金额 {value} 超过订单“{order_no}”尚可开票的 {remaining}"
        "（订单 {total}，退货 {returned}，已开票 {invoiced}）。",
        "The invoice amount {value} exceeds the {remaining} left to invoice on order "
        "\u201c{order_no}\u201d (order {total}, returned {returned}, invoiced {invoiced}).",
    ),
    "duplicate_invoice": Text(
        "发票号码“{value}”已登记在订单“{order_no}”上。",
        "Invoice No. \u201c{value}\u201d is already registered against order "
        "\u201c{order_no}\u201d.",
    ),
    "invoice_before_order": Text(
        "开票日期 {value} 早于订单日期 {order_date}。",
        "The invoice date {value} is before the order date {order_date}.",
    ),
    # approvals
    "decision_required": Text(
        "请填写审批结果：同意或不同意。",
        "Fill in the decision: approve or decline.",
    ),
    "unknown_document": Text(
        "单据“{value}”不在台账中。",
        "Document \u201c{value}\u201d is not in the ledger.",
    ),
    "not_held": Text(
        "单据“{value}”现为“{status}”，不在待审批状态，不能再审批。",
        "Document \u201c{value}\u201d is {status}, not waiting for approval.",
    ),
    "stale_request": Text(
        "此审批单针对单据“{value}”的第 {version} 版，现行的是第 {current} 版，请用新的审批单。",
        "This form is for version {version} of \u201c{value}\u201d; the current version is "
        "{current}: use its new approval form.",
    ),
    "document_mismatch": Text(
        "审批单的客户“{value}”与单据“{document}”的客户“{expected}”不一致。",
        "The form names customer \u201c{value}\u201d but document \u201c{document}\u201d "
        "belongs to \u201c{expected}\u201d.",
    ),
    "not_approver": Text(
        "“{value}”无权审批{reason}（可审批：{approvers}）。",
        "\u201c{value}\u201d may not approve {reason} (who may: {approvers}).",
    ),
    "discount_beyond_limit": Text(
        "折扣 {discount}% 超出“{value}”的审批权限 {limit}%。",
        "A discount of {discount}% is beyond the {limit}% that \u201c{value}\u201d may approve.",
    ),
    "excess_beyond_limit": Text(
        "超授信额度 {excess} 超出“{value}”的审批权限 {limit}。",
        "An excess of {excess} over the credit limit is beyond the {limit} that "
        "\u201c{value}\u201d may approve.",
    ),
    "spending_beyond_limit": Text(
        "费用超预算/超标准 {excess} 超出“{value}”的审批权限 {limit}。",
        "An expense claim {excess} over budget and caps is beyond the {limit} that "
        "\u201c{value}\u201d may approve.",
    ),
    "standing_month": Text(
        "月度发货审批须填写一个月份（如 2026-12），而不是“{value}”。",
        "A standing approval is for one month (e.g. 2026-12), not \u201c{value}\u201d.",
    ),
    # access
    "wrong_owner": Text(
        "此文件放在“{folder}”的文件夹中，但业务员是“{value}”，无权代交。",
        "This file is in the folder of \u201c{folder}\u201d but names salesperson "
        "\u201c{value}\u201d; submitting for others is not allowed.",
    ),
    "master_data_not_allowed": Text(
        "“{folder}”无权提交主数据（客户、产品、业务员）。",
        "\u201c{folder}\u201d may not submit master data (customers, products, salespeople).",
    ),
    "internal_error": Text(
        "处理此文件时发生内部错误（{detail}），文件已存档，请联系管理员。",
        "An internal error occurred while processing this file ({detail}); the file is "
        "archived, please tell the administrator.",
    ),
    "no_owner_folder": Text(
        "请把文件放到自己的文件夹 inbox/<业务员编码>/ 中，不要直接放在 inbox 根目录。",
        "Put the file in your own folder inbox/<salesperson code>/, not in the inbox itself.",
    ),
}

# Words that messages take as parameters and that must follow the message language.
TERMS: dict[str, Text] = {
    "money": Text("金额（最多两位小数）", "amount (at most 2 decimals)"),
    "quantity": Text("数量（最多四位小数）", "quantity (at most 4 decimals)"),
    "integer": Text("整数", "whole number"),
    "date": Text("日期", "date"),
    "yesno": Text("“是”或“否”", "Yes or No"),
    "period": Text("期间（如 2026、2026-Q4、2026-11）", "period (e.g. 2026, 2026-Q4, 2026-11)"),
    "rate": Text("税率（如 13%）", "rate (e.g. 13%)"),
    "choice": Text("选项", "choice"),
    "year": Text("年度", "annual"),
    "quarter": Text("季度", "quarterly"),
    # statuses (from their one table) and approval reasons, as approval messages name them
    **{status.value: status.text for status in Status},
    "price": Text("优惠价格", "prices below the list"),
    "overdue": Text("逾期客户发货", "shipping to overdue customers"),
    "credit": Text("超授信额度", "orders over the credit limit"),
    "return": Text("退货", "returns"),
    "expense": Text("费用报销", "expense claims"),
}

SEVERITY_LABELS: dict[Severity, Text] = {
    Severity.ERROR: Text("错误", "error"),
    Severity.HOLD: Text("待审批", "hold"),
    Severity.WARNING: Text("提示", "warning"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one place in one file."""

    code: str
    severity: Severity
    sheet: str = ""
    cell: str = ""
    field: str = ""
    field_label: Text = Text("", "")
    value: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def message(self, language: str = "zh") -> str:
        params = {k: TERMS[v](language) if v in TERMS else v for k, v in self.params}
        label = self.field_label(language) or self.field
        return MESSAGES[self.code].format_map(
            language, {"field": label, "value": self.value, **params})

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_record(self) -> dict[str, Any]:
        """A language-neutral form for the ledger; `from_record` reverses it."""
        return {"code": self.code, "severity": str(self.severity), "sheet": self.sheet,
                "cell": self.cell, "field": self.field,
                "labels": [self.field_label.zh, self.field_label.en],
                "value": self.value, "params": dict(self.params)}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Problem:
        labels = record.get("labels") or ["", ""]
        return cls(record["code"], Severity(record["severity"]), record["sheet"],
                   record["cell"], record["field"], Text(labels[0], labels[1]), record["value"],
                   tuple(record["params"].items()))

    def as_dict(self, language: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "sheet": self.sheet,
            "cell": self.cell,
            "field": self.field,
            "value": self.value,
            "message": self.message(language),
        }


def problem(
    code: str,
    severity: Severity = Severity.ERROR,
    *,
    sheet: str = "",
    cell: str = "",
    field: Field | None = None,
    value: object = "",
    **params: object,
) -> Problem:
    """Build a Problem; an unknown code fails at once so no message can ever be missing."""
    if code not in MESSAGES:
        raise KeyError(f"problem code {code!r} has no message")
    return Problem(
        code=code,
        severity=severity,
        sheet=sheet,
        cell=cell,
        field=field.key if field else "",
        field_label=field.text if field else Text("", ""),
        value=_show(value),
        params=tuple((k, _show(v)) for k, v in params.items()),
    )


def problems_in_column(
    code: str, *, sheet: str, field: Field, found: Iterable[tuple[str, object]],
    severity: Severity = Severity.ERROR,
) -> list[Problem]:
    """The same problem at each (cell, value) of `found`: a column of 100,000 unknown codes is
    built in one pass, the code checked once."""
    first = problem(code, severity, sheet=sheet, field=field)
    return [Problem(code, severity, sheet, cell, first.field, first.field_label, _show(value))
            for cell, value in found]


def records_json(problems: Sequence[Problem]) -> str:
    """The problems as the ledger keeps them: the text of
    `json.dumps([p.to_record() for p in problems], ensure_ascii=False)`, built without a dict
    per problem. A file with 100,000 wrong lines brings 100,000 problems that differ only in
    cell and value, so what they share is encoded once and those two per problem."""
    shared: dict[tuple[object, ...], tuple[str, str, str]] = {}
    records = []
    for p in problems:
        key = (p.code, p.severity, p.sheet, p.field, p.field_label, p.params)
        head, middle, tail = shared.get(key) or shared.setdefault(key, _record_frame(p))
        records.append(f"{head}{encode_basestring(p.cell)}{middle}"
                       f"{encode_basestring(p.value)}{tail}")
    return "[" + ", ".join(records) + "]"


def _record_frame(p: Problem) -> tuple[str, str, str]:
    """`p.to_record()` as JSON around its cell and its value: the text before the cell, between
    the two, and after the value (the key order of `to_record`)."""
    record = p.to_record()
    before = {k: record[k] for k in ("code", "severity", "sheet")}
    between = {k: record[k] for k in ("field", "labels")}
    head = json.dumps(before, ensure_ascii=False)[:-1] + ', "cell": '
    middle = ", " + json.dumps(between, ensure_ascii=False)[1:-1] + ', "value": '
    tail = ', "params": ' + json.dumps(record["params"], ensure_ascii=False) + "}"
    return head, middle, tail


def _show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # 0.0000 reads as 0.00, 2.5000 as 2.50: never fewer than two places, never noise.
        exponent = value.normalize().as_tuple().exponent
        places = max(-exponent, 2) if isinstance(exponent, int) else 2
        return f"{value:.{places}f}"
    return str(value)


def worst(problems: list[Problem]) -> Severity | None:
    """The most serious severity among problems, or None when there are none."""
    for level in (Severity.ERROR, Severity.HOLD, Severity.WARNING):
        if any(p.severity == level for p in problems):
            return level
    return None
