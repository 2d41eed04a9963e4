"""Atomic writes: readers see the old file or the new one, and no temporary file stays behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from sales_sheets.files import atomic_path, write_bytes_atomic, write_text_atomic
from sales_sheets.intake.inbox import is_ignored


def test_success_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with atomic_path(target) as partial:
        partial.write_bytes(b"new")
        assert target.read_bytes() == b"old"  # not yet: readers still see the old bytes
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_failure_keeps_the_old_file_and_removes_the_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as partial:
        partial.write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_failure_before_anything_is_written_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new" / "form.xlsx"
    with pytest.raises(RuntimeError), atomic_path(target):
        raise RuntimeError("the writer failed")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_the_temporary_file_is_hidden_beside_the_target_and_unique(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    target = inbox / "S01" / "order.xlsx"
    with atomic_path(target) as first, atomic_path(target) as second:
        assert first.parent == second.parent == target.parent  # same folder: one rename
        assert first != second
        for partial in (first, second):
            assert partial.name.startswith(".order.xlsx.")
            assert partial.suffix == ".partial"
            assert is_ignored(partial, inbox)  # the watcher passes over it
            partial.write_bytes(partial.name.encode())
    assert target.read_bytes() == first.name.encode()  # the outer block finishes last: it wins


def test_bytes_and_text_helpers_create_the_folder(tmp_path: Path) -> None:
    data, text = tmp_path / "a" / "addin.xlam", tmp_path / "b" / "回执.txt"
    write_bytes_atomic(data, b"\x00\x01")
    write_text_atomic(text, "已接收\n")
    assert data.read_bytes() == b"\x00\x01"
    assert text.read_bytes() == "已接收\n".encode()
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["addin.xlam"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["回执.txt"]
