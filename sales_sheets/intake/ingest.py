"""From a file in the inbox to an outcome: claim, read, normalise, derive, validate, store, report.

Each file is stored in one transaction together with its intake record, so a crash at any point
either left nothing (the claim is redone) or left the record (the claim is only finished:
acknowledgement, annotated copy, archive). Nothing is stored twice: an identical file is a
duplicate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from ..documents.contract import check_contract_template
from ..documents.pdf import pdf_worker
from ..errors import StorageError
from ..files import write_text_atomic
from ..forms.form import Document
from ..forms.reader import ReadResult
from ..ledger import Books, Decision, Ledger, Notice, Provenance, hold_claims, locks_of
from ..notify.dispatch import utc_now
from ..paths import inside
from ..problems import Problem, Severity, problem, records_json
from ..rules import derive, validate
from ..status import CURRENT, Status
from ..text import Text
from ..workspace import Workspace
from .annotate import earlier_marks, plan_annotations, write_annotated_copy
from .answers import acknowledgement_text
from .check import read_document, status_of
from .faults import OutputFault, writing
from .inbox import Claim, archive, archive_path, candidates, claim_files, pending_claims
from .outcomes import documents_to_write, write_documents
from .telling import outcome_notices

log = logging.getLogger(__name__)

# A file is decided again after a unique-constraint conflict; each conflict means someone else
# committed, so a few attempts settle any realistic race.
_ATTEMPTS = 3
_REJECTED_SUFFIX = Text("问题标注", "problems")
_STORED = Text("{kind}，{count} 行", "{kind}, {count} lines")


@dataclass
class IngestResult:
    """What happened to one file; also what `process --json` prints for it."""

    file: str
    kind: str | None
    status: Status  # accepted, held, rejected, duplicate
    document: str
    problems: list[Problem]
    outputs: list[str] = field(default_factory=list)
    stored: str = ""
    seconds: float = 0.0  # reading and storing it, answers included (the watcher's log)

    def as_dict(self, language: str = "zh") -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "status": self.status,
            "document": self.document,
            "problems": [p.as_dict(language) for p in self.problems],
            "outputs": self.outputs,
        }


@dataclass
class _Prepared:
    claim: Claim
    sha256: str
    size: int
    read: ReadResult | None = None
    document: Document | None = None
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0  # reading it

    @property
    def priority(self) -> int:
        return self.document.kind.priority if self.document else 0


def check_templates(workspace: Workspace) -> None:
    """Raise TemplateError, before any file is touched, when a template intake renders is
    broken (none, when contracts are off: the `contract` command checks its own)."""
    if workspace.settings.documents.contracts:
        check_contract_template(workspace)


def process_inbox(
    workspace: Workspace, on_result: Callable[[IngestResult], None] | None = None, *,
    around_file: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> list[IngestResult]:
    """Finish interrupted work (except a live watcher's), then process everything now in the
    inbox; `around_file` as for `process_claims`."""
    check_templates(workspace)
    # The PDFs are made beside the intake and waited for at the end.
    with pdf_worker(workspace), hold_claims(workspace, "process") as holder:
        claims = pending_claims(workspace, holder)
        claims += claim_files(workspace, candidates(workspace), holder)
        return process_claims(workspace, claims, holder.counting(on_result),
                              around_file=around_file)


def process_claims(
    workspace: Workspace, claims: list[Claim],
    on_result: Callable[[IngestResult], None] | None = None,
    stop: threading.Event | None = None,
    *, around_file: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> list[IngestResult]:
    """Process files already taken out of the inbox (the watcher's and the CLI's entry). Once
    `stop` is set no further file is started: those left stay claimed, for the next run.
    `around_file` wraps the storing of each file: a program that owns its process (the watcher,
    the CLI) pauses the garbage collector there (collector.py); by default nothing process-wide
    changes, so another program can call this."""
    ledger = Ledger.of(workspace)
    check_templates(workspace)
    stopping = stop or threading.Event()
    prepared: list[_Prepared] = []
    for c in claims:
        if stopping.is_set():
            return []
        began = time.perf_counter()
        with around_file():  # reading builds the file's grid and lines
            item = _prepare(workspace, c)
        if item is not None:
            item.seconds = time.perf_counter() - began
            prepared.append(item)
    # Master data first, so orders in the same batch can refer to the customers it creates.
    prepared.sort(key=lambda p: p.priority)
    results: list[IngestResult] = []
    for item in prepared:
        if stopping.is_set():
            break
        began = time.perf_counter()
        with around_file():  # the file's grid, lines and problems stay alive till answered
            result = _commit_safely(workspace, ledger, item)
        if result is None:
            continue
        result.seconds = item.seconds + time.perf_counter() - began
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _commit_safely(workspace: Workspace, ledger: Ledger, item: _Prepared) -> IngestResult | None:
    try:
        return _commit(workspace, ledger, item)
    except OutputFault as fault:
        _unfinished(workspace, item, fault)
        return None
    except (OperationalError, StorageError) as exc:
        # The ledger is unavailable (locked, down): leave the claim to be retried.
        log.error("ledger unavailable for %s, will retry: %s", item.claim.relative, exc)
        return None
    except Exception as exc:  # one file's bug must not stop the batch
        log.exception("storing %s failed; it is rejected and archived", item.claim.relative)
        item.document = None
        item.problems = [problem("internal_error", detail=type(exc).__name__)]
    try:
        return _commit(workspace, ledger, item)
    except OutputFault as fault:
        _unfinished(workspace, item, fault)
        return None
    except Exception:  # one file's bug must not stop the batch; it stays claimed, for a retry
        log.exception("recording %s failed; it stays claimed", item.claim.relative)
        return None


def _unfinished(workspace: Workspace, item: _Prepared, fault: OutputFault) -> None:
    """Decided and recorded, but its answer cannot be written: it is not answered yet (so it is
    answered once), and stays claimed for its holder to finish at a later rescan."""
    log.error("%s; %s stays claimed (decided, not yet answered) and is finished once that is "
              "fixed", fault.describe(workspace.root), item.claim.relative)


def _prepare(workspace: Workspace, claim: Claim) -> _Prepared | None:
    """Hash and read a claimed file; None when it is gone (its owner, another process
    resuming the same claim, finished it first)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with claim.path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return None
    reading = read_document(claim.path, workspace.settings.limits)
    return _Prepared(claim, digest.hexdigest(), size, reading.read, reading.document,
                     reading.problems)


def _commit(workspace: Workspace, ledger: Ledger, item: _Prepared) -> IngestResult:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            result, record, decision = _store(ledger, workspace, item)
            break
        except IntegrityError:
            # Another watcher or office stored the same content, version or reference (or
            # this claim) between our reads and our insert: decide afresh, seeing what it
            # stored (a duplicate, a later version, a duplicate reference).
            if attempt == _ATTEMPTS:
                raise
            log.info("%s: stored elsewhere meanwhile, deciding again", item.claim.relative)
    return _finish(workspace, item, result, record, decision)


def _store(
    ledger: Ledger, workspace: Workspace, item: _Prepared
) -> tuple[IngestResult, dict[str, Any], Decision | None]:
    """Decide and record the claim in one transaction, or read back its earlier outcome; with
    the decision an approval form made now (None when only read back)."""
    now = workspace.services.clock().replace(microsecond=0)
    with ledger.transaction() as books:
        stored = books.intake_record(item.claim.id)
        if stored is not None:
            return _result_from_record(stored), dict(stored), None  # only finish it
        result, record, decision, told = _decide(workspace, books, item, now)
        books.record_intake(record)
        books.enqueue(told, utc_now())
    return result, record, decision


def _decide(
    workspace: Workspace, books: Books, item: _Prepared, now: datetime
) -> tuple[IngestResult, dict[str, Any], Decision | None, list[Notice]]:
    """Derive, validate and store (or not) one file, inside the caller's transaction; with the
    messages its outcome brings."""
    claim = item.claim
    doc = item.document
    if doc is not None:
        books.serialise(locks_of(doc))  # before anything that other documents decide
    duplicate = books.find_duplicate(item.sha256)
    problems = item.problems
    status = Status.DUPLICATE if duplicate else Status.REJECTED
    document_id: int | None = duplicate["id"] if duplicate else None
    planned: list[Path] = []
    decision = None
    stamp = _stamp(claim, now)
    if doc is not None and duplicate is None:
        try:
            ctx = books.context(claim.folder, workspace.settings.access, doc,
                                workspace.settings.approvals, workspace.settings.expenses,
                                workspace.settings.complaints, workspace.settings.quotes)
            doc = derive(doc, ctx)
            problems = validate(doc, ctx, problems)
        except Exception as exc:  # a bug must not stop the watcher
            log.exception("validating %s failed", claim.relative)
            problems = [problem("internal_error", detail=type(exc).__name__)]
        status = status_of(problems)
        if status != Status.REJECTED:
            if doc.kind.decides:
                doc = books.settle(doc, now)
            holds = [p.code for p in problems if p.severity is Severity.HOLD]
            source = Provenance(claim.id, claim.relative, claim.folder, item.sha256)
            document_id, version = books.store_document(doc, status, holds, source, now)
            if doc.kind.decides and status == Status.ACCEPTED:
                decision = books.decide_by_form(doc, now)
            planned = documents_to_write(workspace, books, doc, status, document_id, version,
                                         stamp, decision)
    result = IngestResult(
        file=claim.relative,
        kind=doc.kind.name if doc else (duplicate["kind"] if duplicate else None),
        status=status,
        document=_describe(doc, duplicate),
        problems=problems,
        stored=_stored(doc, workspace.language) if status in CURRENT else "",
    )
    result.outputs = _output_paths(workspace, claim, result, stamp, planned)
    target = archive_path(workspace, claim, now)
    record = {
        "claim_id": claim.id, "file_name": claim.relative, "folder": claim.folder,
        "sha256": item.sha256, "size": item.size, "kind": result.kind, "status": status,
        "document": result.document, "document_id": document_id, "stored": result.stored,
        "problems": records_json(problems),
        "outputs": json.dumps(result.outputs, ensure_ascii=False),
        "archived_as": str(target.relative_to(workspace.root)), "processed_at": now,
    }
    decided_for = (books.salesperson_of(decision.kind, decision.target_id)
                   if decision is not None else "")
    told = outcome_notices(workspace, claim.folder, claim.relative, status, result.outputs,
                           problems, doc, decision, decided_for)
    return result, record, decision, told


def _describe(doc: Document | None, duplicate: Any) -> str:
    if doc is None:
        return str(duplicate["doc_key"]) if duplicate is not None else ""
    return doc.kind.describe(doc.header)


def _stored(doc: Document | None, language: str) -> str:
    if doc is None:
        return ""
    text = (_STORED.format(language, kind=doc.kind.title(language), count=len(doc.lines))
            if doc.kind.has_lines else doc.kind.title(language))  # a registration: no lines
    total = doc.final_header().get("total")
    return f"{text}, ¥{total:,}" if total is not None else text


def _stamp(claim: Claim, now: datetime) -> str:
    # The claim id keeps two files of one name in one second apart.
    return f"{now:%Y%m%d-%H%M%S}_{claim.id[:8]}"


def _output_paths(workspace: Workspace, claim: Claim, result: IngestResult, stamp: str,
                  planned: list[Path]) -> list[str]:
    """The acknowledgement first; then the annotated copy of a rejected file, or the documents a
    stored one brings (see outcomes.documents_to_write)."""
    stem = Path(claim.name).stem
    folder = claim.folder or "_inbox"
    acknowledgement = inside(workspace.outbox, "receipts", folder,
                             f"{stamp}_{stem}.{result.status}.txt")
    paths = [acknowledgement]
    if result.status == Status.REJECTED:
        suffix = _REJECTED_SUFFIX(workspace.language)
        paths.append(inside(workspace.outbox, "rejected", folder, f"{stamp}_{stem}_{suffix}.xlsx"))
    paths += planned
    return [p.relative_to(workspace.root).as_posix() for p in paths]


def _result_from_record(record: Any) -> IngestResult:
    return IngestResult(
        file=record["file_name"], kind=record["kind"], status=Status(record["status"]),
        document=record["document"] or "",
        problems=[Problem.from_record(r) for r in json.loads(record["problems"])],
        outputs=json.loads(record["outputs"]), stored=record["stored"] or "",
    )


def _finish(
    workspace: Workspace, item: _Prepared, result: IngestResult, record: Any,
    decision: Decision | None,
) -> IngestResult:
    """Everything after the commit; safe to repeat after a crash. The acknowledgement is the
    first output; then the annotated copy of a rejected file, or the documents a stored one
    brings.
    Raises OutputFault when the outbox or the archive cannot take them (see faults.py)."""
    language = workspace.language
    root = workspace.root
    acknowledgement, *others = result.outputs
    if result.status == Status.REJECTED:
        _write_annotated(item, result, root / others[0], language)
    elif others or result.status in (Status.ACCEPTED, Status.HELD):
        # (with no documents to write, a new version may still file away stale requests)
        others = write_documents(workspace, record["document_id"], result.kind, others,
                                 item.claim.relative, decision)
        result.outputs = [acknowledgement, *others]
    try:
        with writing(root / acknowledgement):
            write_text_atomic(root / acknowledgement, acknowledgement_text(
                file=result.file, processed=str(record["processed_at"]), kind=result.kind,
                status=result.status, document=result.document, stored=result.stored,
                outputs=others, problems=result.problems, language=language))
        with writing(root / record["archived_as"]):
            archive(workspace, item.claim, root / record["archived_as"])
    except OutputFault:
        raise
    except OSError:
        # Stored already; the claim stays and the next run finishes it.
        log.exception("finishing %s failed", item.claim.relative)
    return result


def _write_annotated(item: _Prepared, result: IngestResult, dest: Path, language: str) -> None:
    read = item.read
    fmt, grid = (read.format, read.workbook) if read else (None, None)
    plan = plan_annotations(result.problems, language, earlier_marks(grid))
    try:
        with writing(dest):
            write_annotated_copy(item.claim.path, fmt, grid, plan, dest)
        return
    except OutputFault:
        raise
    except Exception:  # openpyxl may refuse what calamine read: keep the list
        log.warning("annotating %s in place failed; writing the problem list alone",
                    item.claim.relative, exc_info=True)
    try:
        with writing(dest):
            write_annotated_copy(item.claim.path, None, None, plan, dest)
    except OutputFault:
        raise
    except Exception:  # the acknowledgement still tells the person what is wrong
        log.exception("writing the problem list of %s failed", item.claim.relative)
