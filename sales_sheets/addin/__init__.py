"""The Excel add-in (xlwings): ribbon buttons that validate, submit and preview from Excel.

Every button calls the one VBA callback (files/SalesSheetsRibbon.bas), which runs
`sales_sheets.addin.run(<the button's tag>)`. A new button is ribbon XML plus an entry in
ACTIONS.

May import: every other package; only excel_host.py may import xlwings' Excel side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import SalesSheetsError
from .actions import Action, open_report, preview, refresh_lists, submit, validate
from .host import Host
from .messages import AddinError, say
from .settings import load_setup, settings_path

ACTIONS: Mapping[str, Action] = {
    "validate": Action(validate),
    "submit": Action(submit, needs_salesperson=True),
    "preview_contract": Action(preview),
    "refresh_lists": Action(refresh_lists),
    "open_report": Action(open_report),
}

log = logging.getLogger(__name__)


def run(tag: str, host: Host | None = None, settings_file: Path | None = None) -> None:
    """Run the action of the button tagged `tag` on the host's workbook (default: the active
    workbook in Excel). Whatever happens ends in a dialog, never in a traceback."""
    if host is None:
        from .excel_host import ExcelHost  # xlwings needs Excel: imported only in Excel

        host = ExcelHost.active()
    language = ""  # unknown until the settings are read: say it in both languages
    try:
        action = ACTIONS.get(tag)
        if action is None:
            raise AddinError("unknown_action", tag=tag)
        setup = load_setup(action.needs_salesperson, settings_file)
        language = setup.language
        with setup.workspace.services:  # the engine is the button's, closed when it is done
            action.run(host, setup)
    except AddinError as exc:
        host.tell(_in(language, exc.message), _in(language, _title), problem=True)
    except Exception as exc:  # noqa: BLE001 - a dialog, never a traceback
        log_file = _log_failure(tag, (settings_file or settings_path()).parent / "addin.log")
        detail = str(exc) if isinstance(exc, SalesSheetsError) else type(exc).__name__
        host.tell(_in(language, lambda lang: say("failed", lang, detail=detail, log=log_file)),
                  _in(language, _title), problem=True)


def _title(language: str) -> str:
    return say("title", language)


def _in(language: str, text: Callable[[str], str]) -> str:
    """The text in `language`, or in Chinese and English when the language is not known."""
    return text(language) if language else f"{text('zh')}\n\n{text('en')}"


def _log_failure(tag: str, path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return path
    log.addHandler(handler)
    try:
        log.exception("add-in action %s failed", tag)
    finally:
        log.removeHandler(handler)
        handler.close()
    return path


__all__ = ["ACTIONS", "Action", "Host", "run"]
