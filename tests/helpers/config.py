"""Change a workspace's settings through code: the config.toml is read as data, updated and
written back as TOML, never edited as text line by line."""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w

from sales_sheets.workspace import Workspace, open_workspace


def configure(workspace: Workspace, *, replace: bool = False, **settings: Any) -> Workspace:
    """Change config.toml and re-open the workspace: a dict sets keys of that table
    (`documents={"pdf": True}`), with `replace` it replaces the whole table; anything else is a
    top-level key (`language="en"`)."""
    path = workspace.root / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    for name, value in settings.items():
        if isinstance(value, dict) and not replace:
            config[name] = {**config.get(name, {}), **value}
        else:
            config[name] = value
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return open_workspace(workspace.root)
