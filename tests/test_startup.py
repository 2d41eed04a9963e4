"""Start-up: the command parses its arguments before it loads the library's heavy parts, so
`sales-sheets --help` and every add-in button that starts Python do not pay for them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sales_sheets import api
from sales_sheets.cli import main

HEAVY = ("sqlalchemy", "alembic", "openpyxl", "python_calamine", "docxtpl", "docx",
         "xlsxwriter", "httpx", "watchdog")


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


def test_status_loads_only_what_reading_the_ledger_needs(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    code = ("from sales_sheets.cli import main\n"
            f"try:\n    main(['status', '-w', {str(root)!r}])\nexcept SystemExit:\n    pass")
    assert _loaded_by(code) == ["sqlalchemy", "alembic"]


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
