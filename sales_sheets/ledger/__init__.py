"""The ledger: the SQLAlchemy schema derived from the kinds, opening a database, storing a
document with its intake record in one transaction, and the queries the rules, documents and
reports read (balances, statements, master lists, the status overview).

Other packages import only this package, never its modules (import-linter's "ledger modules"
contract): they get a `Ledger` (`Ledger.of(workspace)`) and do their work through its unit of
work, `Books` (books.py), and use the names below.

May import: forms, rules (what the rules may ask, answered in context.py), kinds (its tables
come from them) and the foundation modules.
"""

from .approvals import Decision, DecisionConflict
from .backup import backup_ledger
from .books import Books, Ledger, ledger_at
from .complaints import ComplaintRecord
from .expenses import ClaimLine
from .figures import TARGET_FIELDS, CustomerSales, OrderVersion, RegionSales, VisitCounts
from .invoices import InvoiceRecord
from .leases import Holder, Watching, hold_claims
from .locks import customer_lock, locks_of
from .migrate import Upgrade, ledger_revisions, upgrade_ledger
from .migrations import Revisions, Standing
from .notifications import DeadMessage, Notice, Outgoing, Queue
from .overview import LedgerStatus, ledger_status
from .pending import PendingApproval
from .quotes import QuoteRecord
from .replies import StatementStanding, reply_rate
from .scheduled_runs import RunRecord
from .statement import Movement, Statement
from .store import Provenance
from .tracking import TrackedOrder

__all__ = [
    "TARGET_FIELDS", "Books", "ClaimLine", "CustomerSales", "Decision", "DecisionConflict",
    "Holder",
    "Ledger", "LedgerStatus", "Movement", "OrderVersion", "PendingApproval", "Provenance",
    "RegionSales", "Revisions", "Standing", "Statement", "Upgrade", "VisitCounts", "Watching",
    "backup_ledger", "hold_claims", "ledger_at", "ledger_revisions", "ledger_status", "locks_of",
    "upgrade_ledger", "DeadMessage", "Notice", "Outgoing", "Queue", "RunRecord", "InvoiceRecord",
    "StatementStanding", "customer_lock", "reply_rate", "TrackedOrder", "ComplaintRecord",
    "QuoteRecord",
]
