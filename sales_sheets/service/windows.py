"""Windows: the watcher as a scheduled task that starts at boot, whether anyone is logged on or
not, and is restarted after a crash (Task Scheduler; `schtasks` registers it).

A task started at boot runs in a session of its own: drive letters mapped by a logged-on user
(Z: for \\\\server\\share) do not exist there, so the workspace must be given by its UNC path, and
the account it runs as must be one that may read and write that share. `task_xml` is pure (the
README shows what it holds); `write_task` writes it as Task Scheduler's own exports are written,
UTF-16 with a byte-order mark.
"""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

from ..text import Text

NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
# Task Scheduler restarts a failed task at most 999 times, at least a minute apart.
RESTART_INTERVAL = "PT1M"
RESTART_COUNT = "999"
MAPPED_DRIVE = Text(
    "{path} 用的是盘符 {drive}。开机时启动的任务看不到用户映射的网络驱动器：如果 {drive} 是"
    "网络驱动器，请改用 UNC 路径（例如 \\\\服务器\\共享\\销售部）重新生成。"
    "本机硬盘上的文件夹不受影响。",
    "{path} uses the drive letter {drive}. A task started at boot cannot see drives a user mapped:"
    " if {drive} is a network drive, generate the task again with the UNC path (e.g. "
    "\\\\server\\share\\sales). A folder on a local disk is fine.")


@dataclass(frozen=True)
class Task:
    name: str  # as schtasks knows it, e.g. \sales-sheets\watch sales
    path: Path  # the XML definition
    command: list[str]  # the schtasks command that registers it


def task_name(root: str) -> str:
    """`\\sales-sheets\\watch <folder>`: a folder of its own in Task Scheduler's library."""
    folder = re.sub(r'[\\/:*?"<>|]', "_", PureWindowsPath(root).name) or "workspace"
    return f"\\sales-sheets\\watch {folder}"


def drive_letter_warning(root: str, language: str) -> str | None:
    """A warning when `root` is reached through a drive letter rather than a UNC path."""
    drive = PureWindowsPath(root).drive
    if not re.fullmatch(r"[A-Za-z]:", drive):
        return None
    return MAPPED_DRIVE.format(language, path=root, drive=drive.upper())


def watch_arguments(root: str, log_file: str) -> list[str]:
    return ["-m", "sales_sheets", "watch", "-w", root, "--log-file", log_file]


def task_xml(python: str, root: str, log_file: str, account: str) -> str:
    """The task definition: at boot, as `account` whether logged on or not, run `python -m
    sales_sheets watch` for the workspace at `root`, restarted after a failure, never stopped
    for running long."""
    ET.register_namespace("", NAMESPACE)
    task = _element(None, "Task", version="1.2")
    info = _element(task, "RegistrationInfo")
    _element(info, "Description", text=f"sales-sheets watcher for {root}")
    boot = _element(_element(task, "Triggers"), "BootTrigger")
    _element(boot, "Enabled", text="true")
    _element(boot, "Delay", text="PT1M")  # let the network and the share come up
    principal = _element(_element(task, "Principals"), "Principal", id="Author")
    _element(principal, "UserId", text=account)
    _element(principal, "LogonType", text="Password")  # runs whether logged on or not
    _element(principal, "RunLevel", text="LeastPrivilege")
    settings = _element(task, "Settings")
    for name, value in (("MultipleInstancesPolicy", "IgnoreNew"),
                        ("DisallowStartIfOnBatteries", "false"),
                        ("StopIfGoingOnBatteries", "false"),
                        ("StartWhenAvailable", "true"),
                        ("AllowStartOnDemand", "true"),
                        ("Enabled", "true"),
                        ("ExecutionTimeLimit", "PT0S")):  # no limit: it runs until stopped
        _element(settings, name, text=value)
    idle = _element(settings, "IdleSettings")
    _element(idle, "StopOnIdleEnd", text="false")
    _element(idle, "RestartOnIdle", text="false")
    restart = _element(settings, "RestartOnFailure")
    _element(restart, "Interval", text=RESTART_INTERVAL)
    _element(restart, "Count", text=RESTART_COUNT)
    run = _element(_element(task, "Actions", Context="Author"), "Exec")
    _element(run, "Command", text=python)
    _element(run, "Arguments", text=subprocess.list2cmdline(watch_arguments(root, log_file)))
    ET.indent(task, "  ")  # an IT person reads it before importing it
    body = ET.tostring(task, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-16"?>\n{body}\n'


def write_task(python: str, root: str, log_file: str, account: str, output: Path) -> Task:
    """Write the task definition to `output`; the Task's command registers it (run it as an
    administrator on the machine that is to run the watcher; it asks for the password)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(task_xml(python, root, log_file, account), encoding="utf-16")
    name = task_name(root)
    command = ["schtasks", "/Create", "/TN", name, "/XML", str(output), "/RU", account,
               "/RP", "*"]
    return Task(name, output, command)


def _element(parent: ET.Element | None, tag: str, text: str | None = None,
             **attributes: str) -> ET.Element:
    name = f"{{{NAMESPACE}}}{tag}"
    element = ET.Element(name, attributes) if parent is None else ET.SubElement(
        parent, name, attributes)
    element.text = text
    return element


def current_account() -> str:
    """The account running this command, as Task Scheduler names it (DOMAIN\\name on Windows)."""
    domain = os.environ.get("USERDOMAIN")
    return f"{domain}\\{getpass.getuser()}" if domain else getpass.getuser()
