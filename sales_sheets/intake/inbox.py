"""The inbox as a state machine on disk.

A file moves inbox/ -> inbox/.claimed/<claim id>/ (one atomic rename, so two watchers never take
the same file) -> archive/. Only a claimed file is unfinished work; at start-up every claim is
resumed, and the ledger's intake record tells whether it was already stored.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..forms.normalize import to_code
from ..paths import inside
from ..workspace import Workspace

# Excel's owner files (~$x.xlsx), its extension-less save temp files, and the partial files of
# browsers and copy tools are never read.
_TEMP_SUFFIXES = {".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp",
                  ".lock", ".filepart"}


@dataclass(frozen=True)
class Claim:
    id: str
    path: Path
    relative: str  # where the file was in the inbox, e.g. "S01/order.xlsx"

    @property
    def folder(self) -> str:
        """The submitter's folder: the first sub-folder of the inbox, or "" for its root."""
        parts = self.relative.split("/")
        return to_code(parts[0]) if len(parts) > 1 else ""

    @property
    def name(self) -> str:
        return self.path.name


def is_ignored(path: Path, inbox: Path) -> bool:
    """Temporary, hidden and owner files that are not submissions."""
    relative = path.relative_to(inbox)
    if any(part.startswith((".", "~")) for part in relative.parts):
        return True
    name = path.name
    return not path.suffix or path.suffix.lower() in _TEMP_SUFFIXES or name.endswith("~")


def candidates(workspace: Workspace) -> list[Path]:
    """Files in the inbox that are submissions, oldest first."""
    inbox = workspace.inbox
    found: list[tuple[float, Path]] = []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "~")))
        for name in files:
            path = Path(root, name)
            if is_ignored(path, inbox):
                continue
            try:
                found.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                continue
    return [p for _, p in sorted(found)]


def claim(workspace: Workspace, path: Path) -> Claim | None:
    """Take a file out of the inbox; None when another process took it first."""
    relative = path.relative_to(workspace.inbox).as_posix()
    claim_id = uuid.uuid4().hex
    target = workspace.claimed / claim_id / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(path, target)
    except FileNotFoundError:
        shutil.rmtree(workspace.claimed / claim_id, ignore_errors=True)
        return None
    return Claim(claim_id, target, relative)


def pending_claims(workspace: Workspace) -> list[Claim]:
    """Claims a previous run did not finish, oldest first; empty leftovers are removed."""
    claims: list[tuple[float, Claim]] = []
    if not workspace.claimed.exists():
        return []
    for folder in workspace.claimed.iterdir():
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        if not files:
            shutil.rmtree(folder, ignore_errors=True)
            continue
        path = files[0]
        relative = path.relative_to(folder).as_posix()
        claims.append((path.stat().st_mtime, Claim(folder.name, path, relative)))
    return [c for _, c in sorted(claims, key=lambda pair: pair[0])]


def archive_path(workspace: Workspace, claim: Claim, when: datetime) -> Path:
    folder = claim.folder or "_inbox"
    stamp = when.strftime("%Y%m%d-%H%M%S")
    return inside(workspace.archive, when.strftime("%Y-%m"), folder,
                  f"{stamp}_{claim.id[:8]}_{claim.name}")


def archive(workspace: Workspace, claim: Claim, target: Path) -> None:
    """Move the original into the archive (never deleted) and drop the claim."""
    if claim.path.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Link, then unlink: the watcher sees a deletion, not a move out of its tree.
            os.link(claim.path, target)
            os.unlink(claim.path)
        except FileExistsError:
            os.unlink(claim.path)  # linked before a crash; the archive already holds it
        except OSError:
            shutil.move(claim.path, target)  # no hard links here (another disk, a share)
    shutil.rmtree(workspace.claimed / claim.id, ignore_errors=True)
