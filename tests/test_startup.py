"""Start-up: the command parses its arguments before it loads the library's heavy parts, so
`sales-sheets --help` and every add-in button that starts Python do not pay for them; a ledger
already at this program's revision is opened without Alembic."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from sales_sheets import api
from sales_sheets.addin.settings import AddinSettings, save_addin_settings
from sales_sheets.cli import main
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.kinds import KINDS
from sales_sheets.ledger import migrations
from sales_sheets.workspace import Workspace

from .helpers.forms import order_header

# smtplib stands for the e-mail senders (smtplib, the e-mail package): `status` describes the
# channels without them.
HEAVY = ("sqlalchemy", "alembic", "openpyxl", "python_calamine", "docxtpl", "docx",
         "xlsxwriter", "httpx", "watchdog", "smtplib")


def _loaded_by(code: str) -> list[str]:
    probe = (f"import sys\n{code}\nimport json\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_command_loads_none_of_the_heavy_libraries() -> None:
    assert _loaded_by("import sales_sheets.cli") == []
    assert _loaded_by("import sales_sheets.api") == []


def test_help_is_shown_without_loading_them() -> None:
    code = ("from sales_sheets.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert _loaded_by(code) == []


def _status_loads(workspace: Workspace) -> list[str]:
    code = ("from sales_sheets.cli import main\n"
            f"try:\n    main(['status', '-w', {str(workspace.root)!r}])\n"
            "except SystemExit:\n    pass")
    return _loaded_by(code)


@pytest.mark.ledgers
def test_status_of_a_current_ledger_loads_sqlalchemy_alone(workspace: Workspace) -> None:
    # The first command creates the ledger and stamps it, which needs Alembic.
    assert _status_loads(workspace) == ["sqlalchemy", "alembic"]
    assert _status_loads(workspace) == ["sqlalchemy"]


@pytest.mark.ledgers
def test_status_still_refuses_a_ledger_older_than_the_program(workspace: Workspace) -> None:
    assert CliRunner().invoke(main, ["status", "-w", str(workspace.root)]).exit_code == 0
    previous = migrations.script().get_revision(migrations.HEAD).down_revision
    assert isinstance(previous, str)
    engine = create_engine(workspace.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
    finally:
        engine.dispose()
    result = CliRunner().invoke(main, ["status", "-w", str(workspace.root)])
    assert result.exit_code == 1
    assert (f"the ledger is at schema revision {previous}, older than this program's "
            f"{migrations.HEAD}: back it up, then run sales-sheets db upgrade") in result.output


def test_validate_checks_a_good_order_without_openpyxl(loaded: Workspace) -> None:
    """The add-in's button as RunPython starts it, on the workbook-file host: the check reads
    the workbook with calamine; openpyxl would load only to save marks."""
    book = write_form(loaded.root / "订货单.xlsx", KINDS["order"], data=FormData(
        order_header(), [{"product_code": "P001", "quantity": 2, "unit_price": "12800"}]))
    settings = save_addin_settings(AddinSettings(str(loaded.root), "S01"),
                                   loaded.root / "addin.toml")
    code = ("from pathlib import Path\n"
            "import sales_sheets.addin\n"
            "from sales_sheets.addin.host import FileHost\n"
            f"host = FileHost(Path({str(book)!r}))\n"
            f"sales_sheets.addin.run('validate', host, Path({str(settings)!r}))\n"
            "assert host.messages[0][1].startswith('校验通过'), host.messages")
    assert _loaded_by(code) == ["sqlalchemy", "python_calamine"]


def test_a_name_of_the_library_is_found_when_first_used() -> None:
    assert api.ADDIN_FILE_NAME == "sales_sheets.xlam"
    assert api.process_inbox.__module__ == "sales_sheets.intake.ingest"
    for name in api.__all__:  # every public name resolves
        assert getattr(api, name) is not None


def test_the_help_of_a_command_names_what_it_would_load() -> None:
    result = CliRunner().invoke(main, ["addin", "build", "--help"])
    assert api.ADDIN_FILE_NAME in result.output
    result = CliRunner().invoke(main, ["template", "--help"])
    assert "order" in result.output and "receipt" in result.output
    result = CliRunner().invoke(main, ["template", "no-such-kind"])
    assert result.exit_code == 2 and "no-such-kind" in result.output
