"""What an approver weighs about a held order or return, from the ledger as of its own date,
with the same functions the rules judged it by: per line the price given away, the customer's
overdue items and recent receipts, the credit position, a return's lines against its order."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection, func, select

from ..forms.kinds import Ref
from ..rules.authority import Limits, reasons_of
from ..rules.balance import Position
from ..rules.context import Row
from ..rules.facts import FactLine, HoldFacts
from ..status import Status
from ..text import Text
from .queries import customer_position, hold_reasons, lookup
from .schema import (
    documents,
    order_lines,
    orders,
    receipts,
    return_lines,
    returns,
)

_PERCENT = Decimal("0.01")
_WORDS = {
    "limit": Text("授信额度", "Credit limit"),
    "balance": Text("应收余额", "Balance"),
    "this_order": Text("本单金额", "This order"),
    "excess": Text("超出额度", "Excess"),
    "given_away": Text("让利金额", "Amount given away"),
    "overdue": Text("逾期应收", "Overdue"),
    "oldest": Text("最早逾期：{ref}（{day}）", "Oldest overdue: {ref} ({day})"),
    "days": Text("逾期 {days} 天", "{days} days overdue"),
    "receipt": Text("近期回款 {day}", "Receipt {day}"),
    "shipped": Text("本月已发货（{first} 起）", "Shipped this month (since {first})"),
    "ordered": Text("原订单 {order} 订货数量 {quantity}", "Order {order}: {quantity} ordered"),
}


def hold_facts(conn: Connection, document: Row, language: str) -> HoldFacts:
    """The facts of the stored, held order or return `document` (a `documents` row), their
    items named in `language`."""
    reasons = reasons_of(hold_reasons(document["hold_reasons"]))
    if document["kind"] == "order":
        return _order_facts(conn, document, reasons, language)
    return _return_facts(conn, document, reasons, language)


def _order_facts(
    conn: Connection, document: Row, reasons: tuple[str, ...], language: str
) -> HoldFacts:
    order = conn.execute(
        select(orders).where(orders.c.document_id == document["id"])).mappings().one()
    day, code = order["order_date"], order["customer_code"]
    customer = lookup(conn, Ref.CUSTOMER, [code])[code]
    lines: list[FactLine] = []
    discount = excess = Decimal(0)
    if "price" in reasons:
        price_lines = _price_lines(conn, document["id"], language)
        lines += price_lines
        discount = max((ln.discount or Decimal(0) for ln in price_lines), default=Decimal(0)) * 100
    if "overdue" in reasons or "credit" in reasons:  # the position reads all their orders
        position = customer_position(conn, customer, day, order["order_no"])
        if "overdue" in reasons:
            lines += _overdue_lines(conn, customer, position, day, language)
        if "credit" in reasons:
            limit = customer["credit_limit"] or Decimal(0)
            excess = position.outstanding + order["total"] - limit
            lines += [
                FactLine("credit", _WORDS["limit"](language), amount=limit),
                FactLine("credit", _WORDS["balance"](language), amount=position.outstanding),
                FactLine("credit", _WORDS["this_order"](language), amount=order["total"]),
                FactLine("credit", _WORDS["excess"](language), amount=excess),
            ]
    return HoldFacts("order", order["order_no"], document["version"], day, code,
                     order["salesperson"] or "", order["total"], reasons, tuple(lines),
                     Limits(discount.quantize(_PERCENT, ROUND_HALF_UP), excess))


def _price_lines(conn: Connection, document_id: int, language: str) -> list[FactLine]:
    rows = conn.execute(select(order_lines).where(order_lines.c.document_id == document_id)
                        .order_by(order_lines.c.line_no)).mappings().all()
    products = lookup(conn, Ref.PRODUCT, [r["product_code"] for r in rows])
    found = []
    for row in rows:
        product = products.get(row["product_code"])
        if product is None or row["unit_price"] >= product["list_price"]:
            continue
        listed, offered = product["list_price"], row["unit_price"]
        found.append(FactLine(
            "price", f"{row['product_code']} {row['product_name'] or product['name']}",
            listed, offered, (listed - offered) / listed, row["quantity"],
            ((listed - offered) * row["quantity"]).quantize(_PERCENT, ROUND_HALF_UP),
            _WORDS["given_away"](language)))
    return found


def _overdue_lines(
    conn: Connection, customer: Row, position: Position, day: date, language: str
) -> list[FactLine]:
    overdue_items = [i for i in position.items if i.due < day]
    lines = [FactLine("overdue", _WORDS["overdue"](language), amount=position.overdue)]
    if overdue_items:
        oldest = overdue_items[0]
        lines.append(FactLine(
            "overdue", _WORDS["oldest"].format(language, ref=oldest.ref, day=oldest.day),
            amount=oldest.open, note=_WORDS["days"].format(language, days=(day - oldest.due).days)))
    recent = conn.execute(
        select(receipts.c.receipt_date, receipts.c.amount, receipts.c.reference)
        .where(receipts.c.customer_code == customer["code"], receipts.c.receipt_date <= day)
        .order_by(receipts.c.receipt_date.desc(), receipts.c.id.desc()).limit(3)
    ).all()
    lines += [FactLine("overdue", _WORDS["receipt"].format(language, day=r.receipt_date),
                       amount=r.amount, note=r.reference) for r in recent]
    first = day.replace(day=1)
    shipped = conn.execute(
        select(func.coalesce(func.sum(orders.c.total), 0))
        .join(documents, documents.c.id == orders.c.document_id)
        .where(documents.c.status == Status.ACCEPTED, orders.c.customer_code == customer["code"],
               orders.c.order_date >= first, orders.c.order_date <= day)
    ).scalar_one()
    lines.append(FactLine("overdue", _WORDS["shipped"].format(language, first=first),
                          amount=Decimal(shipped)))
    return lines


def _return_facts(
    conn: Connection, document: Row, reasons: tuple[str, ...], language: str
) -> HoldFacts:
    ret = conn.execute(
        select(returns).where(returns.c.document_id == document["id"])).mappings().one()
    ordered: dict[str, Decimal] = {}
    for row in conn.execute(
            select(order_lines.c.product_code, order_lines.c.quantity)
            .join(orders, orders.c.document_id == order_lines.c.document_id)
            .join(documents, documents.c.id == orders.c.document_id)
            .where(orders.c.order_no == ret["order_no"], documents.c.status == Status.ACCEPTED)):
        ordered[row.product_code] = ordered.get(row.product_code, Decimal(0)) + row.quantity
    lines = tuple(
        FactLine("return", row.product_code, offered_price=row.unit_price, quantity=row.quantity,
                 amount=(row.quantity * row.unit_price).quantize(_PERCENT, ROUND_HALF_UP),
                 note=_WORDS["ordered"].format(language, order=ret["order_no"],
                                               quantity=ordered.get(row.product_code, 0)))
        for row in conn.execute(select(return_lines).where(
            return_lines.c.document_id == document["id"]).order_by(return_lines.c.line_no)))
    return HoldFacts("return", ret["return_no"], document["version"], ret["return_date"],
                     ret["customer_code"], "", ret["total"], reasons, lines, Limits())
