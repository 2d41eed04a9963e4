"""The 对账函 issued and their replies (对账回函, spec 4b): numbering a statement as it is
written, and where each current statement stands (sent, agreed, disputed, overdue).

A statement's number is DZ-<period>-<customer>. Writing it again with the same closing balance
keeps the number (regenerating outputs changes nothing); with another balance (an order or a
receipt of the period was recorded late) it is issued anew as DZ-<period>-<customer>-2, -3, ...
and the earlier number is superseded: a reply naming it is rejected. A reply to a current
statement is a document whose identity is the statement number, so a second reply to the same
statement is a new version that replaces the first (a customer who disputed and later agreed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, select, update

from ..forms.periods import parse_period, reply_by
from ..status import CURRENT, ReplyStatus
from .schema import customers, disputes, documents, statement_replies, statements_issued


def statement_number(period: str, customer_code: str) -> str:
    return f"DZ-{period}-{customer_code}"


def issue_statement(conn: Connection, customer_code: str, period: str, closing: Decimal,
                    now: datetime) -> str:
    """The number of `customer_code`'s statement for `period` with `closing` as its balance:
    the current one when it has that balance, else a new one superseding it."""
    rows = conn.execute(
        select(statements_issued).where(statements_issued.c.period == period,
                                        statements_issued.c.customer_code == customer_code)
        .order_by(statements_issued.c.issued_at, statements_issued.c.statement_no)
    ).mappings().all()
    current = next((r for r in rows if r["superseded_by"] is None), None)
    if current is not None and current["closing"] == closing:
        return str(current["statement_no"])
    base = statement_number(period, customer_code)
    number = base if not rows else f"{base}-{len(rows) + 1}"
    conn.execute(statements_issued.insert(), {
        "statement_no": number, "period": period, "customer_code": customer_code,
        "closing": closing, "issued_at": now})
    if current is not None:
        conn.execute(update(statements_issued)
                     .where(statements_issued.c.statement_no == current["statement_no"])
                     .values(superseded_by=number, superseded_at=now))
    return number


def issued_statement(conn: Connection, number: str) -> RowMapping | None:
    """The issued statement numbered `number`, superseded or not."""
    return conn.execute(select(statements_issued)
                        .where(statements_issued.c.statement_no == number)).mappings().first()


@dataclass(frozen=True)
class StatementStanding:
    """Where one current statement stands on a day. The customer's balance and the
    difference (theirs − ours) are None until they replied."""

    statement_no: str
    period: str
    customer_code: str
    customer_name: str
    our_balance: Decimal
    their_balance: Decimal | None
    difference: Decimal | None
    status: ReplyStatus
    reply_by: date
    replied_on: date | None
    days_overdue: int
    disputed_items: int

    def as_dict(self) -> dict[str, Any]:
        """What `status --json` shows: amounts as text with two places, dates ISO."""
        def money(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:.2f}"
        return {"statement_no": self.statement_no, "period": self.period,
                "customer": self.customer_code, "customer_name": self.customer_name,
                "status": str(self.status), "our_balance": money(self.our_balance),
                "their_balance": money(self.their_balance),
                "difference": money(self.difference), "reply_by": self.reply_by.isoformat(),
                "replied_on": self.replied_on.isoformat() if self.replied_on else None,
                "days_overdue": self.days_overdue, "disputed_items": self.disputed_items}


def statement_standings(conn: Connection, as_of: date, reply_by_day: int,
                        latest_only: bool = True) -> list[StatementStanding]:
    """The current statements of periods that ended by `as_of`, by customer (with
    `latest_only`, each customer's latest period alone), and their replies as of `as_of`."""
    reply = (select(statement_replies.c.statement_no, statement_replies.c.reply,
                    statement_replies.c.replied_on, statement_replies.c.their_balance,
                    statement_replies.c.difference, statement_replies.c.document_id)
             .join(documents, and_(documents.c.id == statement_replies.c.document_id,
                                   documents.c.status.in_(CURRENT)))
             .subquery())
    rows = conn.execute(
        select(statements_issued, customers.c.name, reply.c.reply, reply.c.replied_on,
               reply.c.their_balance, reply.c.difference, reply.c.document_id)
        .outerjoin(customers, customers.c.code == statements_issued.c.customer_code)
        .outerjoin(reply, reply.c.statement_no == statements_issued.c.statement_no)
        .where(statements_issued.c.superseded_by.is_(None))
    ).mappings().all()
    counts = _dispute_counts(conn, [r["document_id"] for r in rows if r["document_id"]])
    chosen: dict[str, tuple[date, RowMapping]] = {}
    found: list[StatementStanding] = []
    for row in rows:
        period = parse_period(row["period"])
        if period.end > as_of:
            continue
        if latest_only:
            earlier = chosen.get(row["customer_code"])
            if earlier is None or earlier[0] < period.end:
                chosen[row["customer_code"]] = (period.end, row)
        else:
            found.append(_standing(row, as_of, reply_by_day, counts))
    if latest_only:
        found = [_standing(row, as_of, reply_by_day, counts) for _, row in chosen.values()]
    return sorted(found, key=lambda s: (s.customer_code, s.period))


def _standing(row: RowMapping, as_of: date, reply_by_day: int,
              counts: dict[int, int]) -> StatementStanding:
    due = reply_by(parse_period(row["period"]), reply_by_day)
    answered = row["reply"] is not None
    if answered:
        status = ReplyStatus(row["reply"])
    else:
        status = ReplyStatus.OVERDUE if as_of > due else ReplyStatus.SENT
    return StatementStanding(
        statement_no=row["statement_no"], period=row["period"],
        customer_code=row["customer_code"], customer_name=row["name"] or "",
        our_balance=row["closing"],
        their_balance=row["their_balance"] if answered else None,
        difference=row["difference"] if answered else None,
        status=status, reply_by=due, replied_on=row["replied_on"],
        days_overdue=(as_of - due).days if status is ReplyStatus.OVERDUE else 0,
        disputed_items=counts.get(row["document_id"], 0) if answered else 0)


def _dispute_counts(conn: Connection, document_ids: list[int]) -> dict[int, int]:
    if not document_ids:
        return {}
    found: dict[int, int] = {}
    for document_id in conn.execute(select(disputes.c.document_id)
                                    .where(disputes.c.document_id.in_(document_ids))).scalars():
        found[document_id] = found.get(document_id, 0) + 1
    return found


def reply_rate(standings: list[StatementStanding]) -> Decimal | None:
    """Replied ÷ issued among `standings` (None when there are none)."""
    if not standings:
        return None
    replied = sum(s.status in (ReplyStatus.AGREED, ReplyStatus.DISPUTED) for s in standings)
    return (Decimal(replied) / Decimal(len(standings))).quantize(Decimal("0.0001"))
