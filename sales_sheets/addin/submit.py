"""Submit: check a workbook like the watcher, then hand a copy to the inbox, atomically."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import WorkspaceError
from ..intake.check import WorkbookCheck, check_workbook
from ..paths import inside, safe_component
from ..status import Status
from ..workspace import Workspace

_STEM_LENGTH = 50
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
_ATTEMPTS = 1000


@dataclass(frozen=True)
class Submission:
    check: WorkbookCheck
    folder: str  # the inbox sub-folder: the salesperson's code
    target: Path | None  # the file in the inbox; None when errors stopped it


def submit_workbook(
    workspace: Workspace, path: Path, salesperson: str, name: str | None = None,
    now: datetime | None = None,
) -> Submission:
    """Check `path` as if dropped into inbox/<salesperson>/; unless it has errors, put a copy
    there under a new name (`<name>_<yyyymmdd-hhmmss>.xlsx`) and return where it went.

    Args:
        workspace: the shared workspace.
        path: the workbook (a saved copy of the open one, for the add-in).
        salesperson: the inbox sub-folder, which the access rules check.
        name: the file name to start from (the open workbook's name); default `path`'s.
        now: the time in the new name; default now.
    """
    check = check_workbook(workspace, path, salesperson)
    if check.status == Status.REJECTED:
        return Submission(check, salesperson, None)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = place_in_inbox(workspace, path, salesperson, name or path.name, stamp)
    return Submission(check, salesperson, target)


def place_in_inbox(workspace: Workspace, source: Path, folder: str, name: str, stamp: str) -> Path:
    """Copy `source` into inbox/<folder>/ so that the watcher can never see it half-written:
    the bytes go to a hidden `.part` file, which the watcher ignores, and only the finished
    file gets its final name, which never replaces an existing file (see `_publish`)."""
    box = inside(workspace.inbox, folder) if folder else workspace.inbox
    box.mkdir(parents=True, exist_ok=True)
    original = Path(name)
    # Shortened before the stamp and counter are added, so that they always survive.
    stem = safe_component(original.stem)[:_STEM_LENGTH]
    suffix = original.suffix.lower() if _SUFFIX.fullmatch(original.suffix.lower()) else ".xlsx"
    partial = box / f".{uuid.uuid4().hex}.part"
    try:
        with source.open("rb") as src, partial.open("wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
        for n in range(1, _ATTEMPTS + 1):
            final = box / f"{stem}_{stamp}{'' if n == 1 else f'-{n}'}{suffix}"
            if _publish(partial, final):
                return final
        raise WorkspaceError(f"{box}: {_ATTEMPTS} files named {stem}_{stamp}… exist already")
    finally:
        partial.unlink(missing_ok=True)


def _publish(partial: Path, final: Path) -> bool:
    """Give the finished copy its final name unless that name is taken; True when done.

    A hard link never replaces a file. Where there are none (some network shares, FAT), a
    rename after checking the name: on Windows the rename refuses an existing name too; on a
    POSIX client a file created between the check and the rename would be replaced, which the
    time stamp in the name makes all but impossible."""
    try:
        os.link(partial, final)
        return True
    except FileExistsError:
        return False
    except OSError:
        if final.exists():
            return False
        try:
            os.rename(partial, final)
        except FileExistsError:
            return False
        return True
