"""The outside systems a workspace's work runs with: the ledger's engine, the PDF worker, the
clock and (to come) the notifier.

They are built by whoever starts the work (the CLI, `watch`, the add-in, a program embedding
the library) and handed down with the workspace, never looked up in a module-wide table: two
workspaces in one process, or the same folder opened twice, each have their own engine and PDF
worker, and a test or an embedding program passes its own clock. The types here are protocols,
so that every stage can take a `Services` while the concrete PDF worker (documents/pdf.py) and
engine (ledger/database.py) are made above them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine

Clock = Callable[[], datetime]


class PdfQueue(Protocol):
    """Makes a PDF beside each .docx it is given, off the caller's path (documents/pdf.py)."""

    def request(self, docx: Path) -> None: ...

    def wait(self, timeout: float) -> list[Path]: ...

    def close(self, timeout: float) -> list[Path]: ...


class Notifier(Protocol):
    """Tells people what happened to their files; its methods come with the issue that builds
    it. None until then."""


class Services:
    """One workspace's engine, PDF worker, clock and notifier.

    Args:
        ledger: the ledger's engine when the entry point opened it already; otherwise the first
            `ledger.database.ledger_of` opens it (once) and it is kept here.
        pdf: a PDF worker the caller runs and closes itself; otherwise `documents.pdf.pdf_worker`
            starts one for the length of its outermost block.
        clock: the time the intake stamps its records with (local, naive).
        notifier: none yet (a later issue).
    """

    def __init__(
        self, *, ledger: Engine | None = None, pdf: PdfQueue | None = None,
        clock: Clock = datetime.now, notifier: Notifier | None = None,
    ) -> None:
        self.engine = ledger
        self.pdf = pdf
        # How many `pdf_worker` blocks use `pdf` now; 0 for one the caller passed in (theirs).
        self.pdf_users = 0
        self.clock = clock
        self.notifier = notifier
        self.lock = threading.RLock()  # guards the two slots filled on first use

    def close(self) -> None:
        """Dispose of the ledger's engine (its pooled connections); the next use opens it anew.
        The entry point that built the services calls it when the work is done."""
        with self.lock:
            engine, self.engine = self.engine, None
        if engine is not None:
            engine.dispose()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
