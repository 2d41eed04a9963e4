"""The README, docs/ and the package's docstrings point only at files a reader of the repository
can open: notes kept outside it once stood in for the rules they should have stated."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "sales_sheets").rglob("*.py")]
# Files on a person's own machine, not in the repository (the add-in's per-user settings).
ELSEWHERE = {"addin.toml"}
# The product notes the code was written from; they are not shipped with the repository.
OUTSIDE = re.compile(r"\b(?:SPEC|FIELD[-_]NOTES|STYLE\.md)\b")
FILE_NAME = re.compile(r"[\w./-]*\b[\w-]+\.(?:md|py|toml)\b")
NAMES = {path.name for path in ROOT.iterdir()} | {
    path.name for folder in ("sales_sheets", "docs", "tests", "bench")
    for path in (ROOT / folder).rglob("*")}


def _exists(name: str, beside: Path) -> bool:
    if Path(name).name in ELSEWHERE:
        return True
    if "/" not in name:
        return name in NAMES
    return any((base / name.lstrip("/")).exists() for base in (ROOT, ROOT / "sales_sheets", beside))


def test_every_file_named_is_in_the_repository() -> None:
    missing = [(str(text.relative_to(ROOT)), name) for text in TEXTS
               for name in FILE_NAME.findall(text.read_text(encoding="utf-8"))
               if not _exists(name, text.parent)]
    assert missing == []


def test_no_notes_outside_the_repository_are_cited() -> None:
    cited = [(str(text.relative_to(ROOT)), match) for text in TEXTS
             for match in OUTSIDE.findall(text.read_text(encoding="utf-8"))]
    assert cited == []
