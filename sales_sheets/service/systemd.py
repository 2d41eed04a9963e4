"""The systemd unit that starts `sales-sheets watch` for a workspace at boot and restarts it
after a crash.

`unit_text` builds the unit from what it is given (pure: the README shows its result, to be
written by hand too); `install_unit` writes it where systemd looks for units and, when asked,
enables and starts it with `systemctl`; `uninstall_unit` stops, disables and removes it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import ServiceError
from ..workspace import Workspace
from .log import service_log_file

SYSTEM_UNITS = Path("/etc/systemd/system")
# Time systemd gives a stopping watcher to finish the files in hand before it kills it (a kill
# is safe too: the next start resumes the claims).
STOP_SECONDS = 30
RESTART_SECONDS = 5
# Characters systemd leaves as they are in a unit name made from a path (systemd-escape --path).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.")


class Scope(StrEnum):
    """A user unit runs under the user's own systemd (while logged in, or always with
    `loginctl enable-linger`); a system unit at boot, as the owner of the workspace."""

    USER = "user"
    SYSTEM = "system"


@dataclass(frozen=True)
class Installed:
    path: Path
    name: str
    enabled: bool


def unit_name(root: Path) -> str:
    """`sales-sheets-<path>.service`, the path escaped as systemd escapes paths: one unit per
    workspace, named so that the path can be read from it."""
    return f"sales-sheets-{escape_path(root)}.service"


def escape_path(path: Path) -> str:
    """What `systemd-escape --path` gives: "/" between parts becomes "-", any other character
    but ASCII letters, digits, ":", "_" and "." (not leading) becomes \\xNN per UTF-8 byte."""
    parts = [p for p in path.as_posix().split("/") if p]
    if not parts:
        return "-"
    escaped: list[str] = []
    for part in parts:
        out: list[str] = []
        for index, char in enumerate(part):
            if char in _PLAIN and not (index == 0 and char == "." and not escaped):
                out.append(char)
            else:
                out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
        escaped.append("".join(out))
    return "-".join(escaped)


def unit_dir(scope: Scope) -> Path:
    """Where systemd reads units an administrator adds: /etc/systemd/system, or for a user
    $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user)."""
    if scope is Scope.SYSTEM:
        return SYSTEM_UNITS
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def watch_command(python: str, root: Path, log_file: Path) -> list[str]:
    """The command the service runs: this Python with the package, so no PATH is needed."""
    return [python, "-m", "sales_sheets", "watch", "-w", str(root), "--log-file", str(log_file)]


def unit_text(command: list[str], root: Path, scope: Scope, user: str | None = None) -> str:
    """The unit file running `command` in `root`; a system unit runs as `user`."""
    mounts = f"RequiresMountsFor={_value(str(root))}\n" if scope is Scope.SYSTEM else ""
    network = ("Wants=network-online.target\nAfter=network-online.target\n"
               if scope is Scope.SYSTEM else "")
    run_as = f"User={user}\n" if scope is Scope.SYSTEM and user else ""
    target = "multi-user.target" if scope is Scope.SYSTEM else "default.target"
    return (
        "[Unit]\n"
        f"Description=sales-sheets watcher for {_value(str(root))}\n"
        f"{network}{mounts}"
        "\n[Service]\n"
        "Type=exec\n"
        f"{run_as}"
        f"WorkingDirectory={_value(str(root))}\n"
        f"ExecStart={' '.join(_argument(a) for a in command)}\n"
        "Environment=PYTHONUNBUFFERED=1\n"
        "Restart=on-failure\n"
        f"RestartSec={RESTART_SECONDS}\n"
        "# The watcher finishes the file in hand on SIGTERM and exits 0.\n"
        "KillSignal=SIGTERM\n"
        f"TimeoutStopSec={STOP_SECONDS}\n"
        "\n[Install]\n"
        f"WantedBy={target}\n"
    )


def install_unit(workspace: Workspace, scope: Scope, enable: bool = False) -> Installed:
    """Write the unit of `workspace` for this Python into systemd's folder for `scope` (a
    unit there already is replaced); with `enable`, reload systemd and enable and start it."""
    _on_linux()
    root = workspace.root
    command = watch_command(sys.executable, root, service_log_file(workspace))
    import pwd  # POSIX only, like systemd; the module is imported on Windows too

    owner = pwd.getpwuid(root.stat().st_uid).pw_name  # who may write the workspace
    folder = unit_dir(scope)
    path = folder / unit_name(root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(unit_text(command, root, scope, owner), encoding="utf-8")
    except OSError as exc:
        raise ServiceError(f"cannot write {path}: {exc.strerror}"
                           + (" (a system unit needs root: sudo)" if scope is Scope.SYSTEM
                              else "")) from None
    if enable:
        systemctl(scope, "daemon-reload")
        systemctl(scope, "enable", "--now", path.name)
    return Installed(path, path.name, enable)


def uninstall_unit(root: Path, scope: Scope) -> Path:
    """Stop and disable the unit of the workspace at `root` and remove its file."""
    _on_linux()
    path = unit_dir(scope) / unit_name(root.resolve())
    if not path.exists():
        raise ServiceError(f"no sales-sheets unit for {root.resolve()} in {path.parent}")
    systemctl(scope, "disable", "--now", path.name)
    path.unlink()
    systemctl(scope, "daemon-reload")
    return path


def systemctl(scope: Scope, *args: str) -> None:
    """Run systemctl for `scope`; its complaint becomes a ServiceError."""
    command = ["systemctl", *(["--user"] if scope is Scope.USER else []), *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ServiceError("systemctl not found: this machine does not run systemd") from None
    if done.returncode:
        raise ServiceError(f"`{' '.join(command)}` failed: {done.stderr.strip()}")


def _on_linux() -> None:
    if not sys.platform.startswith("linux"):
        raise ServiceError("systemd units are for Linux; on Windows use "
                           "`sales-sheets service task` (see the README)")


def _value(text: str) -> str:
    """A setting's value: "%" starts a systemd specifier and must be doubled."""
    return text.replace("%", "%%")


def _argument(text: str) -> str:
    """One ExecStart argument, quoted when it holds spaces or quotes; "$" would expand a
    variable and is doubled."""
    text = _value(text).replace("$", "$$")
    if text and not any(c.isspace() or c in "\"'\\;" for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
