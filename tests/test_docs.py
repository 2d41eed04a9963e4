"""Docs drift: every command is documented, every problem code speaks both languages."""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import openpyxl.xml

from sales_sheets.cli import main
from sales_sheets.problems import MESSAGES, TERMS, Severity
from sales_sheets.status import Status

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "sales_sheets").rglob("*.py")
                   if p.name != "problems.py")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        assert f"sales-sheets {name}" in readme, name


def test_every_problem_code_has_a_message_in_both_languages() -> None:
    for code, text in MESSAGES.items():
        zh, en = text.zh, text.en
        assert zh and en, code
        assert re.search(r"[\u4e00-\u9fff]", zh), code
        assert not re.search(r"[\u4e00-\u9fff]", en), code
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), code
    for term, text in TERMS.items():
        assert text.zh and text.en, term


def test_every_word_table_speaks_both_languages() -> None:
    from sales_sheets.addin.messages import MESSAGES as ADDIN_MESSAGES
    from sales_sheets.problems import SEVERITY_LABELS
    from sales_sheets.reports.definitions import (
        APPRAISAL_DEFINITIONS,
        APPRAISAL_NAMES,
        KPI_DEFINITIONS,
        KPI_NAMES,
    )
    from sales_sheets.reports.words import HOLD_REASON_WORDS, SHEETS, WORDS

    tables: list[Mapping[Any, Any]] = [
        ADDIN_MESSAGES, SEVERITY_LABELS, KPI_NAMES, dict(KPI_DEFINITIONS), APPRAISAL_NAMES,
        dict(APPRAISAL_DEFINITIONS),
        HOLD_REASON_WORDS, SHEETS, WORDS, TERMS]
    for table in tables:
        for key, text in table.items():
            assert re.search(r"[\u4e00-\u9fff]", text.zh), key
            assert text.en and not re.search(r"[\u4e00-\u9fff]", text.en), key
            assert set(re.findall(r"{(\w+)}", text.zh)) == set(re.findall(r"{(\w+)}", text.en)), key
    assert {str(status) for status in Status} <= set(TERMS)  # what not_held may name
    assert set(SEVERITY_LABELS) == set(Severity)
    assert set(HOLD_REASON_WORDS) <= set(MESSAGES)


def test_every_problem_code_is_used_and_every_used_code_exists() -> None:
    unused = [code for code in MESSAGES if f'"{code}"' not in SOURCE]
    assert unused == []
    raised = set(re.findall(r'problem\(\s*"(\w+)"', SOURCE))
    assert raised <= set(MESSAGES)


def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


def test_the_repository_root_is_a_default_workspace() -> None:
    from sales_sheets.config import CONFIG_TEMPLATE, Settings, load_settings

    assert (ROOT / "config.toml").read_text(encoding="utf-8") == CONFIG_TEMPLATE
    assert load_settings(ROOT / "config.toml") == Settings()


def test_every_kpi_is_defined_in_the_readme() -> None:
    from sales_sheets.reports.definitions import (
        APPRAISAL_DEFINITIONS,
        APPRAISAL_NAMES,
        KPI_DEFINITIONS,
        KPI_NAMES,
    )

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = {**KPI_NAMES, **APPRAISAL_NAMES}
    for key, definition in KPI_DEFINITIONS + APPRAISAL_DEFINITIONS:
        assert f"**{names[key].en}**" in readme, key
        assert definition.en.split(": ", 1)[-1] in readme, key
