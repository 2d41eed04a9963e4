"""Customer statements (对账单, .xlsx) and reconciliation letters (对账函, .docx) per period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from ..config import Settings
from ..files import atomic_path
from ..formats.printing import print_on_a4
from ..forms.kinds import Ref
from ..forms.normalize import to_code
from ..forms.periods import Period, reply_by
from ..forms.template import FormData, write_form
from ..kinds.statement_reply import STATEMENT_REPLY
from ..ledger import Ledger, Statement, customer_lock
from ..paths import inside
from ..text import Text
from ..workspace import Workspace
from .capitals import format_money, rmb_capitals
from .default_templates import LETTER_VARIABLES, write_letter_template
from .formatting import show_date
from .parties import party_fields, seller_fields
from .pdf import pdf_worker, request_pdf
from .render import WorkspaceTemplate, render_docx

LETTER = WorkspaceTemplate("statement_letter.docx", LETTER_VARIABLES, write_letter_template)
_CREATED = datetime(2026, 1, 1)
_WORDS: dict[str, Text] = {
    "statement": Text("对账单", "Statement"),
    "letter": Text("对账函", "Reconciliation letter"),
    "customer": Text("客户", "Customer"),
    "period": Text("期间", "Period"),
    "date": Text("日期", "Date"),
    "kind": Text("摘要", "Item"),
    "reference": Text("单号", "Reference"),
    "debit": Text("发货金额（借）", "Debit"),
    "credit": Text("回款及退货（贷）", "Credit"),
    "balance": Text("余额", "Balance"),
    "opening": Text("期初余额", "Opening balance"),
    "closing": Text("期末余额", "Closing balance"),
    "not_due": Text("其中：未到期", "of which not yet due"),
    "overdue": Text("其中：已逾期", "of which overdue"),
    "order": Text("发货（订单）", "Order"),
    "delivery": Text("发货", "Delivery"),
    "invoice": Text("开票", "Invoice"),
    "receipt": Text("回款", "Receipt"),
    "return": Text("退货", "Return"),
    "opening_item": Text("期初应收", "Opening receivable"),
    "statement_no": Text("对账函编号", "Statement No."),
}


@dataclass(frozen=True)
class StatementFiles:
    customer: str
    workbook: Path
    letter: Path
    reply_form: Path
    statement_no: str


def statement_files(
    workspace: Workspace, period: Period, customer: str | None = None,
    include_all: bool = False,
) -> list[StatementFiles]:
    """Write the statement, letter and reply form (对账回函) of every customer (or one) for
    `period`; each letter's number is recorded in the ledger as it is issued."""
    template = LETTER.ensure(workspace)
    check_letter_template(workspace)
    now = workspace.services.clock().replace(microsecond=0)
    issued: list[tuple[Statement, str]] = []
    # Numbered in one transaction, before any file is written: a letter never carries a
    # number the ledger does not know. Each customer is held like a document of theirs being
    # stored (in code order, as intake takes its locks), so the balance numbered is the one
    # committed, and no reply is judged against a number being superseded meanwhile.
    with Ledger.of(workspace).transaction() as books:
        one = to_code(customer) if customer else None
        for record in books.master_records(Ref.CUSTOMER, one):
            books.serialise([customer_lock(record["code"])])
            statement = books.customer_statement(record, period)
            if statement.is_empty and not include_all and not customer:
                continue
            number = books.issue_statement(str(record["code"]), period.label,
                                           statement.closing, now)
            issued.append((statement, number))
    # One LibreOffice for all the letters' PDFs (or the running watcher's).
    with pdf_worker(workspace):
        return [_write(workspace, template, statement, number) for statement, number in issued]


def check_letter_template(workspace: Workspace) -> None:
    LETTER.check(workspace, _sample(workspace.settings))


def _write(workspace: Workspace, template: Path, statement: Statement,
           number: str) -> StatementFiles:
    language = workspace.language
    code = statement.customer["code"]
    label = statement.period.label
    folder = ("statements", label)
    book = inside(workspace.outbox, *folder, f"{code}_{_WORDS['statement'](language)}_{label}.xlsx")
    letter = inside(workspace.outbox, *folder, f"{code}_{_WORDS['letter'](language)}_{label}.docx")
    with atomic_path(book) as partial:
        _write_workbook(partial, statement, workspace.settings, number)
    render_docx(template, letter_context(statement, workspace.settings, number), letter)
    request_pdf(workspace, letter)
    return StatementFiles(code, book, letter, write_reply_form(workspace, statement, number),
                          number)


def reply_form_path(workspace: Workspace, period: Period, customer_code: str) -> Path:
    """Where the reply form (对账回函) of a customer's statement for `period` is written."""
    name = f"{customer_code}_{STATEMENT_REPLY.title(workspace.language)}.xlsx"
    return inside(workspace.outbox, "statements", period.label, name)


def write_reply_form(workspace: Workspace, statement: Statement, number: str) -> Path:
    """The 对账回函 form of a statement, pre-filled with its number and customer: the
    assistant fills the customer's answer and drops it into the inbox (kind statement_reply).
    A re-issued statement's form replaces the earlier one, whose number is void."""
    code = str(statement.customer["code"])
    header: dict[str, object] = {"statement_no": number, "customer_code": code}
    return write_form(reply_form_path(workspace, statement.period, code), STATEMENT_REPLY,
                      workspace.language, data=FormData(header, []))


def letter_context(statement: Statement, settings: Settings,
                   statement_no: str | None = None) -> dict[str, Any]:
    """What the 对账函 template is rendered with; `statement_no` as the ledger issued it
    (without it, the first number of the customer's period)."""
    language = settings.language
    period = statement.period
    code = statement.customer["code"]
    return {
        "seller": seller_fields(settings.company),
        "customer": party_fields(statement.customer),
        "period": {"label": period.title(language), "start": show_date(period.start, language),
                   "end": show_date(period.end, language)},
        "balance": {
            "opening": format_money(statement.opening),
            "debits": format_money(statement.debits),
            "credits": format_money(statement.credits),
            "closing": format_money(statement.closing),
            "closing_capitals": rmb_capitals(statement.closing),
            "not_due": format_money(statement.not_due),
            "overdue": format_money(statement.overdue),
        },
        "reply_by": show_date(reply_by(period, settings.statements.reply_by_day), language),
        "statement_no": statement_no or f"DZ-{period.label}-{code}",
        # The period's end, not today: the same ledger always gives the same letter.
        "generated_on": show_date(period.end, language),
    }


def _write_workbook(path: Path, statement: Statement, settings: Settings, number: str) -> None:
    language = settings.language

    def word(key: str) -> str:
        return _WORDS[key](language)

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties({"created": _CREATED, "title": word("statement")})
    font = {"font_name": "微软雅黑", "font_size": 10}
    title = book.add_format({**font, "bold": True, "font_size": 16})
    bold = book.add_format({**font, "bold": True})
    head = book.add_format({**font, "bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({**font, "border": 1})
    money = book.add_format({**font, "border": 1, "num_format": "#,##0.00"})
    total = book.add_format({**font, "bold": True, "border": 1, "num_format": "#,##0.00"})
    day = book.add_format({**font, "border": 1, "num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(word("statement"))
    customer = statement.customer
    sheet.write_string(0, 0, f"{settings.company.name} {word('statement')}", title)
    sheet.write_string(2, 0, word("customer"), bold)
    sheet.write_string(2, 1, f"{customer['code']} {customer['name']}")
    sheet.write_string(3, 0, word("period"), bold)
    sheet.write_string(3, 1, f"{statement.period.title(language)} "
                             f"({statement.period.start} ~ {statement.period.end})")
    sheet.write_string(4, 0, word("statement_no"), bold)
    sheet.write_string(4, 1, number)
    headings = ("date", "kind", "reference", "debit", "credit", "balance")
    for c, key in enumerate(headings):
        sheet.write_string(5, c, word(key), head)
    sheet.write_string(6, 0, "", text)
    sheet.write_string(6, 1, word("opening"), text)
    sheet.write_string(6, 2, "", text)
    sheet.write_blank(6, 3, None, money)
    sheet.write_blank(6, 4, None, money)
    sheet.write_number(6, 5, float(statement.opening), money)
    row = 7
    for movement in statement.movements:
        kind = "opening_item" if movement.kind == "opening" else movement.kind
        sheet.write_datetime(row, 0, datetime(movement.day.year, movement.day.month,
                                              movement.day.day), day)
        sheet.write_string(row, 1, word(kind), text)
        sheet.write_string(row, 2, movement.reference, text)
        for c, value in ((3, movement.debit), (4, movement.credit)):
            if value:
                sheet.write_number(row, c, float(value), money)
            else:
                sheet.write_blank(row, c, None, money)
        sheet.write_number(row, 5, float(movement.balance), money)
        row += 1
    sheet.write_string(row, 1, word("closing"), bold)
    sheet.write_number(row, 3, float(statement.debits), total)
    sheet.write_number(row, 4, float(statement.credits), total)
    sheet.write_number(row, 5, float(statement.closing), total)
    sheet.write_string(row + 1, 1, word("not_due"))
    sheet.write_number(row + 1, 5, float(statement.not_due), money)
    sheet.write_string(row + 2, 1, word("overdue"))
    sheet.write_number(row + 2, 5, float(statement.overdue), money)
    for c, width in enumerate((12, 18, 22, 16, 16, 16)):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(6, 0)
    # The customer, the period and the statement's number head every page, with the columns.
    print_on_a4(sheet, language, titles=(0, 5))
    book.close()


def _sample(settings: Settings) -> dict[str, Any]:
    party = {"code": "C001", "name": "A & B <C>", "address": "-", "contact": "-", "phone": "-",
             "tax_id": "-", "bank": "-", "bank_account": "-"}
    amounts = {k: "0.00" for k in ("opening", "debits", "credits", "closing", "not_due",
                                   "overdue")}
    return {"seller": seller_fields(settings.company), "customer": party,
            "period": {"label": "-", "start": "-", "end": "-"},
            "balance": {**amounts, "closing_capitals": "零元整"},
            "reply_by": "-", "statement_no": "-", "generated_on": "-"}
