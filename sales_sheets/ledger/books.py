"""The ledger behind one door: `Ledger`, a workspace's ledger, and `Books`, one unit of work on
it. Every package outside `ledger/` reaches the tables only through them (import-linter's
"ledger modules" contract in pyproject.toml): it asks the `Ledger` for a unit of work and calls
its methods, and never holds a connection.

A `Books` is the ledger's books opened for one piece of work, on one connection and in one
transaction: whatever it stores and decides commits together or not at all. Its methods are
the ledger's module functions (queries.py, store.py, approvals.py, figures.py, ...) bound to
that connection; they write no SQL of their own. The name is not SQLAlchemy's `Session`: there
is no identity map or flush here, only the connection and its transaction.

Claims and heartbeats (leases.py) keep their own short transactions on the engine, apart from
any unit of work: a `Holder` is got with `hold_claims(workspace, command)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, RowMapping

from ..config import Access, Approvals, Basis, Complaints, Expenses, Quotes, Settings
from ..forms.form import Document
from ..forms.kinds import Kind, Offer, Ref
from ..forms.periods import Period
from ..rules.balance import Position
from ..rules.context import Row
from ..rules.facts import DeliveredLine, DeliveredValue, HoldFacts
from ..status import Status
from ..workspace import Workspace
from . import approvals as _approvals
from . import complaints as _complaints
from . import (
    deliveries,
    detail_lines,
    expenses,
    figures,
    leases,
    locks,
    notifications,
    pending,
    queries,
    store,
)
from . import hold_facts as _hold_facts
from . import invoices as _invoices
from . import quotes as _quotes
from . import replies as _replies
from . import scheduled_runs as _runs
from . import tracking as _tracking
from .approvals import Decision
from .complaints import ComplaintRecord
from .context import LedgerContext, context_for
from .database import engine_of, ledger_of, reading
from .expenses import ClaimLine
from .figures import CustomerSales, OrderVersion, RegionSales, VisitCounts
from .invoices import InvoiceRecord
from .leases import Watching
from .notifications import Notice, Outgoing, Queue
from .pending import PendingApproval
from .quotes import QuoteRecord
from .replies import StatementStanding
from .scheduled_runs import RunRecord
from .statement import Statement, customer_statement
from .store import Provenance
from .tracking import TrackedOrder

T = TypeVar("T")


class Ledger:
    """A workspace's ledger: the engine its services hold, and the units of work on it.

    Get one with `Ledger.of(workspace)` (a program that opened an engine itself may wrap it,
    `Ledger(engine)`); it is as cheap to make as it is to hand down.
    """

    def __init__(self, engine: Engine, basis: str = Basis.ORDER) -> None:
        self._engine = engine
        self._basis = basis

    @classmethod
    def of(cls, workspace: Workspace) -> Ledger:
        """The ledger of `workspace`'s services (opened there on first use, see `ledger_of`).

        Raises:
            StorageError: the ledger cannot be opened, or is of another schema revision.
        """
        return cls(ledger_of(workspace), workspace.settings.receivables.basis)

    @contextmanager
    def transaction(self) -> Iterator[Books]:
        """One write transaction, committed at the end of the block and rolled back if it
        raises. On SQLite it begins with BEGIN IMMEDIATE: it takes the write lock at once, so
        a second writer waits instead of failing half-way, and what it reads stays true until
        it commits."""
        with self._engine.begin() as conn:
            yield Books(conn, self._basis)

    @contextmanager
    def reading(self) -> Iterator[Books]:
        """A unit of work that only reads, from one snapshot that takes no lock (see
        `database.reading`): a report's figures and its order lines agree, and no writer waits
        for it. Nothing written in it stays: PostgreSQL refuses the write (a READ ONLY
        transaction), and on SQLite, whose plain BEGIN lets it write, the block ends in a
        rollback."""
        with reading(self._engine) as conn:
            yield Books(conn, self._basis)

    @contextmanager
    def connect(self) -> Iterator[Books]:
        """A unit of work for reading what is committed now, as `Engine.connect` gives: its
        transaction begins at its first statement (on SQLite with BEGIN IMMEDIATE, like every
        transaction but a `reading` one) and is rolled back at the end of the block."""
        with self._engine.connect() as conn:
            yield Books(conn, self._basis)


@contextmanager
def ledger_at(ledger: Ledger | str) -> Iterator[Ledger]:
    """`ledger` itself; for a URL (a helper process is handed one: an engine does not cross
    to another process) a new ledger on it, whose engine is disposed of at the end of the block.

    Raises:
        StorageError: as `Ledger.of`.
    """
    if isinstance(ledger, Ledger):
        yield ledger
        return
    with engine_of(ledger) as engine:
        yield Ledger(engine)


class Books:
    """One unit of work on the ledger: its connection and transaction (see `Ledger`), and
    every question and change other packages put to the ledger, each a method.

    Ledger-internal code and the tests may build one on a connection of their own.
    """

    def __init__(self, conn: Connection, basis: str = Basis.ORDER) -> None:
        self._conn = conn
        self._basis = basis  # [receivables] basis: what customers are charged, and from when

    # -- documents ------------------------------------------------------------------------------

    def current_document(self, kind: str, key: str) -> RowMapping | None:
        """The current (accepted or held) `documents` row of the `kind` document `key`."""
        return queries.current_document(self._conn, kind, key)

    def stored_document(self, document_id: int) -> RowMapping:
        """The `documents` row of a stored document."""
        return queries.stored_document(self._conn, document_id)

    def latest_document(self, number: str) -> RowMapping | None:
        """The newest stored version of the approvable document numbered `number`, whatever
        its status."""
        return _approvals.latest_document(self._conn, number)

    def order_version(
        self, document_id: int
    ) -> tuple[RowMapping | None, Sequence[RowMapping]]:
        """One stored order version: its orders row with `version` and `status` (None when no
        order is stored under `document_id`) and its lines in order."""
        return queries.order_version(self._conn, document_id)

    @staticmethod
    def hold_reasons(document: Row) -> tuple[str, ...]:
        """The codes of the problems the stored `document` (a `documents` row) was held for;
        read from the row, not the ledger."""
        return queries.hold_reasons(document["hold_reasons"])

    # -- master data ----------------------------------------------------------------------------

    def master_record(self, ref: Ref, code: str) -> RowMapping | None:
        """The master record of `code`, or None."""
        return queries.master_record(self._conn, ref, code)

    def master_records(self, ref: Ref, code: str | None = None) -> Sequence[RowMapping]:
        """Every record of `ref` by code (only `code`'s, when given)."""
        return queries.master_records(self._conn, ref, code)

    def master_lists(self) -> dict[Ref, list[tuple[str, str]]]:
        """Every code with its name, for drop-down lists."""
        return queries.master_lists(self._conn)

    def drop_down_lists(self, kind: Kind, settings: Settings
                        ) -> dict[Ref | Offer, list[tuple[str, str]]]:
        """Every list `kind`'s drop-downs pick from, as (code, name), by where it comes from (a
        field's `list_source`): the master data by `Ref`, and what its fields offer by `Offer`,
        each made only when one of its fields offers it: from the documents (a delivery's open
        orders and their products), from the master data in another shape (the budget owners:
        salespeople, then regions) and from `settings` (the [expenses] categories)."""
        lists: dict[Ref | Offer, list[tuple[str, str]]] = {
            ref: values for ref, values in self.master_lists().items()}
        offered = {f.offers for f in kind.fields if f.offers is not None}
        if offered & {Offer.OPEN_ORDERS, Offer.OPEN_ORDER_PRODUCTS}:
            lists.update(deliveries.open_order_lists(self._conn))
        if Offer.BUDGET_OWNERS in offered:
            lists[Offer.BUDGET_OWNERS] = queries.budget_owners(self._conn)
        if Offer.EXPENSE_CATEGORIES in offered:
            lists[Offer.EXPENSE_CATEGORIES] = [(c, c) for c in settings.expenses.categories]
        return lists

    def person(self, who: str) -> RowMapping | None:
        """The roster's record of `who`, a code or a name."""
        return queries.person(self._conn, who)

    def salesperson_of(self, kind: str, document_id: int) -> str:
        """The salesperson a stored document names ("" when its kind names none)."""
        return queries.salesperson_of(self._conn, kind, document_id)

    def party_of(self, kind: str, document_id: int) -> str:
        """Whom a stored document is for: its customer code, else its prospect's name."""
        return queries.party_of(self._conn, kind, document_id)

    def visit_records_filed(self, week_start: date) -> set[str]:
        """The salespeople with a current visit record for the week starting `week_start`."""
        return queries.visit_records_filed(self._conn, week_start)

    # -- storing a file -------------------------------------------------------------------------

    def serialise(self, keys: Iterable[str]) -> None:
        """Wait until no other transaction holds any of `keys` (see locks.py: `locks_of` for
        storing a document, `decision_locks` for deciding one); held until this one ends."""
        locks.serialise(self._conn, keys)

    def decision_locks(self, kind: Kind, number: str) -> set[str]:
        """What deciding the `kind` document `number` must not do beside another transaction."""
        return locks.decision_locks(self._conn, kind, number)

    def context(
        self, folder: str, access: Access | None, document: Document,
        approvals: Approvals | None = None, expenses: Expenses | None = None,
        complaints: Complaints | None = None, quotes: Quotes | None = None,
    ) -> LedgerContext:
        """The ledger's answers to the rules about `document`, submitted from the inbox folder
        `folder` (a `rules.Context`); the master records it names are fetched once, now."""
        return context_for(self._conn, folder, access, document, approvals, expenses,
                           self._basis, complaints, quotes)

    def find_duplicate(self, sha256: str) -> RowMapping | None:
        """A stored document with exactly this content, if any."""
        return store.find_duplicate(self._conn, sha256)

    def intake_record(self, claim_id: str) -> RowMapping | None:
        """The intake record of a claim, when it was decided already."""
        return store.intake_record(self._conn, claim_id)

    def record_intake(self, row: dict[str, Any]) -> None:
        """Record what became of a claimed file (an `intake` row)."""
        store.record_intake(self._conn, row)

    def store_document(
        self, doc: Document, status: Status, hold_reasons: list[str],
        source: Provenance, now: datetime,
    ) -> tuple[int, int]:
        """Store a derived and validated document; a new version supersedes the current one of
        its key. Returns its id and version."""
        return store.store_document(self._conn, doc, status, hold_reasons, source, now)

    # -- deliveries (deliveries.py) ----------------------------------------------------------

    def delivered_lines(self, order_nos: Iterable[str] | None = None,
                        as_of: date | None = None) -> Iterator[DeliveredLine]:
        """Every line of the current version of each order (of `order_nos`, or all), with the
        quantity the order's current deliveries (dated up to `as_of`, when given) delivered of
        it and that quantity's value at the line's unit price; by order number and line."""
        return deliveries.delivered_lines(self._conn, order_nos, as_of)

    def delivered_values(self, customer: str | None = None,
                         as_of: date | None = None) -> Iterator[DeliveredValue]:
        """Every current delivery (of `customer`, dated up to `as_of`, when given) with its
        date and the value of what it shipped at its order's unit prices."""
        return deliveries.delivered_values(self._conn, customer, as_of)

    def delivered_value_by_order(self, as_of: date | None = None) -> dict[str, Decimal]:
        """order number -> the value of its current deliveries dated up to `as_of`."""
        return deliveries.delivered_value_by_order(self._conn, as_of)

    # -- approvals ------------------------------------------------------------------------------

    def settle(self, doc: Document, now: datetime) -> Document:
        """An approval form with its number (the next of its day when blank) and its date."""
        return _approvals.settle(self._conn, doc, now)

    def decide(
        self, document_id: int, approve: bool, approval: str, now: datetime
    ) -> RowMapping:
        """Accept or decline the held document `document_id` with `approval`; what the notice
        to its submitter names.

        Raises:
            DecisionConflict: the document is not held (any more).
        """
        return _approvals.decide(self._conn, document_id, approve, approval, now)

    def decide_by_form(self, doc: Document, now: datetime) -> Decision | None:
        """Record the decision of the stored, settled approval form `doc`; None for a standing
        approval, which decides no document."""
        return _approvals.decide_by_form(self._conn, doc, now)

    def decision_of(self, approval_document_id: int) -> Decision | None:
        """The decision the stored approval form `approval_document_id` made, if any."""
        return _approvals.decision_of(self._conn, approval_document_id)

    def pending_approvals(self, as_of: datetime) -> list[PendingApproval]:
        """The documents held now that were stored on `as_of`'s day or before, oldest first."""
        return pending.pending_approvals(self._conn, as_of)

    def hold_facts(self, document: Row, language: str) -> HoldFacts:
        """What an approver weighs about the stored, held `document`, named in `language`."""
        return _hold_facts.hold_facts(self._conn, document, language, self._basis)

    # -- invoices registered against orders (invoices.py) ---------------------------------------

    def invoiced_by_order(
        self, order_nos: Iterable[str] | None = None, as_of: date | None = None
    ) -> dict[str, Decimal]:
        """order number -> the sum of its current invoices (dated up to `as_of`, when given),
        for `order_nos` or else every invoiced order; an order without invoices is absent."""
        return _invoices.invoiced_by_order(self._conn, order_nos, as_of)

    def customer_invoices(
        self, customer_code: str, as_of: date | None = None
    ) -> list[InvoiceRecord]:
        """The customer's current invoices (dated up to `as_of`, when given), by date and
        number: what the receivables basis "invoice" counts from."""
        return _invoices.customer_invoices(self._conn, customer_code, as_of)

    # -- statements, watchers -------------------------------------------------------------------

    def customer_statement(self, customer: RowMapping, period: Period) -> Statement:
        """The statement of `customer` (its master record) for `period`."""
        return customer_statement(self._conn, customer, period, self._basis)

    def issue_statement(self, customer_code: str, period: str, closing: Decimal,
                        now: datetime) -> str:
        """The number of the customer's 对账函 for `period` (a label) with `closing` as its
        balance: the one issued before with that balance, or a new one that supersedes an
        earlier number issued with another balance (replies.py)."""
        return _replies.issue_statement(self._conn, customer_code, period, closing, now)

    def issued_statement(self, number: str) -> RowMapping | None:
        """The 对账函 issued as `number` (`statements_issued` row), superseded or not."""
        return _replies.issued_statement(self._conn, number)

    def statement_standings(self, as_of: date, reply_by_day: int,
                            latest_only: bool = True) -> list[StatementStanding]:
        """Each current 对账函 of a period ended by `as_of` (with `latest_only` each
        customer's latest) and where its reply stands on `as_of`: sent, agreed, disputed or
        overdue after the `reply_by_day` of the month after its period."""
        return _replies.statement_standings(self._conn, as_of, reply_by_day, latest_only)

    def complaints(self, received_by: date, open_from: date | None = None
                   ) -> list[ComplaintRecord]:
        """The current version of each complaint received by `received_by` (with
        `open_from`: received from that day on, or not resolved before it), by number."""
        return _complaints.current_complaints(self._conn, received_by, open_from)

    def quote_version(self, document_id: int
                      ) -> tuple[RowMapping | None, Sequence[RowMapping]]:
        """One stored quotation version (with `version`, `status`, `approval`) and its
        lines; None and no lines when there is none."""
        return _quotes.quote_version(self._conn, document_id)

    def quotes_dated(self, first: date, last: date) -> list[QuoteRecord]:
        """The quotations dated from `first` to `last` as their newest versions stand, with
        the accepted orders naming each."""
        return _quotes.quotes_dated(self._conn, first, last)

    def watching(self, inbox: str, lease: timedelta) -> Watching:
        """The holders of claims live now and the last heartbeat of any holder of `inbox`."""
        return leases.watching(self._conn, inbox, lease)

    # -- the outbox of messages (notifications.py) --------------------------------------------

    def enqueue(self, notices: Iterable[Notice], now: datetime) -> int:
        """Store messages in this unit of work; a key stored before is left. How many were new."""
        return notifications.enqueue(self._conn, notices, now)

    def attachments_moved(self, moved: Mapping[str, str]) -> int:
        """Messages not sent yet attach each moved file (old -> new relative path) where it is
        now; how many changed."""
        return notifications.attachments_moved(self._conn, moved)

    def lease_due(self, now: datetime, lease: timedelta, limit: int) -> list[Outgoing]:
        """Lease up to `limit` messages due at `now` (naive UTC) until `now + lease`."""
        return notifications.lease_due(self._conn, now, lease, limit)

    def mark_sent(self, message_id: int, now: datetime) -> None:
        notifications.mark_sent(self._conn, message_id, now)

    def mark_failed(self, message: Outgoing, error: str, now: datetime, max_attempts: int,
                    first_wait: timedelta) -> bool:
        """Record a failed attempt: a retry with backoff, or dead. Whether it is dead."""
        return notifications.mark_failed(self._conn, message, error, now, max_attempts,
                                          first_wait)

    def release_message(self, message_id: int) -> None:
        """Give a leased message back unsent."""
        notifications.release(self._conn, message_id)

    def next_message_due(self) -> datetime | None:
        """When the next pending message falls due (naive UTC)."""
        return notifications.next_due(self._conn)

    def message_queue(self, day_start: datetime) -> Queue:
        """Pending and dead messages, and those sent since `day_start` (naive UTC)."""
        return notifications.queue(self._conn, day_start)

    # -- the calendar's runs (scheduled_runs.py) ----------------------------------------------

    def take_run(self, job: str, period: str, due: datetime, now: datetime,
                 lease: timedelta) -> bool:
        """Take the run of `job` for `period`: whether it is this caller's to do now."""
        return _runs.take_run(self._conn, job, period, due, now, lease)

    def finish_run(self, job: str, period: str, now: datetime, outcome: str) -> None:
        _runs.finish_run(self._conn, job, period, now, outcome)

    def fail_run(self, job: str, period: str, outcome: str) -> None:
        _runs.fail_run(self._conn, job, period, outcome)

    def latest_runs(self) -> dict[str, RunRecord]:
        """Each job's run with the latest due time."""
        return _runs.latest_runs(self._conn)

    # -- a summary workbook's figures (figures.py, detail_lines.py) -----------------------------

    def order_totals_by_salesperson(
        self, period: Period, status: Status = Status.ACCEPTED
    ) -> dict[str, Decimal]:
        """salesperson -> the total of their orders of `status` in `period`."""
        return figures.order_totals_by_salesperson(self._conn, period, status)

    def plan_targets(self) -> dict[str, dict[str, dict[str, Any]]]:
        """salesperson -> plan period -> TARGET_FIELDS -> the sum over the accepted plan."""
        return figures.plan_targets(self._conn)

    def receipts_by_salesperson(self, period: Period) -> dict[str, Decimal]:
        """salesperson -> the receipts of `period` credited to them."""
        return figures.receipts_by_salesperson(self._conn, period)

    def new_customers_by_salesperson(self, period: Period) -> dict[str, int]:
        """salesperson -> customers created in `period` with an accepted order in it."""
        return figures.new_customers_by_salesperson(self._conn, period)

    def visits_by_salesperson(self, period: Period) -> dict[str, VisitCounts]:
        """salesperson -> their visits in `period`."""
        return figures.visits_by_salesperson(self._conn, period)

    def visits_by_week(self, period: Period) -> list[tuple[str, date, VisitCounts]]:
        """(salesperson, week start, visits) of `period`, by salesperson and week."""
        return figures.visits_by_week(self._conn, period)

    def sales_by_region(self, period: Period) -> list[RegionSales]:
        """The accepted orders of `period` by their customer's region, the largest first."""
        return figures.sales_by_region(self._conn, period)

    def sales_by_product(self, period: Period) -> list[tuple[str, Decimal, Decimal]]:
        """(product code, quantity, amount) of `period`'s accepted order lines, largest first."""
        return figures.sales_by_product(self._conn, period)

    def sales_by_customer(self, period: Period) -> list[CustomerSales]:
        """The accepted orders of `period` by customer, the largest amount first."""
        return figures.sales_by_customer(self._conn, period)

    def orders_by_day(self, period: Period) -> dict[date, Decimal]:
        """order date -> the total of that day's accepted orders, in `period`."""
        return figures.orders_by_day(self._conn, period)

    def receipts_by_day(self, period: Period) -> dict[date, Decimal]:
        """receipt date -> that day's receipts, in `period`."""
        return figures.receipts_by_day(self._conn, period)

    def customer_positions(self, as_of: date) -> Iterator[tuple[RowMapping, Position]]:
        """Every customer with a debit or a credit by `as_of`, by code, with their position."""
        return figures.customer_positions(self._conn, as_of, self._basis)

    def receipts_by_order(self, as_of: date) -> dict[str, Decimal]:
        """order number -> the receipts naming it, up to `as_of`."""
        return figures.receipts_by_order(self._conn, as_of)

    def accepted_orders(self, as_of: date) -> Iterator[TrackedOrder]:
        """The current version of every accepted order dated up to `as_of`, by salesperson
        and order number, streamed (the orders the 销售跟单 sheet follows)."""
        return _tracking.accepted_orders(self._conn, as_of)

    def returned_by_order(self, as_of: date) -> dict[str, Decimal]:
        """order number -> the value of its accepted returns dated up to `as_of`."""
        return _tracking.returned_by_order(self._conn, as_of)

    def order_versions(self, period: Period) -> Iterator[OrderVersion]:
        """Every stored version of every order dated in `period`, streamed."""
        return figures.order_versions(self._conn, period)

    def detail_lines(self, period: Period, row: Callable[..., T]) -> Iterator[T]:
        """The accepted order lines of `period`, streamed, each made by `row(...)` (see
        detail_lines.py)."""
        return detail_lines.detail_lines(self._conn, period, row)

    def has_order_lines(self, period: Period, count: int) -> bool:
        """Whether `period` has at least `count` accepted order lines."""
        return detail_lines.has_order_lines(self._conn, period, count)

    # -- expenses (expenses.py) ---------------------------------------------------------------

    def expense_budgets(self, period: Period) -> dict[tuple[str, str, str], Decimal]:
        """(owner, category, month YYYY-MM) -> the budget of each month of `period`, the
        accepted year's and quarter's budgets spread over their months (a month's own budget
        wins); an owner is a salesperson's code or a region."""
        return expenses.expense_budgets(self._conn, period)

    def expense_spent(self, period: Period) -> dict[tuple[str, str, str], Decimal]:
        """(salesperson, category, month YYYY-MM) -> what their accepted claims spent in each
        month of `period`, by the day each line was spent."""
        return expenses.expense_spent(self._conn, period)

    def expense_claim_lines(self, period: Period) -> list[ClaimLine]:
        """The lines of accepted expense claims spent in `period`, by salesperson and claim:
        what finance pays."""
        return expenses.accepted_claim_lines(self._conn, period)
