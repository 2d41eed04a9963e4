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
from typing import Any

from ..errors import SalesSheetsError

log = logging.getLogger(__name__)

# Nothing a contract or a letter needs takes this long; unoserver ends a LibreOffice that hangs
# past it, and the server is started anew.
CONVERSION_SECONDS = 60
_START_SECONDS = 60.0
_PROBE_SECONDS = 5.0
API_VERSION = "3"
# The server's own start-up: it lowers its priority first (intake comes before PDFs, on machines
# with few cores), then runs unoserver's command line with the arguments given after `-c`.
_LAUNCH = ("import os, sys\n"
           "if hasattr(os, 'nice'):\n    os.nice(10)\n"
           "from unoserver.server import main\nsys.exit(main())\n")


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
    the job over through the profile's pipe)."""

    def __init__(self, soffice: str, python: str) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="sales-sheets-uno-"))
        library = self._scratch / "lib"
        _copy_unoserver(library)
        port, uno_port = _free_ports(2)
        self.port = port
        command = [python, "-c", _LAUNCH, "--port", str(port), "--uno-port", str(uno_port),
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
    copied to `target` for the uno interpreter, which knows nothing of this environment.
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
