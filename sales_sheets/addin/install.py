"""Installing the add-in for one person on their own machine.

Three things make the ribbon work in Excel: the .xlam in Excel's startup folder (loaded with
every Excel start), xlwings' config naming the Python that has sales-sheets installed, and the
add-in settings (shared workspace, salesperson code). On macOS, xlwings also needs its
AppleScript file where Excel's sandbox may run it. Elsewhere (Linux) there is no Excel: the
settings are written and the steps are listed for the person's Windows or Mac machine.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ..errors import WorkspaceError
from ..forms.normalize import to_code
from ..workspace import CONFIG_NAME, open_workspace
from .build import ADDIN_FILE_NAME, PROJECT_NAME, build_addin, template_path
from .settings import AddinSettings, save_addin_settings, settings_path


@dataclass(frozen=True)
class Installation:
    system: str
    settings: Path
    addin: Path  # the .xlam written
    steps: tuple[str, ...]  # what was done, or what is left to do by hand


def install_addin(
    workspace: Path, salesperson: str, system: str | None = None, home: Path | None = None,
    python: Path | None = None, settings_file: Path | None = None,
) -> Installation:
    """Install the add-in for the current user.

    Args:
        workspace: the shared workspace folder as this machine sees it (a mapped drive or UNC
            path on Windows, /Volumes/... on macOS).
        salesperson: the person's salesperson code (their inbox sub-folder).
        system: "Windows", "Darwin" or anything else; default this machine's.
        home: the user's home folder; default this user's.
        python: the interpreter Excel runs; default the one running this.
        settings_file: where the add-in settings go; default `settings_path()`.
    """
    system = system or platform.system()
    home = home or Path.home()
    python = python or Path(sys.executable)
    root = Path(workspace).resolve()
    if not (root / CONFIG_NAME).is_file():
        raise WorkspaceError(f"{root} is not a sales-sheets workspace (it has no {CONFIG_NAME}); "
                             "give the shared workspace with -w")
    language = open_workspace(root).language
    saved = save_addin_settings(AddinSettings(str(root), to_code(salesperson)), settings_file)
    steps = [f"settings: {saved}"]
    if system == "Windows":
        roaming = os.environ.get("APPDATA") if system == platform.system() else None
        startup = (Path(roaming) if roaming else home / "AppData" / "Roaming") / "Microsoft" / \
            "Excel" / "XLSTART"
        # pythonw: no console window flashes up at every click.
        windowless = python.with_name("pythonw.exe")
        interpreter = windowless if windowless.exists() else python
        conf = home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"
        steps.append(_write_conf(conf, "INTERPRETER_WIN", interpreter))
    elif system == "Darwin":
        startup = (home / "Library" / "Group Containers" / "UBF8T346G9.Office"
                   / "User Content.localized" / "Startup.localized" / "Excel")
        conf = home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / \
            f"{PROJECT_NAME}.conf"
        steps.append(_write_conf(conf, "INTERPRETER_MAC", python))
        steps.append(_install_applescript(home))
    else:
        built = build_addin(root / ADDIN_FILE_NAME, language)
        steps += [
            f"add-in: {built} (Excel runs on Windows and macOS, not on {system})",
            "on the Windows or Mac machine: pip install this repository, then run "
            "`sales-sheets addin install -w <workspace> --salesperson <code>` there",
        ]
        return Installation(system, saved, built, tuple(steps))
    startup.mkdir(parents=True, exist_ok=True)  # Excel makes it on first start: maybe not yet
    built = build_addin(startup / ADDIN_FILE_NAME, language)
    steps.append(f"add-in: {built} (loaded the next time Excel starts)")
    return Installation(system, saved, built, tuple(steps))


def _write_conf(path: Path, key: str, interpreter: Path) -> str:
    """xlwings' user config: `"KEY","value"` lines, read by the add-in's VBA."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # VBA reads the file in the system's ANSI code page: a Python under C:\Users\张伟 must be
    # written in it, not in UTF-8.
    encoding = "mbcs" if sys.platform == "win32" else "utf-8"
    path.write_text(f'"{key}","{interpreter}"\n', encoding=encoding)
    return f"xlwings config: {path} ({key} = {interpreter})"


def _install_applescript(home: Path) -> str:
    """What `xlwings runpython install` does: Excel for Mac may only run scripts from here."""
    name = f"xlwings-{version('xlwings')}.applescript"
    target = home / "Library" / "Application Scripts" / "com.microsoft.Excel" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_path().parent / name, target)
    return f"xlwings AppleScript: {target}"


__all__ = ["Installation", "install_addin", "settings_path"]
