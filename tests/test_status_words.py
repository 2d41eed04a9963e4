"""Status words drift: every status speaks both languages from the one table on `Status`, and the
receipt, `process`, the report and the approval messages all say what it holds. Each
place is checked by rendering it, not by reading its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sales_sheets import api
from sales_sheets.cli import main
from sales_sheets.intake.answers import receipt_text
from sales_sheets.intake.ingest import IngestResult
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
        text = receipt_text(file="a.xlsx", processed="2026-11-03 09:00", kind="order",
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
    monkeypatch.setattr(api, "process_claims", lambda *_args: results)
    output = CliRunner().invoke(main, ["process", "-w", str(root)]).stdout
    for status in Status:
        assert f"{status.outcome(language)}  {status}.xlsx\n" in output, status
