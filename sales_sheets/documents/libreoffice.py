"""One LibreOffice kept running to turn Word files into PDF, through unoserver.

A cold `soffice --convert-to pdf` spends seconds starting up for every document; unoserver keeps
one LibreOffice listening and converts over UNO in a fraction of a second. Its server must run
under a Python that can `import uno`, which is LibreOffice's own: the one bundled in its
program folder (Windows, macOS) or the system `python3` with the `python3-uno` package (Debian,
Ubuntu). The project's virtual environment usually has no `uno`, so the server runs under that
interpreter with a copy of the installed unoserver package on its path.

The client side speaks unoserver's XML-RPC API (version 3, documented in its server) directly
rather than through `unoserver.client.UnoClient`: that asks the server for its whole filter list
before every conversion, has no timeout, and, when the server is down, retries for 40 seconds,
which would hold every PDF behind a crashed LibreOffice instead of starting a new one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xmlrpc.client
from importlib.metadata import distribution
from pathlib import Path
from typing import IO, Any

from ..errors import SalesSheetsError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

# Nothing a contract or a letter needs takes this long; unoserver ends a LibreOffice that hangs
# past it, and the server is started anew.
CONVERSION_SECONDS = 60
_START_SECONDS = 60.0
_PROBE_SECONDS = 5.0
API_VERSION = "3"
# Scratch folders of converters (a profile, the server's copy of unoserver, its log, the record
# of the run it belongs to) in the temporary folder: a converter's folder name is unique, and
# each of its processes names it on its command line.
SCRATCH_PREFIX = "sales-sheets-uno-"
_OWNER_LOCK = "owner.lock"  # held by the run for as long as its converter runs
_RECORD = "record.json"  # written once the lock is held
_GONE_SECONDS = 5.0
_SERVER = Path(__file__).with_name("converter_server.py")


class ConversionError(SalesSheetsError):
    """LibreOffice could not start or could not convert a file."""


def find_soffice() -> str | None:
    """LibreOffice's `soffice` on the PATH, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def find_uno_python(soffice: str, configured: str = "") -> str | None:
    """An interpreter that can `import uno`: `configured` (documents.uno_python) when given,
    else LibreOffice's bundled Python beside `soffice`, the system python3, or this one."""
    if configured:
        return configured if _imports_uno(configured) else None
    program = Path(soffice).resolve().parent
    # Windows; LibreOffice's own Linux builds; the macOS app bundle; Debian's python3-uno
    candidates = [program / "python.exe", program / "python",
                  program.parent / "Resources" / "python",
                  Path("/usr/bin/python3"), Path(sys.executable)]
    return next((str(c) for c in candidates if c.is_file() and _imports_uno(str(c))), None)


def _imports_uno(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", "import uno"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class UnoServer:
    """A running unoserver with its LibreOffice, in a scratch folder of its own (a fresh
    profile: a LibreOffice someone has open, or another of our processes, would otherwise take
    the job over through the profile's pipe).

    The server ends its whole tree when this process is gone or at a SIGTERM
    (converter_server.py). The folder records the run it belongs to, so that a converter left
    behind anyway (its server killed on its own, say) is ended by the next one started on this
    machine: see `end_stale_converters`."""

    def __init__(self, soffice: str, python: str) -> None:
        end_stale_converters()
        self._scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
        self._owner = _Record.write(self._scratch)
        library = self._scratch / "lib"
        _copy_unoserver(library)
        port, uno_port = _free_ports(2)
        self.port = port
        command = [python, str(library / _SERVER.name), str(os.getpid()),
                   "--port", str(port), "--uno-port", str(uno_port),
                   "--executable", soffice, "--conversion-timeout", str(CONVERSION_SECONDS),
                   "--user-installation", str(self._scratch / "profile")]
        self._log = (self._scratch / "server.log").open("wb")
        # Its own process group, so that stopping it also ends the LibreOffice it started.
        group: dict[str, Any] = {"start_new_session": True}
        if sys.platform == "win32":
            group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        self.process = subprocess.Popen(
            command, env={**os.environ, "PYTHONPATH": str(library)}, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, **group)

    @property
    def scratch(self) -> Path:
        """The converter's folder, named on the command line of each of its processes."""
        return self._scratch

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = _START_SECONDS) -> None:
        """Return once the server answers; raise ConversionError (and stop it) when it exits,
        does not answer within `timeout` seconds, or speaks another API version."""
        deadline = time.monotonic() + timeout
        while (info := self._info()) is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                detail = self._log_tail()
                self.stop()
                raise ConversionError(f"LibreOffice (unoserver) did not start: {detail}")
            time.sleep(0.2)
        if info.get("api") != API_VERSION:
            self.stop()
            raise ConversionError(f"unoserver {info.get('unoserver')} speaks API "
                                  f"{info.get('api')}; this program needs {API_VERSION}")

    def answers(self) -> bool:
        """Whether the server and its LibreOffice respond (the info call goes through UNO)."""
        return self._info() is not None

    def convert(self, docx: Path) -> bytes:
        """The PDF of `docx`; raises ConversionError when LibreOffice cannot make it."""
        if self.process.poll() is not None:
            raise ConversionError(f"the converter exited (code {self.process.returncode})")
        # inpath, indata, outpath, convert_to, filtername, filter_options, update_index,
        # infiltername, password: the PDF comes back as the answer, to be written atomically.
        arguments: tuple[Any, ...] = (str(docx.resolve()), None, None, "pdf", None, [], True,
                                      None, None)
        try:
            with self._proxy(CONVERSION_SECONDS + 10) as proxy:
                result = proxy.convert(*arguments)
        except xmlrpc.client.Fault as exc:
            raise ConversionError(exc.faultString) from None
        except (OSError, xmlrpc.client.Error) as exc:
            raise ConversionError(f"{type(exc).__name__}: {exc}") from None
        data = getattr(result, "data", None)
        if not isinstance(data, bytes) or not data.startswith(b"%PDF"):
            raise ConversionError("LibreOffice returned no PDF")
        return data

    def _info(self) -> dict[str, Any] | None:
        if self.process.poll() is not None:
            return None
        try:
            with self._proxy(_PROBE_SECONDS) as proxy:
                info = proxy.info()
        except (OSError, xmlrpc.client.Error):
            return None
        return info if isinstance(info, dict) else None

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}",
                                         transport=_Transport(timeout), allow_none=True)

    def stop(self) -> None:
        """End the server and its LibreOffice at once, and remove the scratch folder. Not
        politely: nothing of theirs is kept (the profile is thrown away), a polite stop takes
        seconds on a busy machine, and LibreOffice's launcher (oosplash) can outlive it."""
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        else:  # the server and the LibreOffice it started, as a tree
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(self.process.pid)],
                           capture_output=True, check=False)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self._log.close()
        self._owner.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _log_tail(self) -> str:
        self._log.flush()
        lines = (self._scratch / "server.log").read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-3:]) or f"exit code {self.process.poll()}"


class _Transport(xmlrpc.client.Transport):
    """A connection that gives up after `timeout` seconds: nothing may hang on a stuck
    server."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: Any) -> Any:
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _copy_unoserver(target: Path) -> None:
    """The installed unoserver package and its metadata (its server reads its own version),
    copied to `target` for the uno interpreter, which knows nothing of this environment, with
    the server's start-up script beside it.
    A copy rather than the whole site-packages: that would put our packages, built for another
    Python, ahead of its standard library."""
    dist = distribution("unoserver")
    for file in dist.files or ():
        if file.parts[0] == "unoserver" or file.parts[0].endswith(".dist-info"):
            if "__pycache__" in file.parts:
                continue
            destination = target.joinpath(*file.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(str(dist.locate_file(file))), destination)
    shutil.copyfile(_SERVER, target / _SERVER.name)


class _Record:
    """A converter's record in its folder: a lock its run holds for as long as the converter
    runs (the system frees it when the run dies, however it dies), and beside it, written once
    the lock is held, which run that is. A folder with a record whose lock is free belongs to a
    run that is gone."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    @classmethod
    def write(cls, scratch: Path) -> _Record:
        file = (scratch / _OWNER_LOCK).open("wb")
        if not _lock(file):
            file.close()
            raise ConversionError(f"{scratch} is locked by another process")
        record = {"run": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
        (scratch / _RECORD).write_text(json.dumps(record), encoding="utf-8")
        return cls(file)

    @classmethod
    def take_if_stale(cls, scratch: Path) -> _Record | None:
        """The record of a converter whose run is gone, now held by this process; None while
        its run lives, or when the folder has no record (being made right now)."""
        if not (scratch / _RECORD).exists():
            return None
        try:
            file = (scratch / _OWNER_LOCK).open("rb")
        except OSError:  # removed since: its run stopped it
            return None
        if _lock(file):
            return cls(file)
        file.close()
        return None

    def close(self) -> None:
        self._file.close()  # and with it the lock


def _lock(file: IO[bytes]) -> bool:
    """Lock `file` for this open file if no other holds it. flock and msvcrt locks are per
    open file, so two converters of one process hold one each; a child does not inherit
    them (Python's files are not inheritable), so a converter never keeps its run's."""
    try:
        if sys.platform == "win32":
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def end_stale_converters() -> list[Path]:
    """End the converters on this machine whose run is gone (killed with SIGKILL while its
    converter could not follow it) and remove their folders; the folders found so. A process
    is taken for one of them only when its command line names the converter's folder, whose
    name is unique: a pid reused since by another program is never ended."""
    stale = []
    for scratch in sorted(Path(tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*")):
        record = _Record.take_if_stale(scratch) if scratch.is_dir() else None
        if record is None:
            continue
        try:
            left = processes_naming(scratch.name)
            if left:
                log.warning("ending a PDF converter left behind (%s, processes %s): %s",
                            scratch.name, ", ".join(map(str, left)),
                            (scratch / _RECORD).read_text(encoding="utf-8", errors="replace"))
            for pid in left:
                _kill(pid)
            deadline = time.monotonic() + _GONE_SECONDS
            while processes_naming(scratch.name) and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            record.close()  # before removing: Windows removes no open file
        shutil.rmtree(scratch, ignore_errors=True)
        stale.append(scratch)
    return stale


def processes_naming(word: str) -> list[int]:
    """The pids of this machine's processes whose command line contains `word`."""
    if sys.platform == "win32":
        listing = _listing(["powershell", "-NoProfile", "-Command",
                            "Get-CimInstance Win32_Process | ForEach-Object "
                            "{ '{0} {1}' -f $_.ProcessId, $_.CommandLine }"])
    elif Path("/proc/self/cmdline").exists():  # Linux, where slim images have no `ps`
        listing = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):  # ended meanwhile
                    words = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                    listing.append(f"{entry.name} {words.decode(errors='replace')}")
    else:
        listing = _listing(["ps", "-A", "-o", "pid=", "-o", "args="])
    found = []
    for line in listing:
        pid, _, command = line.strip().partition(" ")
        if word in command and pid.isdigit() and int(pid) != os.getpid():
            found.append(int(pid))
    return found


def _listing(command: list[str]) -> list[str]:
    try:
        return subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=60, check=False).stdout.splitlines()
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not list the processes (%s): %s", command[0], exc)
        return []


def _kill(pid: int) -> None:
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/PID", str(pid)], capture_output=True, check=False)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _free_ports(count: int) -> list[int]:
    """Ports free right now on the loopback interface (several servers may run at once)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()
