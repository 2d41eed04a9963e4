"""Storage faults on the way out: the outbox or the archive full, read-only or not writable.

They strike after the file is stored, while its answer (documents, annotated copy,
acknowledgement) is written and its original archived. Leaving an output out would lose it for
good, and answering before everything is written would answer twice. So such a fault stops the
file's finishing: it stays claimed, its holder finishes it at a later rescan once the fault is
fixed (the ledger's intake record makes that a mere finishing, see ingest.py), and the fault is
told in one sentence naming the folder. Other errors keep their own handling: a file that makes
a reader or a template fail must not be held back for ever.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SalesSheetsError

_WHAT = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk full (quota exceeded)",
    errno.EFBIG: "disk full (file size limit reached)",
    errno.EROFS: "read-only",
    errno.EACCES: "no permission to write",
    errno.EPERM: "no permission to write",
}


class OutputFault(SalesSheetsError):
    """`target` could not be written because of the storage under it, not the file's data."""

    def __init__(self, target: Path, cause: OSError) -> None:
        super().__init__(f"{target}: {cause}")
        self.target = target
        self.cause = cause

    def describe(self, root: Path) -> str:
        """E.g. "cannot write to outbox/receipts/S01 (disk full: No space left on device)"."""
        folder = self.target.parent
        where = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else folder
        what = _WHAT.get(self.cause.errno or 0, "error")
        return f"cannot write to {where} ({what}: {self.cause.strerror or self.cause})"


@contextmanager
def writing(target: Path) -> Iterator[None]:
    """Turn a storage fault raised while the block writes `target` into an OutputFault."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _WHAT:
            raise OutputFault(target, exc) from exc
        raise
