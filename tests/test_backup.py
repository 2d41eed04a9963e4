"""`backup`: a copy of a live SQLite ledger that reads back with the same rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sales_sheets.cli import main
from sales_sheets.errors import StorageError
from sales_sheets.ledger.backup import backup_ledger
from sales_sheets.ledger.database import open_ledger
from sales_sheets.ledger.migrate import ledger_revisions
from sales_sheets.ledger.migrations import Standing
from sales_sheets.workspace import Workspace

from .helpers.forms import drop, one, order_header


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}


def test_a_backup_taken_while_a_writer_is_busy_has_every_committed_row(
    loaded: Workspace, tmp_path: Path
) -> None:
    drop(loaded, "order", "S01/o.xlsx", order_header(),
         [{"product_code": "P001", "quantity": 1, "unit_price": "12800"}])
    assert one(loaded).status == "accepted"
    ledger = loaded.root / "ledger.sqlite"
    committed = _rows(ledger)
    target = tmp_path / "copies" / "ledger-2026-12-01.sqlite"
    with sqlite3.connect(ledger, timeout=0.1) as writer:
        # A watcher in the middle of storing a file: holds the write lock, not yet committed.
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO meta (key, value) VALUES ('half-stored', 'x')")
        assert backup_ledger(loaded.database_url, target) == target
        writer.rollback()
    assert _rows(target) == committed
    assert len(committed["order_lines"]) == 1 and len(committed["customers"]) > 0
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # one file
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    loaded.services.close()
    url = f"sqlite:///{target}"
    open_ledger(url).dispose()  # a copy is a ledger like any other
    assert ledger_revisions(url).standing is Standing.CURRENT


def test_backup_through_the_cli_refuses_to_overwrite_without_force(
    loaded: Workspace, tmp_path: Path
) -> None:
    target = tmp_path / "ledger-copy.sqlite"
    target.write_bytes(b"an older copy")
    args = ["backup", "-o", str(target), "-w", str(loaded.root)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "--force" in result.output
    assert target.read_bytes() == b"an older copy"
    result = CliRunner().invoke(main, [*args, "--force"])
    assert (result.exit_code, result.output) == (0, f"{target}\n")
    assert _rows(target) == _rows(loaded.root / "ledger.sqlite")


@pytest.mark.parametrize(("url", "refused"), [
    ("postgresql+psycopg://office@db.example/sales", "pg_dump --format=custom"),
    ("sqlite://", "not a file"),
])
def test_what_backup_cannot_copy_is_refused(url: str, refused: str, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=refused):
        backup_ledger(url, tmp_path / "copy")
    assert not (tmp_path / "copy").exists()


def test_backup_never_creates_a_ledger(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no ledger"):
        backup_ledger(f"sqlite:///{tmp_path / 'typo.sqlite'}", tmp_path / "copy.sqlite")
    assert list(tmp_path.iterdir()) == []
