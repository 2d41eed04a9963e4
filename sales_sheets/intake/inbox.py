"""The inbox as a state machine on disk.

A file moves inbox/ -> inbox/.claimed/<claim id>/ (one atomic rename, so two watchers never take
the same file) -> archive/. Only a claimed file is unfinished work. Each claim is leased in the
ledger to the process that took it (ledger/leases.py): a claim is resumed by its own holder, or
by another once its holder stopped or died, and the ledger's intake record tells whether it was
already stored.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..files import atomic_path
from ..forms.normalize import to_code
from ..ledger import Holder
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


def claim_files(workspace: Workspace, paths: list[Path], holder: Holder) -> list[Claim]:
    """Take files out of the inbox for `holder`, in their order; a file another process took
    first is left out. Their claims are recorded in one transaction before any claim folder
    exists, so whoever sees a folder finds its owner; the claims of files taken by others are
    dropped in one more. Raises StorageError when the ledger cannot record the claims (the
    files stay in the inbox)."""
    if not paths:
        return []
    planned = [(uuid.uuid4().hex, path) for path in paths]
    holder.record([claim_id for claim_id, _ in planned])
    claims: list[Claim] = []
    missed: list[str] = []
    for claim_id, path in planned:
        relative = path.relative_to(workspace.inbox).as_posix()
        target = workspace.claimed / claim_id / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            shutil.rmtree(workspace.claimed / claim_id, ignore_errors=True)
            missed.append(claim_id)
            continue
        claims.append(Claim(claim_id, target, relative))
    holder.forget(missed)
    return claims


def pending_claims(workspace: Workspace, holder: Holder) -> list[Claim]:
    """Unfinished claims `holder` may work on, oldest first: its own (the ledger was
    unavailable) and those of holders that stopped or whose lease ran out, which it takes over.
    A live holder's claims are left alone; empty leftovers are removed."""
    if not workspace.claimed.exists():
        return []
    folders = [f for f in workspace.claimed.iterdir() if f.is_dir()]
    held = holder.take(f.name for f in folders)
    claims: list[tuple[float, Claim]] = []
    emptied: list[str] = []
    for folder in folders:
        if folder.name not in held:
            continue
        files = [p for p in folder.rglob("*") if p.is_file()]
        if not files:
            shutil.rmtree(folder, ignore_errors=True)
            emptied.append(folder.name)
            continue
        path = files[0]
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:  # finished by a holder we thought dead: nothing to resume
            continue
        relative = path.relative_to(folder).as_posix()
        claims.append((mtime, Claim(folder.name, path, relative)))
    holder.forget(emptied)
    return [c for _, c in sorted(claims, key=lambda pair: pair[0])]


def forget_finished(holder: Holder, claims: list[Claim]) -> None:
    """Drop the lease records of the claims that are finished (archived)."""
    holder.forget(c.id for c in claims if not c.path.exists())


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
            # No hard links here (another disk, a share). Copied whole or not at all: a copy
            # cut short by a full disk must not stand at `target`, where the next attempt
            # would take it for the archived original and delete the claim.
            with atomic_path(target) as partial:
                shutil.copy2(claim.path, partial)
            os.unlink(claim.path)
    shutil.rmtree(workspace.claimed / claim.id, ignore_errors=True)
