"""File names built from user text (order numbers, names) that cannot leave their folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import WorkspaceError

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
             *(f"LPT{i}" for i in range(10))}


def safe_component(text: str, fallback: str = "_") -> str:
    """One path component: no separators, no `..`, no device names, at most 80 characters."""
    cleaned = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", text)).strip(" .")
    cleaned = cleaned.replace("..", "_")[:80].strip(" .")
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
