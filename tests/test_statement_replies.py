"""对账回函 (spec 4b): every 对账函 is numbered and recorded as it is issued, a reply form is
written beside it, and the customer's answer dropped in the inbox is checked against the
statement it names and recorded; status, the summary workbook and the daily check show where
each statement stands. Real workbooks, the real intake and CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sales_sheets.api import run_scheduled_job, write_report, write_statements
from sales_sheets.cli import main
from sales_sheets.config import load_settings
from sales_sheets.intake.ingest import IngestResult, process_inbox
from sales_sheets.ledger import ledger_status
from sales_sheets.notify.texts import message_text
from sales_sheets.status import ReplyStatus
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import codes, docx_text, drop, order_header, query

pytestmark = pytest.mark.ledgers

LINE = {"product_code": "P003", "unit_price": "460"}
Q3 = "2026-Q3"


def _orders(ws: Workspace, *orders: tuple[str, date, int]) -> None:
    for no, day, qty in orders:
        drop(ws, "order", f"S01/{no}.xlsx", order_header(no=no, day=day, overdue_approval_no="Y"),
             [dict(LINE, quantity=qty)])
    assert {r.status for r in process_inbox(ws)} == {"accepted"}


def _fill(form: Path, target: Path, values: dict[str, object],
          disputes: tuple[tuple[object, ...], ...] = ()) -> Path:
    """Fill the reply form sales-sheets wrote, as the assistant does in Excel: by its defined
    names and its table's first rows, saved into the inbox."""
    book = openpyxl.load_workbook(form)
    for name, value in values.items():
        [(sheet, cell)] = list(book.defined_names[name].destinations)
        book[sheet][cell.replace("$", "")] = value
    sheet = next(s for s in book.worksheets if "disputes" in s.tables)
    ref = sheet.tables["disputes"].ref
    first = openpyxl.utils.cell.range_boundaries(ref)
    for r, row in enumerate(disputes):
        for c, value in enumerate(row):
            sheet.cell(first[1] + 1 + r, first[0] + c, value)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def _answer(ws: Workspace, number: str, customer: str = "C001", reply: str = "核对相符",
            name: str = "reply.xlsx", language: str = "zh", **extra: object) -> IngestResult:
    """A reply written by the kind's own template, dropped and processed."""
    header = {"statement_no": number, "customer_code": customer, "reply": reply,
              "replied_on": date(2026, 10, 12), **extra}
    drop(ws, "statement_reply", f"A01/{name}", header, language=language)
    [result] = process_inbox(ws)
    return result


def test_each_letter_is_numbered_recorded_and_gets_its_reply_form(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(loaded, Q3)
    c001 = next(f for f in written if f.customer == "C001")
    assert c001.statement_no == "DZ-2026-Q3-C001"
    assert c001.reply_form == loaded.outbox / "statements" / Q3 / "C001_对账回函.xlsx"
    book = openpyxl.load_workbook(c001.reply_form)
    meta = book["_meta"]
    assert "statement_reply" in [c.value for row in meta.iter_rows() for c in row]
    for name in ("statement_no", "customer_code", "reply", "replied_on", "customer_balance",
                 "remarks"):
        assert name in book.defined_names, name
    [(sheet, cell)] = list(book.defined_names["statement_no"].destinations)
    assert book[sheet][cell.replace("$", "")].value == "DZ-2026-Q3-C001"
    assert query(loaded, "SELECT statement_no, period, customer_code, closing, superseded_by "
                 "FROM statements_issued WHERE customer_code = 'C001'") == [
        ("DZ-2026-Q3-C001", Q3, "C001", 920000, None)]
    assert "DZ-2026-Q3-C001" in docx_text(c001.letter)
    # Written again with the same balance: the same number, nothing new recorded.
    _, again = write_statements(loaded, Q3)
    assert next(f for f in again if f.customer == "C001").statement_no == "DZ-2026-Q3-C001"
    assert query(loaded, "SELECT COUNT(*) FROM statements_issued WHERE customer_code = 'C001'"
                 ) == [(1,)]


def test_the_filled_reply_form_is_recorded_agreed(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(loaded, Q3)
    form = next(f for f in written if f.customer == "C001").reply_form
    _fill(form, loaded.inbox / "A01" / "回函.xlsx",
          {"reply": "核对相符", "replied_on": date(2026, 10, 10)})
    [result] = process_inbox(loaded)
    assert (result.kind, result.status, result.document) == (
        "statement_reply", "accepted", "DZ-2026-Q3-C001")
    assert query(loaded, "SELECT statement_no, reply, our_balance, their_balance, difference "
                 "FROM statement_replies") == [("DZ-2026-Q3-C001", "agreed", 920000, 920000, 0)]


def test_a_disputed_reply_records_their_balance_the_difference_and_the_items(
        loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(loaded, Q3)
    form = next(f for f in written if f.customer == "C001").reply_form
    _fill(form, loaded.inbox / "A01" / "回函.xlsx",
          {"reply": "核对不符", "replied_on": date(2026, 10, 11), "customer_balance": 8740},
          (("SO-8 少收一件", 9200, 8740, "破损未入账"),))
    [result] = process_inbox(loaded)
    assert result.status == "accepted", result.problems
    ours, theirs = Decimal("9200"), Decimal("8740")
    assert query(loaded, "SELECT reply, our_balance, their_balance, difference "
                 "FROM statement_replies") == [
        ("disputed", 920000, 874000, int((theirs - ours) * 100))]
    assert query(loaded, "SELECT item, our_amount, their_amount, note FROM disputes") == [
        ("SO-8 少收一件", 920000, 874000, "破损未入账")]


def test_unknown_statement_customer_mismatch_and_missing_balance_are_rejected(
        loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    write_statements(loaded, Q3)
    unknown = _answer(loaded, "DZ-2026-Q2-C001")
    assert [c for c, *_ in codes(unknown)] == ["unknown_statement"]
    other = _answer(loaded, "DZ-2026-Q3-C001", customer="C002", name="r2.xlsx")
    assert [c for c, *_ in codes(other)] == ["statement_customer_mismatch"]
    no_balance = _answer(loaded, "DZ-2026-Q3-C001", reply="核对不符", name="r3.xlsx")
    assert [c for c, *_ in codes(no_balance)] == ["reply_balance_required"]
    assert query(loaded, "SELECT COUNT(*) FROM statement_replies") == [(0,)]


def test_a_statement_issued_again_with_another_balance_supersedes_the_first(
        loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    write_statements(loaded, Q3)
    _orders(loaded, ("SO-9", date(2026, 9, 20), 1))  # recorded late: the balance changed
    _, written = write_statements(loaded, Q3)
    assert next(f for f in written if f.customer == "C001").statement_no == "DZ-2026-Q3-C001-2"
    assert query(loaded, "SELECT statement_no, closing, superseded_by FROM statements_issued "
                 "WHERE customer_code = 'C001' ORDER BY statement_no") == [
        ("DZ-2026-Q3-C001", 920000, "DZ-2026-Q3-C001-2"),
        ("DZ-2026-Q3-C001-2", 966000, None)]
    old = _answer(loaded, "DZ-2026-Q3-C001")
    assert [c for c, *_ in codes(old)] == ["superseded_statement"]
    assert "DZ-2026-Q3-C001-2" in old.problems[0].message("zh")
    assert _answer(loaded, "DZ-2026-Q3-C001-2", name="new.xlsx").status == "accepted"


def test_a_second_reply_to_the_same_statement_revises_the_first(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    write_statements(loaded, Q3)
    first = _answer(loaded, "DZ-2026-Q3-C001", reply="核对不符", customer_balance="9000")
    assert first.status == "accepted"
    second = _answer(loaded, "DZ-2026-Q3-C001", name="again.xlsx")
    assert second.status == "accepted"
    assert query(loaded, "SELECT d.version, d.status, r.reply FROM statement_replies r "
                 "JOIN documents d ON d.id = r.document_id ORDER BY d.version") == [
        (1, "superseded", "disputed"), (2, "accepted", "agreed")]




def _two_customers_replied(ws: Workspace) -> None:
    """Q3 statements for C001 (SO-8, 9,200.00) and C003 (its opening balance); C001 disputes
    with 8,740.00, C003 has not replied."""
    _orders(ws, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(ws, Q3)
    assert [f.statement_no for f in written] == ["DZ-2026-Q3-C001", "DZ-2026-Q3-C003"]
    assert _answer(ws, "DZ-2026-Q3-C001", reply="核对不符", customer_balance="8740",
                   ).status == "accepted"


def test_status_shows_sent_answered_and_overdue_after_the_reply_by_day(
        loaded: Workspace) -> None:
    _two_customers_replied(loaded)
    before = ledger_status(loaded, now=datetime(2026, 10, 15, 18, 0))  # the reply-by day
    assert [(s.customer_code, s.status, s.days_overdue) for s in before.statement_replies] == [
        ("C001", ReplyStatus.DISPUTED, 0), ("C003", ReplyStatus.SENT, 0)]
    after = ledger_status(loaded, now=datetime(2026, 10, 20, 9, 0))
    c001, c003 = after.statement_replies
    assert (c003.status, c003.days_overdue, c003.reply_by) == (
        ReplyStatus.OVERDUE, 5, date(2026, 10, 15))
    assert (c001.our_balance, c001.their_balance, c001.difference) == (
        Decimal("9200.00"), Decimal("8740.00"), Decimal("-460.00"))
    assert c001.difference == c001.their_balance - c001.our_balance  # type: ignore[operator]
    assert c001.disputed_items == 0 and after.reply_rate == Decimal("0.5")


def test_reply_by_day_is_a_setting(loaded: Workspace) -> None:
    ws = configure(loaded, statements={"reply_by_day": 25})
    _two_customers_replied(ws)
    [_, c003] = ledger_status(ws, now=datetime(2026, 10, 20, 9, 0)).statement_replies
    assert (c003.status, c003.reply_by) == (ReplyStatus.SENT, date(2026, 10, 25))


def test_the_status_command_and_its_json_show_the_replies(loaded: Workspace) -> None:
    _two_customers_replied(loaded)
    # Today is past 2026-10-15: C003's reply is overdue.
    result = CliRunner().invoke(main, ["status", "-w", str(loaded.root)])
    assert result.exit_code == 0, result.output
    section = result.output.split("对账回函\n", 1)[1]
    assert ("DZ-2026-Q3-C001  核对不符  我方余额 9,200.00  客户余额 8,740.00  差额 -460.00"
            in section)
    assert "DZ-2026-Q3-C003  逾期未回" in section and "回函率 50%" in section
    result = CliRunner().invoke(main, ["status", "--json", "-w", str(loaded.root)])
    replies = json.loads(result.output)["statement_replies"]
    assert replies["reply_rate"] == "0.5000"
    assert [(s["statement_no"], s["status"], s["difference"]) for s in replies["statements"]
            ] == [("DZ-2026-Q3-C001", "disputed", "-460.00"), ("DZ-2026-Q3-C003", "overdue", None)]
    english = configure(loaded, language="en")
    result = CliRunner().invoke(main, ["status", "-w", str(english.root)])
    assert "Statement replies\n" in result.output and "disputed  our balance 9,200.00" in (
        result.output)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_summary_workbook_has_the_replies_sheet(loaded: Workspace, language: str) -> None:
    ws = configure(loaded, language=language)
    _two_customers_replied(ws)
    path = write_report(ws, "2026-10")
    book = openpyxl.load_workbook(path)
    name = {"zh": "对账回函", "en": "Statement replies"}[language]
    sheet = book[name]
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if any(r)]
    disputed = {"zh": "核对不符", "en": "disputed"}[language]
    overdue = {"zh": "逾期未回", "en": "overdue"}[language]
    assert [r[:5] for r in rows[:2]] == [
        ("C001", "杭州恒达机械有限公司", "DZ-2026-Q3-C001", Q3, disputed),
        ("C003", rows[1][1], "DZ-2026-Q3-C003", Q3, overdue)]
    assert rows[0][5:8] == (9200, 8740, -460)  # ours, theirs, theirs − ours
    assert rows[1][10] == 16  # 2026-10-31 − 2026-10-15
    assert ("50%" in rows[2][0]) and (("回函率" in rows[2][0]) == (language == "zh"))


def test_the_office_is_told_once_of_each_overdue_reply(loaded: Workspace) -> None:
    ws = configure(loaded, notify={"office": ["S01"]})
    _two_customers_replied(ws)
    run_scheduled_job(ws, "approval_digest", "2026-10-15")  # due today: not yet overdue
    assert _told(ws) == []
    run_scheduled_job(ws, "approval_digest", "2026-10-16")
    run_scheduled_job(ws, "approval_digest", "2026-10-19")
    assert _told(ws) == [("statement_reply_overdue:DZ-2026-Q3-C003:S01:console", "S01")]
    [(payload,)] = query(ws, "SELECT payload FROM notifications WHERE event = ?",
                         "statement_reply_overdue")
    facts = json.loads(payload)
    assert (facts["statement_no"], facts["days"]) == ("DZ-2026-Q3-C003", 1)
    text = message_text(configure(ws, language="en"), "statement_reply_overdue",
                        {**facts, "name": "Zhang"})
    assert text.subject.startswith("[Statement reply overdue] C003")
    assert "DZ-2026-Q3-C003" in text.body and "C003_对账回函.xlsx" in text.body


def _told(ws: Workspace) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in query(
        ws, "SELECT key, recipient FROM notifications WHERE event = ? ORDER BY id",
        "statement_reply_overdue")]


def test_an_english_reply_form_is_read_and_answers_in_english(loaded: Workspace) -> None:
    ws = configure(loaded, language="en")
    _orders(ws, ("SO-8", date(2026, 8, 20), 20))
    _, written = write_statements(ws, Q3)
    form = next(f for f in written if f.customer == "C001").reply_form
    assert form.name == "C001_Statement reply.xlsx"
    _fill(form, ws.inbox / "A01" / "reply.xlsx", {"reply": "Disputed",
                                                  "replied_on": date(2026, 10, 9)})
    [result] = process_inbox(ws)
    assert [c for c, *_ in codes(result)] == ["reply_balance_required"]
    assert "customer's balance" in result.problems[0].message("en")


@pytest.mark.ledgers("sqlite")
def test_the_reply_day_of_an_earlier_release_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[documents]\nreply_day = 20\n", encoding="utf-8")
    assert load_settings(path).statements.reply_by_day == 20
    path.write_text("[documents]\nreply_day = 20\n[statements]\nreply_by_day = 10\n",
                    encoding="utf-8")
    assert load_settings(path).statements.reply_by_day == 10
    assert load_settings(tmp_path / "none.toml").statements.reply_by_day == 15


@pytest.mark.ledgers("postgresql")
def test_two_writers_of_the_same_statements_issue_each_number_once(loaded: Workspace) -> None:
    _orders(loaded, ("SO-8", date(2026, 8, 20), 20))
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: write_statements(loaded, Q3)[1], range(2)))
    assert [[f.statement_no for f in run] for run in runs] == [
        ["DZ-2026-Q3-C001", "DZ-2026-Q3-C003"]] * 2
    assert query(loaded, "SELECT statement_no FROM statements_issued ORDER BY 1") == [
        ("DZ-2026-Q3-C001",), ("DZ-2026-Q3-C003",)]
