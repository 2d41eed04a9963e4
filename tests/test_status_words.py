"""Status words drift: every status speaks both languages from the one table on `Status`, and the
receipt, `process`, `status`, the report and the approval messages all say what it holds. Each
place is checked by rendering it, not by reading its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sales_sheets import api
from sales_sheets.cli import main
from sales_sheets.intake.answers import acknowledgement_text
from sales_sheets.intake.ingest import IngestResult
from sales_sheets.ledger.notifications import Queue
from sales_sheets.ledger.overview import LedgerStatus
from sales_sheets.problems import problem
from sales_sheets.reports.words import status_word
from sales_sheets.status import WORDS, Status
from sales_sheets.text import LANGUAGES
from sales_sheets.workspace import Workspace

from .helpers.config import configure

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_every_status_has_its_words_in_both_languages() -> None:
    assert set(WORDS) == set(Status)
    for status in Status:
        for language in LANGUAGES:
            word, outcome = status.word(language), status.outcome(language)
            assert word and outcome, (status, language)
            # what a receipt says of a file names the status as everywhere else
            assert word.lower() in outcome.lower(), (status, language)
        assert CHINESE.search(status.word("zh")) and CHINESE.search(status.outcome("zh")), status
        assert not CHINESE.search(status.word("en") + status.outcome("en")), status
    for language in LANGUAGES:  # two statuses that read alike could not be told apart
        assert len({status.word(language) for status in Status}) == len(Status), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_receipt_says_the_outcome(language: str) -> None:
    heading = {"zh": "结果", "en": "Result"}[language]
    for status in Status:
        text = acknowledgement_text(file="a.xlsx", processed="2026-11-03 09:00", kind="order",
                            status=status, document="SO-1", stored="", outputs=[], problems=[],
                            language=language)
        assert f"\n{heading}: {status.outcome(language)}\n" in text, status


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_column_says_the_word(language: str) -> None:
    for status in Status:
        word = status.word(language)
        assert status_word(status, language) == word[:1].upper() + word[1:], status
        assert status_word(str(status), language) == status_word(status, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_approval_message_names_the_documents_status(language: str) -> None:
    for status in Status:
        message = problem("not_held", value="SO-1", status=str(status)).message(language)
        quoted = f"“{status.word(language)}”" if language == "zh" else f" {status.word(language)},"
        assert quoted in message, (status, message)


def _workspace(workspace: Workspace, language: str) -> Path:
    configure(workspace, language=language)
    return workspace.root


@pytest.mark.parametrize("language", LANGUAGES)
def test_process_prints_the_outcome(workspace: Workspace, language: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(workspace, language)
    results = [IngestResult(f"{status}.xlsx", "order", status, "", []) for status in Status]
    monkeypatch.setattr(api, "process_claims", lambda *_args, **_kwargs: results)
    output = CliRunner().invoke(main, ["process", "-w", str(root)]).stdout
    for status in Status:
        assert f"{status.outcome(language)}  {status}.xlsx\n" in output, status


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_prints_words_and_json_keeps_the_codes(
        workspace: Workspace, language: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _workspace(workspace, language)
    every = {str(status): n for n, status in enumerate(reversed(Status), 1)}
    recent = [{"file": f"{status}.xlsx", "kind": "order", "status": str(status), "document": "",
               "problems": 0, "processed_at": "2026-11-03 09:00:00"} for status in Status]
    state = LedgerStatus(documents={"order": every}, master={"salespeople": 3, "products": 6},
                         files=every, recent=recent, pending_approvals=[],
                         approvals_enforced=True, watchers=[], warnings=[],
                         notifications=Queue(0, 0, [], None))
    monkeypatch.setattr(api, "ledger_status", lambda *_args: state)
    output = CliRunner().invoke(main, ["status", "-w", str(root)]).stdout
    separator = {"zh": "，", "en": ", "}[language]
    counts = separator.join(f"{s.word(language)} {every[s]}" for s in Status)  # in Status's order
    order = {"zh": "订货单", "en": "Order"}[language]
    lines = output.splitlines()
    assert f"  {order}{'：' if language == 'zh' else ': '}{counts}" in lines
    assert {"zh": "文件：", "en": "Files: "}[language] + counts in lines
    assert {"zh": "主数据：业务员 3，产品价格表 6",
            "en": "Master data: Salespeople 3, Price list 6"}[language] in lines
    for status in Status:
        assert re.search(rf"^  2026-11-03 09:00:00  {re.escape(status.word(language))} +"
                         rf"{status}\.xlsx$", output, re.MULTILINE), status
    if language == "zh":
        assert not re.search(r"[a-z]{4,} \d", output)  # no code left among the words
    printed = CliRunner().invoke(main, ["status", "--json", "-w", str(root)]).stdout
    assert '"accepted": ' in printed and "已接收" not in printed
