"""The files an accepted document version gets (its kind's `writes`): an order's contract and
its invoice notice, each when [documents] in config.toml asks for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Documents
from ..forms.kinds import Kind, Output
from ..ledger import Books, Ledger
from ..workspace import Workspace
from .contract import (
    accepted_version,
    check_contract_template,
    contract_path,
    order_facts,
    write_contract,
)
from .invoice import invoice_path, write_invoice_notice
from .quote import quote_facts, quote_path, write_quote

# What a writer reads of the stored document it writes for: (workspace, books, document id).
FactsReader = Callable[[Workspace, Books, int], Any]


@dataclass(frozen=True)
class _Writer:
    folder: str  # the outbox folder; it names the writer of a path kept in an intake record
    switched_on: Callable[[Documents], bool]
    path: Callable[[Workspace, str, str, int], Path]
    write: Callable[[Workspace, Any], Path]  # with what `facts` read
    facts: FactsReader = order_facts


_WRITERS = {
    Output.CONTRACT: _Writer("contracts", lambda d: d.contracts, contract_path, write_contract),
    Output.INVOICE_NOTICE: _Writer("invoices", lambda d: d.invoices, invoice_path,
                                   write_invoice_notice),
    # The customer sees every approved quotation on paper: no switch.
    Output.QUOTE: _Writer("quotes", lambda d: True, quote_path, write_quote, quote_facts),
}
_BY_FOLDER = {writer.folder: writer for writer in _WRITERS.values()}


def accepted_files(
    workspace: Workspace, kind: Kind, customer_code: str, number: str, version: int
) -> list[Path]:
    """Where the files an accepted version of a `kind` document gets go, in the order its
    kind declares them, each only when switched on."""
    documents = workspace.settings.documents
    return [writer.path(workspace, customer_code, number, version)
            for writer in map(_WRITERS.__getitem__, kind.writes)
            if writer.switched_on(documents)]


def is_accepted_file(workspace: Workspace, path: Path) -> bool:
    """Whether `path` is one of the files of `accepted_files`."""
    return any(path.is_relative_to(workspace.outbox / folder) for folder in _BY_FOLDER)


def write_accepted_file(workspace: Workspace, facts: Callable[[FactsReader], Any],
                        target: Path) -> Path:
    """Write the one file of `accepted_files` that goes to `target`, with what `facts` gives
    for its writer's reader (the caller reads each once: a contract and an invoice notice show
    the same order). A path kept at acceptance (in the intake record) is enough to write it
    after the commit, or after a crash: its outbox folder names its writer."""
    writer = _BY_FOLDER[target.relative_to(workspace.outbox).parts[0]]
    return writer.write(workspace, facts(writer.facts))


def generate_order_files(workspace: Workspace, order_no: str) -> list[Path]:
    """(Re)write the contract of an order's current accepted version, whatever
    `documents.contracts` says (it is asked for), and its invoice notice when
    `documents.invoices` is on."""
    check_contract_template(workspace)
    with Ledger.of(workspace).connect() as books:
        facts = order_facts(workspace, books, accepted_version(books, order_no))
        written = [write_contract(workspace, facts)]
        if workspace.settings.documents.invoices:
            written.append(write_invoice_notice(workspace, facts))
    return written
