"""The add-in's per-user settings: which shared workspace, and who is at the keyboard.

They live on the person's own machine (`~/.sales_sheets/addin.toml`, or the file named by
SALES_SHEETS_ADDIN_CONFIG), not in the shared workspace: everyone shares the workspace, but each
has their own salesperson code. `sales-sheets addin install` writes the file.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..config import settings_from_table
from ..errors import ConfigError, SalesSheetsError
from ..forms.normalize import to_code
from ..workspace import CONFIG_NAME, Workspace, open_workspace
from .messages import AddinError

SETTINGS_ENV = "SALES_SHEETS_ADDIN_CONFIG"


@dataclass(frozen=True)
class AddinSettings:
    workspace: str = ""
    salesperson: str = ""


@dataclass(frozen=True)
class Setup:
    """The settings, checked: an open workspace and a salesperson code ("" when not set)."""

    workspace: Workspace
    salesperson: str

    @property
    def language(self) -> str:
        return self.workspace.language


def settings_path() -> Path:
    override = os.environ.get(SETTINGS_ENV)
    return Path(override) if override else Path.home() / ".sales_sheets" / "addin.toml"


def load_addin_settings(path: Path | None = None) -> AddinSettings:
    path = path or settings_path()
    if not path.is_file():
        raise AddinError("no_settings", path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return settings_from_table(AddinSettings, data, path, "")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ConfigError) as exc:
        raise AddinError("bad_settings", detail=f"{path}: {exc}") from None


def save_addin_settings(settings: AddinSettings, path: Path | None = None) -> Path:
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A JSON string is a valid TOML basic string: backslashes in Windows paths stay intact.
    text = ("# sales-sheets Excel add-in: the shared workspace and your salesperson code.\n"
            f"workspace = {json.dumps(settings.workspace, ensure_ascii=False)}\n"
            f"salesperson = {json.dumps(settings.salesperson, ensure_ascii=False)}\n")
    path.write_text(text, encoding="utf-8")
    return path


def load_setup(need_salesperson: bool, path: Path | None = None) -> Setup:
    """The checked settings, or an AddinError that says which setting to fix and where."""
    path = path or settings_path()
    settings = load_addin_settings(path)
    if not settings.workspace.strip():
        raise AddinError("no_workspace", path=path)
    root = Path(settings.workspace.strip()).expanduser()
    if not root.is_dir():
        raise AddinError("workspace_missing", workspace=root, path=path)
    if not (root / CONFIG_NAME).is_file():
        raise AddinError("not_a_workspace", workspace=root, path=path)
    try:
        workspace = open_workspace(root)
    except SalesSheetsError as exc:
        raise AddinError("bad_settings", detail=str(exc)) from None
    salesperson = to_code(settings.salesperson) if settings.salesperson.strip() else ""
    if need_salesperson and not salesperson:
        raise AddinError("no_salesperson", path=path)
    return Setup(workspace, salesperson)
