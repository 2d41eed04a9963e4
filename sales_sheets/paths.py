"""File names built from user text (order numbers, names) that cannot leave their folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import WorkspaceError

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}


_MAX_LENGTH = 80
_SUFFIX = re.compile(r"(?:\.[^.\s]{1,10}){1,2}$")  # ".xlsx", ".rejected.txt"


def safe_component(text: str, fallback: str = "_") -> str:
    """One path component: no separators, no `..`, no device names, at most 80 characters
    (shortened in the stem, so `.xlsx` and `.txt` endings survive)."""
    cleaned = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", text)).strip(" .")
    cleaned = cleaned.replace("..", "_")
    if len(cleaned) > _MAX_LENGTH:
        suffix = _SUFFIX.search(cleaned)
        tail = suffix[0] if suffix and suffix.start() > 0 else ""
        cleaned = cleaned[:_MAX_LENGTH - len(tail)].rstrip(" .") + tail
    cleaned = cleaned.strip(" .")
    if not cleaned or cleaned.upper().split(".")[0] in _RESERVED:
        return fallback if not cleaned else f"_{cleaned}"
    return cleaned


def inside(base: Path, *parts: str) -> Path:
    """base/parts, with every part made safe and the result checked to stay under base."""
    target = base.joinpath(*(safe_component(p) for p in parts))
    resolved_base = base.resolve()
    if not target.resolve().is_relative_to(resolved_base):
        raise WorkspaceError(f"refusing to write outside {base}: {target}")
    return target
