"""Writing a file so that readers see the old bytes or the new ones, never half of them."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target` to write; on success it replaces `target`.

    The temporary name is hidden and ends in `.partial`, so the watcher and Excel users pass
    over it, and it is unique, so two processes writing the same file (the watcher's month
    report and a `report` command) never write into each other's half. It lies in the same
    folder, which is created if missing, so the final `os.replace` is one atomic rename. If the
    block raises, `target` is left as it was and the temporary file is removed.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` through `atomic_path`."""
    with atomic_path(target) as partial:
        partial.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    """Write `text` to `target` as UTF-8 through `atomic_path`."""
    with atomic_path(target) as partial:
        partial.write_text(text, encoding="utf-8")
