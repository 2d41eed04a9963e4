"""The add-in's actions on real workbooks, through the same `run(tag)` the ribbon calls; the
host is a workbook file instead of Excel (everything but the few lines of excel_host.py)."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from sales_sheets.addin import run
from sales_sheets.addin.host import FileHost
from sales_sheets.addin.settings import AddinSettings, save_addin_settings
from sales_sheets.addin.submit import submit_workbook
from sales_sheets.api import write_report, write_template
from sales_sheets.demo import CUSTOMERS, PRODUCTS, SALESPEOPLE
from sales_sheets.forms.meta import LISTS_SHEET, MARKS_SHEET
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.annotate import FILLS
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.problems import Severity
from sales_sheets.workspace import Workspace

from .helpers.approvals import decide
from .helpers.config import configure
from .helpers.forms import docx_text, drop, one, order_header
from .helpers.watching import fast, running, wait_until

LINE = {"product_code": "P001", "quantity": 2, "unit_price": "12800"}
BELOW_LIST = {"product_code": "P002", "quantity": 1, "unit_price": "8000"}


def settings(tmp_path: Path, workspace: Workspace | None, salesperson: str = "S01") -> Path:
    target = tmp_path / "user" / "addin.toml"
    root = str(workspace.root) if workspace else ""
    return save_addin_settings(AddinSettings(root, salesperson), target)


def order_book(tmp_path: Path, name: str = "订货单.xlsx", lines: list[dict[str, Any]] | None = None,
               **header: Any) -> Path:
    return write_form(tmp_path / "desk" / name, KINDS["order"],
                      data=FormData(order_header(**header), lines or [LINE]))


def press(tag: str, host: FileHost, config: Path) -> str:
    """Run the button's action; returns the one dialog's text."""
    run(tag, host, config)
    assert len(host.messages) <= 1, host.messages
    return host.messages[0][1] if host.messages else ""


def marks(path: Path) -> dict[str, tuple[str, str]]:
    """cell -> (fill RRGGBB, note) of every filled or commented cell of the form sheet."""
    book = openpyxl.load_workbook(path)
    sheet = book[KINDS["order"].title("zh")]
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            fill = cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else ""
            if fill or cell.comment:
                found[cell.coordinate] = (fill, cell.comment.text if cell.comment else "")
    return found


class UnsavedHost(FileHost):
    """Like Excel with unsaved changes: the saved file at `path` is out of date, the library
    gets a copy of what is on screen (`unsaved`), and the marks go to the open workbook."""

    def __init__(self, path: Path, unsaved: Path) -> None:
        super().__init__(path)
        self.unsaved = unsaved

    def workbook_copy(self) -> tuple[Path, str]:
        copy = self.path.parent / "tmp-copy" / "Book1.xlsx"
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(self.unsaved, copy)
        return copy, self.path.name


# -- settings ---------------------------------------------------------------------------------


def test_missing_settings_are_a_dialog_in_both_languages(tmp_path: Path) -> None:
    host = FileHost(order_book(tmp_path))
    message = press("validate", host, tmp_path / "nowhere.toml")
    assert "sales-sheets addin install" in message
    assert "还没有设置加载项" in message and "The add-in is not set up" in message
    assert host.messages[0][2] is True


def test_each_missing_setting_is_named(tmp_path: Path, loaded: Workspace) -> None:
    book = order_book(tmp_path)
    assert "共享文件夹" in press("validate", FileHost(book), settings(tmp_path, None))
    config = save_addin_settings(AddinSettings(str(tmp_path / "gone"), "S01"),
                                 tmp_path / "user" / "gone.toml")
    assert "gone" in press("validate", FileHost(book), config)
    message = press("submit", FileHost(book), settings(tmp_path, loaded, salesperson=""))
    assert "业务员编码" in message
    broken = tmp_path / "user" / "broken.toml"
    broken.write_text('workspace = "x"\nsalesman = "S01"\n', encoding="utf-8")
    assert "salesman" in press("validate", FileHost(book), broken)


def test_an_unknown_button_says_to_update_the_add_in(tmp_path: Path, loaded: Workspace) -> None:
    message = press("print_everything", FileHost(order_book(tmp_path)), settings(tmp_path, loaded))
    assert "print_everything" in message and "addin install" in message


def test_a_bug_is_a_dialog_and_a_log_entry_not_a_traceback(
    tmp_path: Path, loaded: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALES_SHEETS_ADDIN_CONFIG", str(settings(tmp_path, loaded)))
    host = FileHost(tmp_path / "missing.xlsx")  # the host cannot produce the workbook
    message = press("refresh_lists", host, settings(tmp_path, loaded))
    assert "出错了" in message and "addin.log" in message
    log = (tmp_path / "user" / "addin.log").read_text(encoding="utf-8")
    assert "refresh_lists" in log and "Traceback" in log


# -- validate ---------------------------------------------------------------------------------


def test_validate_a_good_order(tmp_path: Path, loaded: Workspace) -> None:
    book = order_book(tmp_path)
    message = press("validate", FileHost(book), settings(tmp_path, loaded))
    assert message == "校验通过：0 个错误，0 个待审批，0 个提示。"
    assert marks(book) == {}
    assert MARKS_SHEET not in openpyxl.load_workbook(book).sheetnames


def test_validate_marks_problems_and_the_next_check_undoes_them(
    tmp_path: Path, loaded: Workspace
) -> None:
    book = order_book(tmp_path, customer="C404", lines=[LINE, BELOW_LIST])
    # The person had coloured the customer cell and left a note on it.
    edit = openpyxl.load_workbook(book)
    sheet = edit[KINDS["order"].title("zh")]
    sheet["B5"].fill = PatternFill("solid", start_color="00B0F0")
    sheet["B5"].comment = Comment("客户电话待确认", "张伟")
    edit.save(book)
    config = settings(tmp_path, loaded)

    message = press("validate", FileHost(book), config)
    assert message.startswith("有错误，不能提交：1 个错误，1 个待审批，0 个提示。")
    assert "订货单!B5" in message and "C404" in message
    found = marks(book)
    assert found["B5"][0] == FILLS[Severity.ERROR] and "[错误]" in found["B5"][1]
    assert found["F18"][0] == FILLS[Severity.HOLD] and "[待审批]" in found["F18"][1]
    hidden = openpyxl.load_workbook(book)[MARKS_SHEET]
    assert hidden.sheet_state == "veryHidden"
    remembered = {row[:4] for row in hidden.iter_rows(values_only=True)}
    assert ("订货单", "B5", "00B0F0", "客户电话待确认") in remembered

    edit = openpyxl.load_workbook(book)
    edit[KINDS["order"].title("zh")]["B5"].value = "C001"
    edit.save(book)
    message = press("validate", FileHost(book), config)
    assert message.startswith("可以提交，但将等待审批：0 个错误，1 个待审批，0 个提示。")
    found = marks(book)
    assert found["B5"] == ("00B0F0", "客户电话待确认")  # the person's own colour and note
    assert found["F18"][0] == FILLS[Severity.HOLD]
    assert set(found) == {"B5", "F18"}


def test_validate_and_the_watcher_make_the_same_marks(tmp_path: Path, loaded: Workspace) -> None:
    book = order_book(tmp_path, customer="C404", lines=[dict(LINE, quantity="两台"), BELOW_LIST])
    (loaded.inbox / "S01").mkdir()
    shutil.copyfile(book, loaded.inbox / "S01" / "同一张.xlsx")
    press("validate", FileHost(book), settings(tmp_path, loaded))
    result = one(loaded)
    assert result.status == "rejected"
    rejected = loaded.root / result.outputs[1]
    assert marks(book) == marks(rejected)
    assert len(marks(book)) == 3


def test_validate_with_unsaved_changes_reads_the_copy_and_marks_the_workbook(
    tmp_path: Path, loaded: Workspace
) -> None:
    saved = order_book(tmp_path, name="saved.xlsx", customer="C001")
    on_screen = order_book(tmp_path, name="screen.xlsx", customer="C404")
    message = press("validate", UnsavedHost(saved, on_screen), settings(tmp_path, loaded))
    assert "1 个错误" in message and "C404" in message
    assert "B5" in marks(saved)
    fixed = UnsavedHost(on_screen, saved)  # and the other way round: the copy is what counts
    assert press("validate", fixed, settings(tmp_path, loaded)).startswith("校验通过")


def test_validate_in_english(tmp_path: Path, loaded: Workspace) -> None:
    configure(loaded, language="en")
    book = write_form(tmp_path / "desk" / "order.xlsx", KINDS["order"], "en",
                      data=FormData(order_header(customer="C404"), [LINE]))
    message = press("validate", FileHost(book), settings(tmp_path, loaded))
    assert message.startswith("There are errors; it cannot be submitted: 1 error, 0 holds, "
                              "0 warnings.")


# -- submit -----------------------------------------------------------------------------------


def test_submit_a_good_order_into_the_salespersons_folder(tmp_path: Path,
                                                          loaded: Workspace) -> None:
    book = order_book(tmp_path, name="订货单 SO-1.xlsx")
    message = press("submit", FileHost(book), settings(tmp_path, loaded))
    placed = list((loaded.inbox / "S01").iterdir())
    assert len(placed) == 1 and placed[0].name.startswith("订货单 SO-1_")
    assert placed[0].suffix == ".xlsx" and placed[0].read_bytes() == book.read_bytes()
    assert f"inbox/S01/{placed[0].name}" in message
    assert "outbox/receipts/S01/" in message
    result = one(loaded)
    assert (result.status, result.file) == ("accepted", f"S01/{placed[0].name}")


def test_submit_stops_on_errors_and_marks_them(tmp_path: Path, loaded: Workspace) -> None:
    book = order_book(tmp_path, customer="C404")
    message = press("submit", FileHost(book), settings(tmp_path, loaded))
    assert message.startswith("没有提交：有错误（1 个错误，0 个待审批，0 个提示）")
    assert not (loaded.inbox / "S01").exists() or not any((loaded.inbox / "S01").iterdir())
    assert "B5" in marks(book)


def test_submit_a_held_order_says_it_will_wait(tmp_path: Path, loaded: Workspace) -> None:
    book = order_book(tmp_path, lines=[BELOW_LIST])
    message = press("submit", UnsavedHost(book, book), settings(tmp_path, loaded))
    assert message.startswith("已提交到 inbox/S01/订货单_") and "将等待审批" in message
    assert one(loaded).status == "held"


def test_submit_never_replaces_an_earlier_submission(tmp_path: Path, loaded: Workspace) -> None:
    now = datetime(2026, 11, 23, 9, 30, 0)
    book = order_book(tmp_path)
    targets = [submit_workbook(loaded, book, "S01", now=now).target for _ in range(3)]
    assert [t.name for t in targets if t] == [
        "订货单_20261123-093000.xlsx", "订货单_20261123-093000-2.xlsx",
        "订货单_20261123-093000-3.xlsx"]
    assert sorted(p.name for p in (loaded.inbox / "S01").iterdir()) == sorted(
        t.name for t in targets if t)  # and no temporary file is left behind


def test_a_long_name_is_shortened_and_still_unique(tmp_path: Path, loaded: Workspace) -> None:
    book, name = order_book(tmp_path), "客" * 100 + ".xlsm"
    now = datetime(2026, 11, 23, 9, 30, 0)
    names = [submit_workbook(loaded, book, "S01", name, now).target for _ in range(3)]
    assert [n.name for n in names if n] == [
        "客" * 50 + "_20261123-093000" + again + ".xlsm" for again in ("", "-2", "-3")]


def test_submit_where_hard_links_are_missing(tmp_path: Path, loaded: Workspace,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError("hard links are not supported here")

    monkeypatch.setattr(os, "link", no_links)
    now = datetime(2026, 11, 23, 9, 30, 0)
    book = order_book(tmp_path)
    targets = [submit_workbook(loaded, book, "S01", now=now).target for _ in range(2)]
    assert [t.name for t in targets if t] == ["订货单_20261123-093000.xlsx",
                                              "订货单_20261123-093000-2.xlsx"]
    assert sorted(p.name for p in (loaded.inbox / "S01").iterdir()) == [
        "订货单_20261123-093000-2.xlsx", "订货单_20261123-093000.xlsx"]


def test_submissions_racing_a_running_watcher_are_each_read_once_and_whole(
    tmp_path: Path, loaded: Workspace
) -> None:
    workspace = fast(loaded)
    books = [order_book(tmp_path, name=f"单{n}.xlsx", no=f"SO-R{n}",
                        lines=[{"product_code": "P003", "quantity": n + 1, "unit_price": "460"}])
             for n in range(25)]
    config = settings(tmp_path, workspace)
    with running(workspace) as watcher:
        for book in books:
            assert "已提交到" in press("submit", FileHost(book), config)
        results = watcher.wait_for(len(books))
        wait_until(lambda: not any((workspace.inbox / "S01").iterdir()), "an empty inbox")
    assert sorted(r.status for r in results) == ["accepted"] * len(books)
    assert len({r.file for r in results}) == len(books)
    assert all(not Path(r.file).name.startswith(".") for r in results)


# -- contract preview --------------------------------------------------------------------------


def test_preview_renders_the_contract_the_order_would_get(tmp_path: Path,
                                                          loaded: Workspace) -> None:
    host = FileHost(order_book(tmp_path, no="SO-77"))
    assert press("preview_contract", host, settings(tmp_path, loaded)) == ""
    [draft] = host.opened
    assert draft.name == "SO-77-草稿.docx"
    text = docx_text(draft)
    assert "杭州恒达机械有限公司" in text and "HT-SO-77" in text
    assert "贰万伍仟陆佰元整" in text  # 2 x 12,800.00
    assert not list(loaded.inbox.rglob("*.xlsx"))  # nothing was submitted or stored


def test_preview_of_a_revision_has_the_next_contract_number(tmp_path: Path,
                                                            loaded: Workspace) -> None:
    drop(loaded, "order", "S01/first.xlsx", order_header(no="SO-8"), [LINE])
    assert one(loaded).status == "accepted"
    host = FileHost(order_book(tmp_path, no="SO-8", lines=[dict(LINE, quantity=3)]))
    press("preview_contract", host, settings(tmp_path, loaded))
    assert "HT-SO-8-r2" in docx_text(host.opened[0])


def test_preview_refuses_an_order_with_errors_or_another_kind(tmp_path: Path,
                                                              loaded: Workspace) -> None:
    config = settings(tmp_path, loaded)
    host = FileHost(order_book(tmp_path, customer="C404"))
    assert press("preview_contract", host, config).startswith("订货单有错误，无法生成合同")
    assert host.opened == [] and "B5" in marks(host.path)
    visit = write_form(tmp_path / "desk" / "visit.xlsx", KINDS["visit"])
    assert "只适用于订货单" in press("preview_contract", FileHost(visit), config)


# -- refresh lists and open report -------------------------------------------------------------


def test_refresh_lists_fills_a_template_made_before_the_master_data(
    tmp_path: Path, workspace: Workspace
) -> None:
    template = write_template(workspace, "order", tmp_path / "desk" / "blank.xlsx")
    assert openpyxl.load_workbook(template)[LISTS_SHEET]["A2"].value is None
    drop(workspace, "salespeople", "sp.xlsx", lines=SALESPEOPLE)
    drop(workspace, "products", "pr.xlsx", lines=PRODUCTS)
    drop(workspace, "customers", "cu.xlsx", lines=CUSTOMERS)
    assert [r.status for r in process_inbox(workspace)] == ["accepted"] * 3

    message = press("refresh_lists", FileHost(template), settings(tmp_path, workspace))
    assert message == (f"下拉列表已更新：客户编码 {len(CUSTOMERS)} 个，"
                       f"业务员 {len(SALESPEOPLE)} 个，产品编码 {len(PRODUCTS)} 个。")
    book = openpyxl.load_workbook(template)
    lists = book[LISTS_SHEET]
    column = [c.value for c in lists["A"]]
    assert column == ["customer_code", *sorted(c["code"] for c in CUSTOMERS)]  # type: ignore
    name = book.defined_names["list_customer_code"]
    assert name.attr_text == f"{LISTS_SHEET}!$A$2:$A${len(CUSTOMERS) + 1}"
    sheet = book[KINDS["order"].title("zh")]
    assert "list_customer_code" in {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert lists["C1"].value == "delivery_method"  # the fixed choices are left alone
    assert lists["C2"].value == "送货"


def test_refresh_lists_clears_codes_that_are_gone(tmp_path: Path, loaded: Workspace) -> None:
    template = write_template(loaded, "order", tmp_path / "desk" / "order.xlsx")
    edit = openpyxl.load_workbook(template)
    lists = edit[LISTS_SHEET]
    column = next(c for c in lists[1] if c.value == "product_code").column
    for row in range(len(PRODUCTS) + 2, len(PRODUCTS) + 12):  # ten products since dropped
        lists.cell(row, column).value = f"OLD{row}"
    edit.save(template)
    press("refresh_lists", FileHost(template), settings(tmp_path, loaded))
    values = next(openpyxl.load_workbook(template)[LISTS_SHEET].iter_cols(
        min_col=column, max_col=column, values_only=True))
    assert [v for v in values if v] == ["product_code", *sorted(str(p["code"]) for p in PRODUCTS)]


def test_refresh_lists_on_a_template_with_fixed_ranges(tmp_path: Path, loaded: Workspace) -> None:
    template = write_template(loaded, "order", tmp_path / "desk" / "order.xlsx")
    edit = openpyxl.load_workbook(template)
    del edit.defined_names["list_customer_code"]  # what templates before named lists had
    edit.save(template)
    message = press("refresh_lists", FileHost(template), settings(tmp_path, loaded))
    assert "旧格式" in message


def test_refresh_lists_on_a_workbook_that_is_no_template(tmp_path: Path, loaded: Workspace) -> None:
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    assert "不是 sales-sheets 模板" in press("refresh_lists", FileHost(plain),
                                          settings(tmp_path, loaded))


def test_open_report_opens_the_latest_summary(tmp_path: Path, loaded: Workspace) -> None:
    config = settings(tmp_path, loaded)
    host = FileHost(order_book(tmp_path))
    assert "还没有销售汇总" in press("open_report", host, config)
    older, latest = write_report(loaded, "2026-11"), write_report(loaded, "2026-10")
    os.utime(older, (1_700_000_000, 1_700_000_000))  # written first, whatever the clock says
    host = FileHost(order_book(tmp_path))
    press("open_report", host, config)
    assert host.opened == [latest]



def test_an_approver_validates_and_submits_the_approval_form(tmp_path: Path,
                                                            loaded: Workspace) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(no="SO-9"), [BELOW_LIST])
    assert one(loaded).status == "held"
    [request] = (loaded.outbox / "approvals").rglob("SO-9_审批单.xlsx")
    blank = decide(loaded, request, "../desk/审批单.xlsx", approver="M01")
    assert press("validate", FileHost(blank), settings(tmp_path, loaded, "M01")).startswith(
        "有错误，不能提交：1 个错误")
    book = decide(loaded, request, "../desk/审批单.xlsx", approver="M01", decision="同意")
    assert press("validate", FileHost(book), settings(tmp_path, loaded, "M01")).startswith(
        "校验通过")
    message = press("submit", FileHost(book), settings(tmp_path, loaded, "M01"))
    assert "inbox/M01/审批单_" in message
    assert one(loaded).status == "accepted"
    assert (loaded.outbox / "contracts" / "C001" / "SO-9.docx").exists()
