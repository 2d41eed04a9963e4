"""What an approver weighs about a held document, as of its own date, with the same functions
the rules judged it by. Each approvable kind declares its own (`Kind.hold_facts`): an order's
price given away per line, the customer's overdue items and recent receipts, the credit
position; a return's lines against its order. They only ask a `FactsSource` (the ledger answers
it in ledger/hold_facts.py), so they stay pure functions of the stored document and the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from ..text import Text
from .authority import Limits, reasons_of
from .balance import OPENING, Position
from .context import Row
from .expenses import claimed
from .facts import Allowance, FactLine, HoldFacts

_PERCENT = Decimal("0.01")
_WORDS = {
    "limit": Text("授信额度", "Credit limit"),
    "balance": Text("应收余额", "Balance"),
    "this_order": Text("本单金额", "This order"),
    "excess": Text("超出额度", "Excess"),
    "given_away": Text("让利金额", "Amount given away"),
    "overdue": Text("逾期应收", "Overdue"),
    "oldest": Text("最早逾期：{ref}（{day}）", "Oldest overdue: {ref} ({day})"),
    "opening": Text("期初余额", "opening balance"),
    "days": Text("逾期 {days} 天", "{days} days overdue"),
    "receipt": Text("近期回款 {day}", "Receipt {day}"),
    "shipped": Text("本月已发货（{first} 起）", "Shipped this month (since {first})"),
    "ordered": Text("原订单 {order} 订货数量 {quantity}", "Order {order}: {quantity} ordered"),
    "budget": Text("{category} {month} 预算", "{category} {month}: budget"),
    "region_budget": Text("{category} {month} 预算（片区 {owner}）",
                          "{category} {month}: budget (region {owner})"),
    "spent": Text("{category} {month} 已报销", "{category} {month}: claimed so far"),
    "this_claim": Text("{category} {month} 本单", "{category} {month}: this claim"),
    "over": Text("{category} {month} 超出预算", "{category} {month}: over budget"),
    "capped": Text("{category} {day} 单笔", "{category} {day}: one line"),
    "cap": Text("上限 {cap}，超出 {excess}", "cap {cap}, {excess} above"),
}


class FactsSource(Protocol):
    """What the hold facts of one stored document may ask the ledger."""

    def hold_reasons(self, document: Row) -> tuple[str, ...]:
        """The codes of the problems `document` (a `documents` row) was held for."""

    def header(self, document: Row) -> Row:
        """The stored header of `document` (a `documents` row)."""

    def lines(self, document: Row) -> Sequence[Row]:
        """Its stored lines, in order."""

    def customer(self, code: str) -> Row:
        """The customer record of `code`."""

    def products(self, codes: Iterable[str]) -> Mapping[str, Row]:
        """The product records of `codes` the ledger has, by code."""

    def position(self, customer: Row, as_of: date, exclude_order: str) -> Position:
        """The customer's receivables as of a day, leaving out the order being judged."""

    def recent_receipts(self, customer: str, as_of: date, count: int) -> Sequence[Row]:
        """The customer's latest `count` receipts up to `as_of` (receipt_date, amount,
        reference), the newest first."""

    def shipped(self, customer: str, first: date, last: date) -> Decimal:
        """The total of the customer's accepted orders dated from `first` to `last`."""

    def ordered(self, order_no: str) -> dict[str, Decimal]:
        """Per product, the quantity the accepted order `order_no` ordered."""

    def allowances(self, salesperson: str, keys: Iterable[tuple[str, str]],
                   exclude_claim: str) -> dict[tuple[str, str], Allowance]:
        """As `rules.Context.allowances`: the budgets a claim is judged against."""


def order_hold_facts(source: FactsSource, document: Row, language: str) -> HoldFacts:
    """The facts of a held order: per reason it was held for."""
    reasons = reasons_of(source.hold_reasons(document))
    order = source.header(document)
    day, code = order["order_date"], order["customer_code"]
    customer = source.customer(code)
    lines: list[FactLine] = []
    discount = excess = Decimal(0)
    if "price" in reasons:
        price_lines = _price_lines(source, document, language)
        lines += price_lines
        discount = max((ln.discount or Decimal(0) for ln in price_lines), default=Decimal(0)) * 100
    if "overdue" in reasons or "credit" in reasons:  # the position reads all their orders
        position = source.position(customer, day, order["order_no"])
        if "overdue" in reasons:
            lines += _overdue_lines(source, customer, position, day, language)
        if "credit" in reasons:
            limit = customer["credit_limit"] or Decimal(0)
            excess = position.outstanding + order["total"] - limit
            lines += [
                FactLine("credit", _WORDS["limit"](language), amount=limit),
                FactLine("credit", _WORDS["balance"](language), amount=position.outstanding),
                FactLine("credit", _WORDS["this_order"](language), amount=order["total"]),
                FactLine("credit", _WORDS["excess"](language), amount=excess),
            ]
    return HoldFacts(document["kind"], order["order_no"], document["version"], day, code,
                     order["salesperson"] or "", order["total"], reasons, tuple(lines),
                     Limits(discount.quantize(_PERCENT, ROUND_HALF_UP), excess))


def quote_hold_facts(source: FactsSource, document: Row, language: str) -> HoldFacts:
    """The facts of a held quotation: the price given away on each line below list, as for an
    order (held for the general manager, whatever its prices, or for a price below list)."""
    reasons = reasons_of(source.hold_reasons(document))
    quote = source.header(document)
    price_lines = _price_lines(source, document, language)
    discount = max((ln.discount or Decimal(0) for ln in price_lines), default=Decimal(0)) * 100
    return HoldFacts(document["kind"], quote["quote_no"], document["version"],
                     quote["quote_date"], quote["customer_code"] or "", quote["salesperson"],
                     quote["total"], reasons, tuple(price_lines),
                     Limits(discount.quantize(_PERCENT, ROUND_HALF_UP)))


def return_hold_facts(source: FactsSource, document: Row, language: str) -> HoldFacts:
    """The facts of a held return: each line against what its order ordered."""
    reasons = reasons_of(source.hold_reasons(document))
    ret = source.header(document)
    ordered = source.ordered(ret["order_no"])
    rows = source.lines(document)
    products = source.products(r["product_code"] for r in rows)
    lines = tuple(
        FactLine("return", _product(row["product_code"], products), offered_price=row["unit_price"],
                 quantity=row["quantity"],
                 amount=(row["quantity"] * row["unit_price"]).quantize(_PERCENT, ROUND_HALF_UP),
                 note=_WORDS["ordered"].format(language, order=ret["order_no"],
                                               quantity=ordered.get(row["product_code"], 0)))
        for row in rows)
    return HoldFacts(document["kind"], ret["return_no"], document["version"], ret["return_date"],
                     ret["customer_code"], "", ret["total"], reasons, lines, Limits())


def expense_hold_facts(source: FactsSource, document: Row, language: str) -> HoldFacts:
    """The facts of a held expense claim: per category and month it takes over budget, the
    budget, what was claimed so far, this claim and the excess; each line above its cap. What
    the approval must cover is the sum of those excesses."""
    reasons = reasons_of(source.hold_reasons(document))
    claim = source.header(document)
    rows = source.lines(document)
    totals = claimed(rows)
    allowances = source.allowances(claim["salesperson"], totals, claim["claim_no"])
    lines: list[FactLine] = []
    spending = Decimal(0)
    for (category, month), amount in sorted(totals.items()):
        allowance = allowances[(category, month)]
        excess = allowance.spent + amount - allowance.budget
        if excess <= 0:
            continue
        spending += excess
        names = {"category": category, "month": month, "owner": allowance.owner}
        budget = "region_budget" if allowance.owner not in ("", claim["salesperson"]) else "budget"
        lines += [FactLine("expense", _WORDS[word].format(language, **names), amount=figure)
                  for word, figure in ((budget, allowance.budget), ("spent", allowance.spent),
                                       ("this_claim", amount), ("over", excess))]
    for row in rows:
        cap = row["cap"]
        if cap is None or row["amount"] <= cap:
            continue
        spending += row["amount"] - cap
        lines.append(FactLine(
            "expense", _WORDS["capped"].format(language, category=row["category"],
                                               day=row["spent_on"]),
            amount=row["amount"], note=_WORDS["cap"].format(language, cap=cap,
                                                           excess=row["amount"] - cap)))
    return HoldFacts(document["kind"], claim["claim_no"], document["version"],
                     claim["claim_date"], "", claim["salesperson"], claim["total"], reasons,
                     tuple(lines), Limits(spending=spending))


def _price_lines(source: FactsSource, document: Row, language: str) -> list[FactLine]:
    rows = source.lines(document)
    products = source.products(r["product_code"] for r in rows)
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
    source: FactsSource, customer: Row, position: Position, day: date, language: str
) -> list[FactLine]:
    overdue_items = [i for i in position.items if i.due < day]
    lines = [FactLine("overdue", _WORDS["overdue"](language), amount=position.overdue)]
    if overdue_items:
        oldest = overdue_items[0]
        ref = _WORDS["opening"](language) if oldest.ref == OPENING else oldest.ref
        lines.append(FactLine(
            "overdue", _WORDS["oldest"].format(language, ref=ref, day=oldest.day),
            amount=oldest.open, note=_WORDS["days"].format(language, days=(day - oldest.due).days)))
    lines += [FactLine("overdue", _WORDS["receipt"].format(language, day=r["receipt_date"]),
                       amount=r["amount"], note=r["reference"])
              for r in source.recent_receipts(customer["code"], day, 3)]
    first = day.replace(day=1)
    lines.append(FactLine("overdue", _WORDS["shipped"].format(language, first=first),
                          amount=source.shipped(customer["code"], first, day)))
    return lines


def _product(code: str, products: Mapping[str, Row]) -> str:
    """A product as an approver knows it: its code and name."""
    product = products.get(code)
    return f"{code} {product['name']}" if product is not None else code
