"""`addin install` places the add-in, xlwings' interpreter setting and the add-in settings
where Excel on Windows and macOS looks for them (into a temporary home folder here)."""

from __future__ import annotations

import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from sales_sheets.addin.install import install_addin
from sales_sheets.addin.settings import load_setup
from sales_sheets.cli import main
from sales_sheets.errors import WorkspaceError
from sales_sheets.workspace import Workspace


def test_install_on_windows(tmp_path: Path, workspace: Workspace) -> None:
    home = tmp_path / "home"
    python = tmp_path / "py" / "python.exe"
    python.parent.mkdir()
    (python.parent / "pythonw.exe").write_bytes(b"")
    settings = home / ".sales_sheets" / "addin.toml"
    done = install_addin(workspace.root, " s01 ", "Windows", home, python, settings)
    assert done.addin == home / "AppData/Roaming/Microsoft/Excel/XLSTART/sales_sheets.xlam"
    assert "customUI/customUI.xml" in zipfile.ZipFile(done.addin).namelist()
    conf = (home / ".sales_sheets" / "sales_sheets.conf").read_text(encoding="utf-8")
    assert conf == f'"INTERPRETER_WIN","{python.parent / "pythonw.exe"}"\n'
    assert tomllib.loads(settings.read_text(encoding="utf-8")) == {
        "workspace": str(workspace.root), "salesperson": "S01"}
    setup = load_setup(True, settings)
    assert (setup.workspace.root, setup.salesperson) == (workspace.root, "S01")


def test_install_on_macos(tmp_path: Path, workspace: Workspace) -> None:
    home = tmp_path / "home"
    python = tmp_path / "bin" / "python3"
    done = install_addin(workspace.root, "S02", "Darwin", home, python,
                         home / ".sales_sheets" / "addin.toml")
    startup = home / ("Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
                      "Startup.localized/Excel")
    assert done.addin == startup / "sales_sheets.xlam" and done.addin.exists()
    conf = home / "Library/Containers/com.microsoft.Excel/Data/sales_sheets.conf"
    assert conf.read_text(encoding="utf-8") == f'"INTERPRETER_MAC","{python}"\n'
    scripts = list((home / "Library/Application Scripts/com.microsoft.Excel").iterdir())
    assert [p.name for p in scripts] == [f"xlwings-{version('xlwings')}.applescript"]
    assert scripts[0].stat().st_size > 0


def test_install_elsewhere_writes_the_settings_and_says_what_is_left(
    tmp_path: Path, workspace: Workspace
) -> None:
    settings = tmp_path / "user" / "addin.toml"
    done = install_addin(workspace.root, "S01", "Linux", tmp_path / "home", None, settings)
    assert done.addin == workspace.root / "sales_sheets.xlam" and done.addin.exists()
    assert settings.exists()
    assert any("Windows and macOS" in step for step in done.steps)


def test_cli_build_and_install(tmp_path: Path, workspace: Workspace,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    settings = tmp_path / "user" / "addin.toml"
    monkeypatch.setenv("SALES_SHEETS_ADDIN_CONFIG", str(settings))
    runner = CliRunner()
    target = tmp_path / "out" / "SalesSheets.xlam"
    result = runner.invoke(main, ["addin", "build", "-o", str(target), "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(target) and zipfile.is_zipfile(target)
    result = runner.invoke(main, ["addin", "install", "-s", "S07", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert f"settings: {settings}" in result.output
    assert load_setup(True, settings).salesperson == "S07"


def test_install_refuses_a_folder_that_is_no_workspace(tmp_path: Path) -> None:
    settings = tmp_path / "user" / "addin.toml"
    with pytest.raises(WorkspaceError, match="no config.toml"):
        install_addin(tmp_path, "S01", "Windows", tmp_path / "home", None, settings)
    assert not settings.exists() and not (tmp_path / "inbox").exists()


def test_cli_install_into_a_folder_that_is_not_there(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALES_SHEETS_ADDIN_CONFIG", str(tmp_path / "addin.toml"))
    result = CliRunner().invoke(main, ["addin", "install", "-s", "S01", "-w",
                                       str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "nowhere" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "addin.toml").exists()
