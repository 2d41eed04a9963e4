"""Setting the watcher up as a service: the systemd unit (its text, installed into and removed from
a user unit folder under XDG_CONFIG_HOME, checked by `systemd-analyze verify`, and its
command run for real), and the Windows scheduled task (well-formed XML holding the command, the
warning for drive letters). systemd itself does not run here: `--enable` and `uninstall` talk to
a stand-in `systemctl` on PATH that records its arguments."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from sales_sheets import api
from sales_sheets.cli import main
from sales_sheets.service.systemd import Scope, escape_path, unit_name, unit_text, watch_command
from sales_sheets.service.windows import NAMESPACE, drive_letter_warning, task_xml
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header, query
from .helpers.watching import wait_until

NS = {"t": NAMESPACE}
FAKE_SYSTEMCTL = """#!/bin/sh
echo "$@" >> "{log}"
exit {code}
"""


def user_units(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "systemd" / "user"


def fake_systemctl(tmp_path: Path, code: int = 0) -> tuple[dict[str, str], Path]:
    """An environment whose PATH starts with a `systemctl` that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "systemctl.log"
    script = bin_dir / "systemctl"
    script.write_text(FAKE_SYSTEMCTL.format(log=log, code=code), encoding="utf-8")
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "XDG_CONFIG_HOME": str(tmp_path / "xdg")}, log


def exec_start(unit: str) -> list[str]:
    [line] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


# -- the unit's text --------------------------------------------------------------------------


def test_the_unit_runs_watch_for_the_workspace_and_restarts_it_after_a_failure() -> None:
    root = Path("/srv/sales")
    command = watch_command("/opt/venv/bin/python", root, Path("/srv/sales/logs/watch.log"))
    assert command == ["/opt/venv/bin/python", "-m", "sales_sheets", "watch", "-w", "/srv/sales",
                       "--log-file", "/srv/sales/logs/watch.log"]
    unit = unit_text(command, root, Scope.SYSTEM, "sales")
    assert unit == f"""\
[Unit]
Description=sales-sheets watcher for /srv/sales
Wants=network-online.target
After=network-online.target
RequiresMountsFor=/srv/sales

[Service]
Type=exec
User=sales
WorkingDirectory=/srv/sales
ExecStart={" ".join(command)}
Environment=PYTHONUNBUFFERED=1
Restart=on-failure
RestartSec=5
# The watcher finishes the file in hand on SIGTERM and exits 0.
KillSignal=SIGTERM
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
"""
    user = unit_text(command, root, Scope.USER)
    assert "User=" not in user and "RequiresMountsFor" not in user
    assert user.endswith("[Install]\nWantedBy=default.target\n")


def test_odd_paths_are_quoted_and_escaped_as_systemd_reads_them() -> None:
    root = Path("/srv/销售 部/100%$")
    unit = unit_text(watch_command("/usr/bin/python3", root, root / "w.log"), root, Scope.USER)
    assert "WorkingDirectory=/srv/销售 部/100%%$\n" in unit
    assert exec_start(unit)[5] == "/srv/销售 部/100%%$$"  # systemd turns %% into %, $$ into $
    assert unit_name(Path("/srv/sales")) == "sales-sheets-srv-sales.service"
    cases = {Path("/srv/.销售 部/a-b"): r"srv-.\xe9\x94\x80\xe5\x94\xae\x20\xe9\x83\xa8-a\x2db",
             Path("/.x/y"): r"\x2ex-y", Path("/"): "-"}
    for path, escaped in cases.items():
        assert escape_path(path) == escaped
        if shutil.which("systemd-escape"):  # the same as systemd's own, where it is installed
            assert subprocess.run(["systemd-escape", "--path", str(path)], capture_output=True,
                                  text=True, check=True).stdout.strip() == escaped


# -- install and uninstall --------------------------------------------------------------------


def test_install_writes_a_user_unit_that_systemd_accepts_and_uninstall_removes_it(
    workspace: Workspace, tmp_path: Path,
) -> None:
    env, calls = fake_systemctl(tmp_path)
    runner = CliRunner(env=env)
    result = runner.invoke(main, ["service", "install", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    path = user_units(tmp_path) / unit_name(workspace.root)
    assert f"unit written: {path}" in result.output
    assert "systemctl --user daemon-reload && systemctl --user enable --now" in result.output
    assert not calls.exists()  # without --enable systemd is not touched
    unit = path.read_text(encoding="utf-8")
    assert exec_start(unit) == [sys.executable, "-m", "sales_sheets", "watch", "-w",
                                str(workspace.root), "--log-file",
                                str(workspace.root / "logs" / "watch.log")]
    assert f"WorkingDirectory={workspace.root}\n" in unit
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd): "
                    "the unit was written but not verified")
    verified = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True,
                              text=True)
    assert verified.returncode == 0, verified.stderr
    assert path.name not in verified.stdout + verified.stderr  # no complaint about our unit

    result = runner.invoke(main, ["service", "uninstall", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert not path.exists()
    assert calls.read_text().splitlines() == [f"--user disable --now {path.name}",
                                              "--user daemon-reload"]


def test_enable_reloads_systemd_and_enables_the_unit_now(workspace: Workspace,
                                                         tmp_path: Path) -> None:
    env, calls = fake_systemctl(tmp_path)
    result = CliRunner(env=env).invoke(main, ["service", "install", "--enable",
                                              "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    name = unit_name(workspace.root)
    assert calls.read_text().splitlines() == ["--user daemon-reload",
                                              f"--user enable --now {name}"]
    assert f"systemctl --user status {name}" in result.output


def test_the_configured_log_file_goes_into_the_unit(workspace: Workspace, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    ws = configure(workspace, watch={"log_file": "var/sales.log"})
    done = api.install_unit(ws, Scope.USER)
    assert exec_start(done.path.read_text(encoding="utf-8"))[-1] == str(ws.root / "var" /
                                                                       "sales.log")


def test_systemctl_failing_is_a_clear_error_and_the_unit_stays(workspace: Workspace,
                                                               tmp_path: Path) -> None:
    env, _ = fake_systemctl(tmp_path, code=1)
    runner = CliRunner(env=env)
    assert runner.invoke(main, ["service", "install", "-w", str(workspace.root)]).exit_code == 0
    result = runner.invoke(main, ["service", "uninstall", "-w", str(workspace.root)])
    assert result.exit_code == 1
    assert "systemctl --user disable --now" in result.output and "Traceback" not in result.output
    assert (user_units(tmp_path) / unit_name(workspace.root)).exists()


def test_uninstall_without_a_unit_says_so(workspace: Workspace, tmp_path: Path) -> None:
    env, calls = fake_systemctl(tmp_path)
    result = CliRunner(env=env).invoke(main, ["service", "uninstall", "-w", str(workspace.root)])
    assert result.exit_code == 1
    assert f"no sales-sheets unit for {workspace.root}" in result.output
    assert not calls.exists()


def test_the_readmes_unit_is_the_one_install_writes() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("```ini\n", 1)[1].split("```", 1)[0]
    root = Path("/srv/sales")
    command = watch_command("/opt/sales-sheets/.venv/bin/python", root,
                            root / "logs" / "watch.log")
    assert shown == unit_text(command, root, Scope.SYSTEM, "sales")
    assert unit_name(root) in readme


def test_units_are_refused_off_linux_with_a_pointer_to_the_task(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    result = CliRunner().invoke(main, ["service", "install", "-w", str(workspace.root)])
    assert result.exit_code == 1
    assert "sales-sheets service task" in result.output and "Traceback" not in result.output


def test_the_units_command_runs_a_watcher_that_status_check_sees(loaded: Workspace,
                                                                 tmp_path: Path) -> None:
    """What systemd would start: the unit's ExecStart, run in its WorkingDirectory."""
    ws = configure(loaded, replace=True, watch={"stable_seconds": 0.2, "rescan_seconds": 0.5,
                                                "lease_seconds": 2.0})
    command = watch_command(sys.executable, ws.root, ws.root / "logs" / "watch.log")
    unit = unit_text(command, ws.root, Scope.USER)
    process = subprocess.Popen(exec_start(unit), cwd=ws.root, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    runner = CliRunner()
    try:
        wait_until(lambda: runner.invoke(main, ["status", "--check", "-w", str(ws.root)])
                   .exit_code == 0, "status --check to see the watcher")
        drop(ws, "order", "S01/unit.xlsx", header=order_header(no="SO-U"),
             lines=[{"product_code": "P003", "quantity": 1, "unit_price": "460"}])
        wait_until(lambda: query(ws, "SELECT status FROM intake WHERE file_name = ?",
                                 "S01/unit.xlsx") == [("accepted",)], "the file's answer")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "file=S01/unit.xlsx kind=order status=accepted document=SO-U" in (
        ws.root / "logs" / "watch.log").read_text(encoding="utf-8")
    assert runner.invoke(main, ["status", "--check", "-w", str(ws.root)]).exit_code == 4


# -- Windows: the scheduled task --------------------------------------------------------------


def test_the_task_is_well_formed_and_runs_watch_at_boot_restarted_on_failure() -> None:
    root = r"\\fileserver\销售部\sales"
    xml = task_xml(r"C:\Program Files\Python312\python.exe", root, root + r"\logs\watch.log",
                   r"CORP\sales-svc")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-16"?>\n')
    task = ET.fromstring(xml.split("\n", 1)[1])
    assert task.tag == f"{{{NAMESPACE}}}Task"
    assert task.find("t:Triggers/t:BootTrigger/t:Enabled", NS).text == "true"  # type: ignore[union-attr]
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal is not None
    assert principal.findtext("t:UserId", namespaces=NS) == r"CORP\sales-svc"
    assert principal.findtext("t:LogonType", namespaces=NS) == "Password"
    assert task.findtext("t:Settings/t:RestartOnFailure/t:Count", namespaces=NS) == "999"
    assert task.findtext("t:Settings/t:ExecutionTimeLimit", namespaces=NS) == "PT0S"
    assert (task.findtext("t:Actions/t:Exec/t:Command", namespaces=NS)
            == r"C:\Program Files\Python312\python.exe")
    assert task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=NS) == (
        r'-m sales_sheets watch -w \\fileserver\销售部\sales --log-file '
        r'\\fileserver\销售部\sales\logs\watch.log')


def test_service_task_writes_utf16_xml_and_prints_the_schtasks_command(
    workspace: Workspace, tmp_path: Path,
) -> None:
    target = tmp_path / "task.xml"
    result = CliRunner().invoke(main, ["service", "task", "-w", str(workspace.root),
                                       "-o", str(target), "--run-as", r"CORP\sales-svc"])
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with its byte-order mark
    task = ET.fromstring(raw)  # the parser honours the declared encoding
    assert task.findtext("t:Actions/t:Exec/t:Command", namespaces=NS) == sys.executable
    assert str(workspace.root) in (task.findtext("t:Actions/t:Exec/t:Arguments",
                                                 namespaces=NS) or "")
    expected = (rf'schtasks /Create /TN "\sales-sheets\watch ws" /XML {target} '
                r"/RU CORP\sales-svc /RP *")
    assert expected in result.output


@pytest.mark.parametrize(("path", "warns"), [
    (r"Z:\销售部\sales", True),
    ("z:/sales", True),
    (r"\\fileserver\销售部\sales", False),
    ("//fileserver/sales", False),
    ("/srv/sales", False),
])
def test_a_drive_letter_path_gets_the_unc_warning(path: str, warns: bool) -> None:
    warning = drive_letter_warning(path, "en")
    assert (warning is not None) is warns
    if warning:
        assert "UNC" in warning and path in warning
        assert "UNC" in (drive_letter_warning(path, "zh") or "")
