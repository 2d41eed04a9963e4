"""Delivery notes (发货单): shipping an accepted order, in parts or whole.

A delivery names an order by its number. The order is judged by the versions stored under that
number (the `documents` rows of kind order, newest first), because a version's status is all
the ledger keeps of what became of it:

- no version at all: `unknown_order`;
- the current version (accepted or held; there is at most one) is accepted: deliverable;
- it is held (a new order, or a revision, waiting for approval): `order_held`;
- no version is current, and the newest was declined while no earlier version was ever
  replaced by a newer one (every attempt was declined): `order_declined`;
- no version is current otherwise: `order_superseded`. A version that stood (accepted or held)
  was replaced by a newer one, and what replaced it does not stand: a revision that was then
  declined (the accepted version it replaced does not come back; the ledger no longer counts
  it), or a newest version that is itself superseded with nothing current (a withdrawal).

What may be delivered is the current version's quantity per product, less the current returns
of the order, less the current deliveries of the order; a new version of the same delivery
number replaces its old one, whose quantities then no longer count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from ..forms.form import Document
from ..forms.normalize import CENT
from ..problems import Problem, Severity, problem
from ..status import CURRENT, Status
from .common import check_positive
from .context import Context, Row
from .facts import OrderLine

ORDER = "order"  # the kind of document a delivery's order_no numbers


def order_standing(versions: Sequence[Row]) -> tuple[str, dict[str, object]] | None:
    """Why an order with these stored versions (newest first) cannot be delivered on: a
    problem code with its parameters, or None when its current version is accepted. See the
    module's docstring for what each code means."""
    if not versions:
        return "unknown_order", {}
    newest = versions[0]
    current = next((v for v in versions if v["status"] in CURRENT), None)
    if current is not None:
        if current["status"] == Status.ACCEPTED:
            return None
        return "order_held", {"version": current["version"]}
    replaced = any(v["status"] == Status.SUPERSEDED for v in versions)
    if newest["status"] == Status.DECLINED and not replaced:
        return "order_declined", {"version": newest["version"]}
    return "order_superseded", {"version": newest["version"], "status": str(newest["status"])}


def derive_delivery(doc: Document, ctx: Context) -> Document:
    """The customer and salesperson of the order, where the form leaves them blank: the
    ledger keeps every delivery with its customer (its receivables and its lock)."""
    order_no, header = doc.header.get("order_no"), doc.header
    if not order_no or (header.get("customer_code") and header.get("salesperson")):
        return doc
    basis = ctx.deliverable(str(order_no), str(header.get("delivery_no") or ""))
    if basis is None:
        return doc
    derived = {key: value for key, value in (("customer_code", basis.customer_code),
                                             ("salesperson", basis.salesperson))
               if not header.get(key) and value}
    return replace(doc, derived={**doc.derived, **derived}) if derived else doc


def check_delivery(doc: Document, ctx: Context) -> list[Problem]:
    problems = check_positive(doc, ("quantity",))
    header = doc.header
    order_no = header.get("order_no")
    if not order_no:
        return problems
    blocked = order_standing(ctx.versions(ORDER, str(order_no)))
    if blocked is not None:
        code, params = blocked
        return [*problems, problem(code, Severity.ERROR, **doc.at_header("order_no"),
                                   value=order_no, **params)]
    basis = ctx.deliverable(str(order_no), str(header.get("delivery_no") or ""))
    if basis is None:  # judged accepted a moment ago, in this same transaction
        return problems
    customer = header.get("customer_code")
    if customer and customer != basis.customer_code:
        problems.append(problem("order_customer_mismatch", **doc.at_header("customer_code"),
                                value=order_no, expected=basis.customer_code))
    zero = Decimal(0)
    taken: dict[str, Decimal] = {}  # by the lines above, in this file
    for line in doc.lines:
        named, quantity = line.values.get("product_code"), line.values.get("quantity")
        if not named or quantity is None:
            continue
        code = str(named)
        if code not in basis.ordered:
            problems.append(problem("product_not_on_order", **doc.at_line("product_code", line),
                                    value=code, order_no=order_no))
            continue
        left = basis.left(code) - taken.get(code, zero)
        if quantity > left:
            problems.append(problem(
                "over_delivery", **doc.at_line("quantity", line), value=quantity,
                order_no=order_no, left=max(left, zero), ordered=basis.ordered[code],
                returned=basis.returned.get(code, zero),
                delivered=basis.delivered.get(code, zero) + taken.get(code, zero)))
        taken[code] = taken.get(code, zero) + quantity
    return problems


def allocate(lines: Sequence[OrderLine], deliveries: Sequence[Mapping[str, Decimal]]
             ) -> tuple[list[Decimal], list[Decimal]]:
    """Value deliveries against an order's lines: each delivery, in the order given (by date),
    takes its quantity of a product from the order's lines of that product in line order, at
    each line's unit price (an order may list a product twice, with two specs and prices).
    What goes beyond the lines of a product is valued at its last line's price; a product no
    longer on the order has no price and is valued at nothing.

    A line's delivered value is its delivered quantity × its price in fen, half up, as its
    amount on the order is; a delivery is worth what it adds to its lines' delivered values.
    So the deliveries of a line add up to its amount once all of it is shipped, to the fen,
    however it was split (each part rounded on its own would not).

    Returns the value of each delivery and the quantity delivered of each order line.
    """
    zero = Decimal(0)
    by_product: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        by_product.setdefault(line.product_code, []).append(index)
    taken = [zero] * len(lines)
    values: list[Decimal] = []
    for delivery in deliveries:
        value = zero
        for product, quantity in delivery.items():
            indexes = by_product.get(product)
            if not indexes:
                continue
            rest = quantity
            for index in indexes:
                room = lines[index].quantity - taken[index]
                if rest <= 0:
                    break
                if room <= 0:
                    continue
                part = min(room, rest)
                value += _take(lines[index], taken, index, part)
                rest -= part
            if rest > 0:
                last = indexes[-1]
                value += _take(lines[last], taken, last, rest)
        values.append(value)
    return values, taken


def _take(line: OrderLine, taken: list[Decimal], index: int, quantity: Decimal) -> Decimal:
    """Deliver `quantity` more of the line at `index`; what that adds to its value."""
    before = delivered_value(taken[index], line.unit_price)
    taken[index] += quantity
    return delivered_value(taken[index], line.unit_price) - before


def delivered_value(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """What `quantity` delivered of a line at `unit_price` is worth: fen, half up."""
    return (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
