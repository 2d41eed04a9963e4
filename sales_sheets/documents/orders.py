"""The files an accepted order version gets: its contract and its invoice notice, each when
[documents] in config.toml asks for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..ledger.database import open_ledger
from ..workspace import Workspace
from .contract import (
    OrderFacts,
    accepted_version,
    check_contract_template,
    contract_path,
    order_facts,
    write_contract,
)
from .invoice import invoice_path, write_invoice_notice

# Each file's outbox folder names its writer, so a path listed at acceptance (and kept in the
# intake record) is enough to write it after the commit, or after a crash.
_WRITERS: dict[str, Callable[[Workspace, OrderFacts], Path]] = {
    "contracts": write_contract,
    "invoices": write_invoice_notice,
}


def order_files(
    workspace: Workspace, customer_code: str, order_no: str, version: int
) -> list[Path]:
    """Where the files of an accepted order version go: the contract, then the invoice
    notice, each only when switched on."""
    documents = workspace.settings.documents
    files = []
    if documents.contracts:
        files.append(contract_path(workspace, customer_code, order_no, version))
    if documents.invoices:
        files.append(invoice_path(workspace, customer_code, order_no, version))
    return files


def write_order_file(workspace: Workspace, facts: OrderFacts, target: Path) -> Path:
    """Write the one file of `order_files` that goes to `target`."""
    folder = target.relative_to(workspace.outbox).parts[0]
    return _WRITERS[folder](workspace, facts)


def generate_order_files(workspace: Workspace, order_no: str) -> list[Path]:
    """(Re)write the contract of an order's current accepted version, whatever
    `documents.contracts` says (it is asked for), and its invoice notice when
    `documents.invoices` is on."""
    check_contract_template(workspace)
    with open_ledger(workspace.database_url).connect() as conn:
        facts = order_facts(workspace, conn, accepted_version(conn, order_no))
        written = [write_contract(workspace, facts)]
        if workspace.settings.documents.invoices:
            written.append(write_invoice_notice(workspace, facts))
    return written
