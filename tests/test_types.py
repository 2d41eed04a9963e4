"""The types that carry statuses and bilingual words: what they hold is what the ledger, the
JSON output and the rendered texts carry."""

import json
import shutil

import pytest

from sales_sheets.forms.kinds.base import Field, FieldType, Ref
from sales_sheets.intake.check import status_of
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.ledger.queries import hold_reasons
from sales_sheets.problems import Problem, Severity, problem, problems_in_column, records_json
from sales_sheets.status import CURRENT, Status
from sales_sheets.text import LANGUAGES, Text, pick
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, order_header, query

CHEAP = {"product_code": "P001", "quantity": 1, "unit_price": "12000"}  # below list: held


def test_status_values_are_the_stored_words() -> None:
    assert [str(s) for s in Status] == ["accepted", "held", "rejected", "duplicate", "superseded",
                                        "declined"]
    assert CURRENT == (Status.ACCEPTED, Status.HELD)
    assert json.dumps([Status.HELD, f"{Status.REJECTED}"]) == '["held", "rejected"]'


def test_status_of_problems_follows_the_worst_severity() -> None:
    hold = problem("price_below_list", Severity.HOLD, value="1", list_price="2")
    error = problem("empty_form")
    assert status_of([]) is Status.ACCEPTED
    assert status_of([hold]) is Status.HELD
    assert status_of([hold, error]) is Status.REJECTED


def test_results_carry_status_members_and_the_ledger_their_words(loaded: Workspace) -> None:
    path = drop(loaded, "order", "S01/a.xlsx", order_header(no="SO-A"), [CHEAP])
    copy = loaded.root / "copy.xlsx"
    shutil.copy(path, copy)
    (held,) = process_inbox(loaded)
    shutil.copy(copy, loaded.inbox / "again.xlsx")
    drop(loaded, "order", "S01/b.xlsx", order_header(no="SO-A", price_approval_no="SP-1"),
         [CHEAP])
    drop(loaded, "order", "S01/c.xlsx", order_header(no="SO-C"), [])
    later = process_inbox(loaded)
    statuses = [held.status, *(r.status for r in later)]
    assert statuses == [Status.HELD, Status.DUPLICATE, Status.ACCEPTED, Status.REJECTED]
    assert all(type(s) is Status for s in statuses)
    assert [r.as_dict()["status"] for r in [held, *later]] == [
        "held", "duplicate", "accepted", "rejected"]
    assert query(loaded, "SELECT status FROM documents WHERE doc_key='SO-A' ORDER BY version") == [
        ("superseded",), ("accepted",)]
    assert query(loaded, "SELECT status, COUNT(*) FROM intake GROUP BY status ORDER BY 1") == [
        ("accepted", 4), ("duplicate", 1), ("held", 1), ("rejected", 1)]


def test_field_options_are_given_by_name() -> None:
    with pytest.raises(TypeError):
        Field("code", "编码", "Code", FieldType.CODE, True)  # type: ignore[call-arg]
    field = Field("code", "编码", "Code", FieldType.CODE, required=True, ref=Ref.CUSTOMER)
    assert (field.type, field.required, field.ref) == (FieldType.CODE, True, Ref.CUSTOMER)
    assert [f.key for f in KINDS["order"].header if f.required] == [
        "order_no", "order_date", "customer_code", "salesperson", "delivery_address"]


def test_hold_reasons_travel_as_codes_from_the_ledger(loaded: Workspace) -> None:
    drop(loaded, "order", "S01/a.xlsx", order_header(no="SO-A"), [CHEAP])
    process_inbox(loaded)
    ((stored,),) = query(loaded, "SELECT hold_reasons FROM documents WHERE doc_key='SO-A'")
    assert hold_reasons(stored) == ("price_below_list",)
    assert hold_reasons(None) == ()
    assert hold_reasons('["customer_overdue", "credit_limit_exceeded"]') == (
        "customer_overdue", "credit_limit_exceeded")


def test_text_renders_either_language_and_refuses_any_other() -> None:
    greeting = Text("{name}，你好", "Hello, {name}")
    assert (greeting("zh"), greeting("en")) == ("{name}，你好", "Hello, {name}")
    assert greeting.format("zh", name="王芳") == "王芳，你好"
    assert greeting.format_map("en", {"name": "Wang"}) == "Hello, Wang"
    for wrong in ("fr", "", "EN"):
        with pytest.raises(ValueError):
            greeting(wrong)
        with pytest.raises(ValueError):
            pick(wrong, ("一",), ("one",))
    assert pick("en", ("一",), ("one",)) == ("one",)
    assert LANGUAGES == ("zh", "en")


def test_a_problem_renders_its_field_label_and_terms_in_each_language() -> None:
    field = KINDS["order"].header_field("order_date")
    found = problem("type", field=field, value="明天", expected="date")
    assert found.field_label == Text("订货日期", "Order date")
    assert found.message("zh") == "“订货日期”的值“明天”不是有效的日期。"
    assert found.message("en") == "\u201cOrder date\u201d: \u201c明天\u201d is not a valid date."
    assert Problem.from_record(found.to_record()) == found
    with pytest.raises(ValueError):
        found.message("de")


def test_the_ledger_keeps_problems_as_json_of_their_records() -> None:
    field = KINDS["receipt"].column("customer_code")
    column = problems_in_column("unknown_customer", sheet="回款登记", field=field,
                                found=[("B4", "X1"), ("B5", 'a "quoted"\n\tcode'), ("B6", "")])
    others = [problem("type", field=KINDS["order"].header_field("order_date"), value="明天",
                      expected="date"),
              problem("range", Severity.WARNING, sheet="S\\x", cell="D7", detail="> 0",
                      value="\x01"),
              problem("not_spreadsheet")]
    for problems in ([], column, [*column, *others, *column]):
        text = records_json(problems)
        assert text == json.dumps([p.to_record() for p in problems], ensure_ascii=False)
        assert [Problem.from_record(r) for r in json.loads(text)] == problems
