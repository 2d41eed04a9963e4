"""Leased claims: several watchers (and `process` runs) on one inbox answer each file once; a live
holder's claims are left alone, a stopped or dead one's are taken over once its lease runs out.

The ledger is reached through the workspace's configured URL, so these run on any ledger. The
concurrency tests run real `sales-sheets watch` processes and kill one with SIGKILL.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, event, text

from sales_sheets import api
from sales_sheets.cli import main
from sales_sheets.forms.template import FormData, write_form
from sales_sheets.intake.inbox import claim_files
from sales_sheets.intake.ingest import process_inbox
from sales_sheets.kinds import KINDS
from sales_sheets.ledger.database import ledger_of
from sales_sheets.ledger.leases import Owner, hold_claims, is_live, this_node
from sales_sheets.workspace import Workspace

from .helpers.config import configure
from .helpers.forms import drop, order_header
from .helpers.watching import wait_until

LINE = {"product_code": "P003", "quantity": 1, "unit_price": "460"}
MASTER_FILES = {"sp.xlsx", "pr.xlsx", "cu.xlsx"}
SCRIPT = Path(sys.executable).with_name("sales-sheets")
NOW = datetime(2026, 12, 1, 9, 0, 0)
LEASE = timedelta(seconds=10)


def sql(workspace: Workspace, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    with ledger_of(workspace).begin() as conn:
        result = conn.execute(text(statement), params)
        return [tuple(row) for row in result] if result.returns_rows else []


def answered(workspace: Workspace) -> Counter[str]:
    """How many intake rows each submitted file has (the fixture's master data aside)."""
    return Counter(name for (name,) in sql(workspace, "SELECT file_name FROM intake")
                   if name not in MASTER_FILES)


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def shared(workspace: Workspace, lease: float = 1.0) -> Workspace:
    """Short watcher settings, and no contracts or invoices: only the answering is tested."""
    return configure(configure(workspace, language="en",
                               documents={"contracts": False, "invoices": False}),
                     replace=True, watch={"stable_seconds": 0.2, "rescan_seconds": 0.5,
                                          "poll_interval": 0.1, "lease_seconds": lease})


def stage(tmp_path: Path, count: int) -> list[Path]:
    return [write_form(tmp_path / "staging" / f"order-{n:02}.xlsx", KINDS["order"],
                       data=FormData(order_header(no=f"SO-W{n:02}", customer="C001"), [LINE]))
            for n in range(count)]


def move_in(staged: list[Path], workspace: Workspace) -> list[str]:
    (workspace.inbox / "S01").mkdir(exist_ok=True)
    for path in staged:
        os.replace(path, workspace.inbox / "S01" / path.name)  # arrives complete
    return sorted(f"S01/{p.name}" for p in staged)


def start_watcher(workspace: Workspace) -> subprocess.Popen[str]:
    return subprocess.Popen([str(SCRIPT), "watch", "-w", str(workspace.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stop_watcher(process: subprocess.Popen[str]) -> str:
    """SIGTERM (a clean stop) and its output: one line per file it answered."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode in (0, -signal.SIGKILL), err
    return out


def reported(*outputs: str) -> Counter[str]:
    """How often each file was reported as answered across the watchers' outputs."""
    return Counter(m.group(1) for out in outputs
                   for m in re.finditer(r"^(?:accepted|rejected|held for approval|duplicate, "
                                        r"nothing changed)  (\S+)", out, re.MULTILINE))


def owner_of(workspace: Workspace, pid: int) -> str:
    [(owner,)] = sql(workspace, "SELECT owner FROM watchers WHERE pid = :pid", pid=pid)
    return str(owner)


def watching(workspace: Workspace) -> int:
    return len(sql(workspace, "SELECT owner FROM watchers WHERE command = 'watch' "
                              "AND stopped_at IS NULL"))


def all_answered(workspace: Workspace, names: list[str]) -> bool:
    return (sorted(answered(workspace)) == names and not files(workspace.inbox))


# -- who holds a claim: the rule, with the clock passed in --------------------------------------


@pytest.mark.parametrize(("owner", "alive", "live"), [
    (None, True, False),  # its row is gone: it stopped long ago
    (Owner("elsewhere/", 1, NOW - timedelta(seconds=3), False), True, True),
    (Owner("elsewhere/", 1, NOW - timedelta(seconds=10), False), True, False),  # lease ran out
    (Owner("elsewhere/", 1, NOW - timedelta(seconds=3), True), True, False),  # stopped cleanly
    (Owner("elsewhere/", 1, NOW - timedelta(seconds=3), False), False, True),  # not our pid
    (Owner("here/", 1, NOW - timedelta(seconds=3), False), False, False),  # crashed here
    (Owner("here/", 1, NOW - timedelta(seconds=3), False), True, True),
    (Owner("here/", 1, NOW - timedelta(seconds=11), False), True, False),  # a hung process
])
def test_a_claim_is_live_while_its_owner_is(owner: Owner | None, alive: bool, live: bool) -> None:
    assert is_live(owner, NOW, LEASE, "here/", lambda _pid: alive) is live


# -- in one process: holders registered through the library --------------------------------


def test_process_leaves_a_live_holders_claim_and_takes_it_once_it_stops(
    loaded: Workspace,
) -> None:
    ws = shared(loaded, lease=30.0)
    drop(ws, "order", "S01/theirs.xlsx", header=order_header(no="SO-T"), lines=[LINE])
    with hold_claims(ws, "watch") as watcher:
        [theirs] = claim_files(ws, [ws.inbox / "S01" / "theirs.xlsx"], watcher)
        drop(ws, "order", "S01/mine.xlsx", header=order_header(no="SO-M"), lines=[LINE])

        results = process_inbox(ws)

        assert [(r.file, r.status) for r in results] == [("S01/mine.xlsx", "accepted")]
        assert theirs.path.is_file()
        assert sql(ws, "SELECT claim_id, owner FROM claims") == [(theirs.id, watcher.owner)]
    # A clean stop frees its claims at once: no lease to wait for.
    assert [(r.file, r.status) for r in process_inbox(ws)] == [("S01/theirs.xlsx", "accepted")]
    assert answered(ws) == {"S01/mine.xlsx": 1, "S01/theirs.xlsx": 1}
    assert list(ws.claimed.iterdir()) == []
    assert sql(ws, "SELECT count(*) FROM claims") == [(0,)]


def test_a_batch_is_claimed_in_one_transaction_before_any_of_its_folders_exists(
    loaded: Workspace,
) -> None:
    ws = shared(loaded, lease=30.0)
    names = [f"S01/batch-{n}.xlsx" for n in range(4)]
    for n, name in enumerate(names):
        drop(ws, "order", name, header=order_header(no=f"SO-B{n}"), lines=[LINE])
    gone = ws.inbox / "S01" / "gone.xlsx"  # ready a moment ago, taken by another process since
    paths = [ws.inbox / name for name in names]
    folders_at_commit: list[int] = []

    def committed(_conn: Connection) -> None:
        folders_at_commit.append(len(list(ws.claimed.glob("*"))))

    with hold_claims(ws, "watch") as watcher:
        engine = ledger_of(ws)
        event.listen(engine, "commit", committed)
        try:
            claims = claim_files(ws, [*paths[:2], gone, *paths[2:]], watcher)
        finally:
            event.remove(engine, "commit", committed)
        # One transaction records all five claims while no folder exists; one more, after the
        # renames, drops the claim of the file that was gone.
        assert folders_at_commit == [0, 4]
        assert [c.relative for c in claims] == names
        assert all(c.path.is_file() for c in claims)
        assert sorted(sql(ws, "SELECT claim_id, owner FROM claims")) == sorted(
            (c.id, watcher.owner) for c in claims)
    assert [r.status for r in process_inbox(ws)] == ["accepted"] * 4


def _claim_held_elsewhere(workspace: Workspace, seen: datetime, node: str = "far/",
                          pid: int = 1) -> str:
    """A claim held by a watcher on `node` (by default another machine) with process `pid`,
    its last heartbeat at `seen` (UTC)."""
    drop(workspace, "order", "S02/far.xlsx",
         header=order_header(no="SO-F", customer="C004", salesperson="S02"), lines=[LINE])
    owner, claim_id = uuid.uuid4().hex, uuid.uuid4().hex
    sql(workspace, "INSERT INTO watchers (owner, command, host, node, pid, workspace, inbox, "
                   "started, last_seen, files_done) VALUES (:owner, 'watch', 'far', :node, :pid, "
                   "'/mnt/ws', '/mnt/ws/inbox', :seen, :seen, 0)",
        owner=owner, node=node, pid=pid, seen=seen)
    sql(workspace, "INSERT INTO claims (claim_id, owner, taken_at) VALUES (:id, :owner, :seen)",
        id=claim_id, owner=owner, seen=seen)
    target = workspace.claimed / claim_id / "S02" / "far.xlsx"
    target.parent.mkdir(parents=True)
    os.replace(workspace.inbox / "S02" / "far.xlsx", target)
    return claim_id


def test_a_dead_machines_claim_is_taken_over_only_after_its_lease(loaded: Workspace) -> None:
    ws = shared(loaded, lease=10.0)
    now = datetime.now(UTC).replace(tzinfo=None)
    claim_id = _claim_held_elsewhere(ws, now - timedelta(seconds=4))

    assert process_inbox(ws) == []  # its heartbeat is 4 s old: it may still be working
    assert (ws.claimed / claim_id).is_dir()

    sql(ws, "UPDATE watchers SET last_seen = :old WHERE node = 'far/'",
        old=now - timedelta(seconds=11))  # ... and now it has been silent for over a lease
    [result] = process_inbox(ws)

    assert (result.file, result.status, result.document) == ("S02/far.xlsx", "accepted", "SO-F")
    assert sql(ws, "SELECT claim_id FROM intake WHERE file_name = 'S02/far.xlsx'") == [
        (claim_id,)]
    assert list(ws.claimed.iterdir()) == []


def test_two_holders_never_both_take_a_dead_owners_claim(loaded: Workspace) -> None:
    ws = shared(loaded, lease=10.0)
    old = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    claim_id = _claim_held_elsewhere(ws, old)
    with hold_claims(ws, "watch") as first, hold_claims(ws, "watch") as second:
        assert first.take([claim_id]) == {claim_id}
        assert second.take([claim_id]) == set()  # the first is alive and holds it now
        assert first.take([claim_id]) == {claim_id}
        assert sql(ws, "SELECT owner FROM claims") == [(first.owner,)]


def test_status_shows_who_is_watching_and_warns_when_files_wait_unwatched(
    workspace: Workspace,
) -> None:
    ws = configure(workspace, watch={"lease_seconds": 0.2})
    assert api.ledger_status(ws).as_dict()["warnings"] == []  # nothing waits
    drop(ws, "order", "S01/a.xlsx", header=order_header(), lines=[LINE])
    assert api.ledger_status(ws).as_dict()["warnings"] == [
        {"code": "no_watcher", "waiting": 1, "last_seen": None}]

    with hold_claims(ws, "watch") as watcher:
        watcher.files_done = 7
        watcher.renew()
        state = api.ledger_status(ws)
        printed = CliRunner().invoke(main, ["status", "--json", "-w", str(ws.root)]).stdout
    assert [(w.command, w.pid, w.workspace, w.files_done) for w in state.watchers] == [
        ("watch", os.getpid(), str(ws.root), 7)]
    assert state.warnings == []
    assert json.loads(printed)["watchers"] == [w.as_dict() for w in state.watchers]
    assert sql(ws, "SELECT node FROM watchers") == [(this_node(),)]

    stopped = api.ledger_status(ws)
    assert stopped.watchers == []  # a stopped watcher is not live
    wait_until(lambda: api.ledger_status(ws).warnings != [], "the warning", timeout=5)
    [warning] = api.ledger_status(ws).warnings
    assert (warning["code"], warning["waiting"]) == ("no_watcher", 1)
    assert warning["last_seen"] is not None


# -- real watcher processes ----------------------------------------------------------------


def test_two_watchers_on_one_inbox_answer_each_file_once(loaded: Workspace,
                                                         tmp_path: Path) -> None:
    ws = shared(loaded)
    staged = stage(tmp_path, 60)
    first, second = start_watcher(ws), start_watcher(ws)
    try:
        wait_until(lambda: watching(ws) == 2, "both watchers to start")
        names = move_in(staged, ws)
        wait_until(lambda: all_answered(ws, names), lambda: f"answers, have {answered(ws)}",
                   timeout=60)
        time.sleep(1.0)  # two rescans: anything answered twice would show up now
    finally:
        outputs = stop_watcher(first), stop_watcher(second)
    assert answered(ws) == Counter(names)  # one intake row per file
    assert reported(*outputs) == Counter(names)  # and each reported by one watcher only
    assert len(files(ws.outbox / "receipts" / "S01")) == 60
    assert len([p for p in files(ws.archive) if "order-" in p.name]) == 60
    assert list(ws.claimed.iterdir()) == []
    assert sql(ws, "SELECT count(*) FROM claims") == [(0,)]
    done = sql(ws, "SELECT files_done FROM watchers WHERE command = 'watch' "
                   "AND stopped_at IS NOT NULL")
    assert sum(n for (n,) in done) == 60


def test_a_starting_watcher_leaves_a_live_watchers_claims_alone(loaded: Workspace) -> None:
    ws = shared(loaded, lease=30.0)
    drop(ws, "order", "S01/in-flight.xlsx", header=order_header(no="SO-I"), lines=[LINE])
    other = hold_claims(ws, "watch")
    [in_flight] = claim_files(ws, [ws.inbox / "S01" / "in-flight.xlsx"], other)
    watcher = start_watcher(ws)
    try:
        drop(ws, "order", "S01/new.xlsx", header=order_header(no="SO-N"), lines=[LINE])
        wait_until(lambda: "S01/new.xlsx" in answered(ws), "the new file")
        time.sleep(1.0)  # two more rescans
        assert in_flight.path.is_file()
        assert "S01/in-flight.xlsx" not in answered(ws)
        assert sql(ws, "SELECT owner FROM claims") == [(other.owner,)]
        # The other stops cleanly: its claim is taken up at the watcher's next rescan.
        other.stop()
        wait_until(lambda: "S01/in-flight.xlsx" in answered(ws), "the freed claim")
    finally:
        other.stop()
        output = stop_watcher(watcher)
    assert reported(output) == {"S01/new.xlsx": 1, "S01/in-flight.xlsx": 1}
    assert answered(ws) == {"S01/new.xlsx": 1, "S01/in-flight.xlsx": 1}
    assert list(ws.claimed.iterdir()) == []


def test_kill_9_of_a_watcher_mid_burst_another_takes_over_after_the_lease(
    loaded: Workspace, tmp_path: Path,
) -> None:
    ws = shared(loaded, lease=1.5)
    staged = stage(tmp_path, 60)
    victim = start_watcher(ws)
    survivor: subprocess.Popen[str] | None = None
    try:
        wait_until(lambda: watching(ws) == 1, "the victim to start")
        doomed = owner_of(ws, victim.pid)

        def held() -> set[str]:  # an empty folder: killed between the record and the rename
            return {claim_id for (claim_id,) in sql(
                ws, "SELECT claim_id FROM claims WHERE owner = :o", o=doomed)
                if files(ws.claimed / claim_id)}

        names = move_in(staged, ws)
        wait_until(lambda: len(held()) >= 2, "the victim to hold claims")
        victim.send_signal(signal.SIGKILL)
        victim_held, done_before = held(), len(answered(ws))
        # Not reaped until the end: its pid still exists, as a dead machine's watcher seems to,
        # so only its lease running out frees its claims for the watcher started now.
        survivor = start_watcher(ws)
        wait_until(lambda: all_answered(ws, names), lambda: f"answers, have {answered(ws)}",
                   timeout=60)
        time.sleep(1.0)  # two rescans: anything answered twice would show up now
    finally:
        outputs = [stop_watcher(p) for p in (victim, survivor) if p is not None]
    assert victim.returncode == -signal.SIGKILL
    assert victim_held and done_before < 60  # killed mid-burst, holding claims
    # What it held when it died was answered under the same claims, by the survivor.
    assert victim_held <= {c for (c,) in sql(ws, "SELECT claim_id FROM intake")}
    assert answered(ws) == Counter(names)  # nothing lost, nothing stored twice
    orders = sql(ws, "SELECT doc_key, count(*) FROM documents WHERE kind = 'order' "
                     "GROUP BY doc_key")
    assert sorted(orders) == [(f"SO-W{n:02}", 1) for n in range(60)]
    assert set(reported(*outputs).values()) == {1}  # each file reported once at most
    assert len(files(ws.outbox / "receipts" / "S01")) == 60
    assert list(ws.claimed.iterdir()) == []


def test_a_crashed_runs_claims_are_resumed_at_once_on_the_same_machine(
    loaded: Workspace,
) -> None:
    ws = shared(loaded, lease=600.0)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    now = datetime.now(UTC).replace(tzinfo=None)
    claim_id = _claim_held_elsewhere(ws, now, node=this_node(), pid=int(gone.stdout))

    [result] = process_inbox(ws)  # its lease has ten minutes to go, but its process is gone

    assert (result.file, result.status) == ("S02/far.xlsx", "accepted")
    assert sql(ws, "SELECT claim_id FROM intake WHERE file_name = 'S02/far.xlsx'") == [
        (claim_id,)]
    assert list(ws.claimed.iterdir()) == []
