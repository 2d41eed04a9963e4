"""Sales contracts (销售合同): one per accepted order version, rendered from the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import RowMapping

from ..errors import UsageError
from ..forms.kinds import Ref
from ..forms.normalize import CENT, to_code
from ..kinds.order import ORDER
from ..ledger import Books, Ledger
from ..paths import inside, safe_component
from ..status import Status
from ..workspace import Workspace
from .capitals import format_money, rmb_capitals
from .default_templates import CONTRACT_VARIABLES, write_contract_template
from .formatting import payment_terms, show_date, show_quantity, show_rate
from .parties import party_fields, seller_fields
from .pdf import request_pdf
from .render import WorkspaceTemplate, render_docx

CONTRACT = WorkspaceTemplate("contract.docx", CONTRACT_VARIABLES, write_contract_template)
_FOLDER = "contracts"


def contract_path(workspace: Workspace, customer_code: str, order_no: str, version: int) -> Path:
    """outbox/contracts/<customer>/<order_no>.docx; a later version adds -r<version>."""
    return inside(workspace.outbox, _FOLDER, customer_code,
                  contract_name(order_no, version))


def contract_name(order_no: str, version: int) -> str:
    return f"{revision_stem(order_no, version)}.docx"


def revision_stem(order_no: str, version: int) -> str:
    """The order number, with -r<version> for a later version: how every file of one order
    version is named."""
    return order_no if version == 1 else f"{order_no}-r{version}"


class WrittenContracts:
    """The contracts already written, found where `contract_path` puts them.

    One walk over the contracts folder instead of a stat per order version: the files in each
    customer's folder. A file name is made only for a customer that has files, and a customer's
    folder name once (a year has a quarter of a million orders).
    """

    def __init__(self, workspace: Workspace) -> None:
        folder = workspace.outbox / _FOLDER
        self._prefix = folder.relative_to(workspace.root).as_posix()
        self._written: dict[str, set[str]] = defaultdict(set)
        for path in folder.rglob("*.docx"):
            self._written[path.parent.relative_to(folder).as_posix()].add(path.name)
        self._folders: dict[str, str] = {}  # customer code -> its folder

    def path_of(self, customer_code: str, order_no: str, version: int) -> str:
        """The contract's path relative to the workspace, with `/`; "" if it is not written."""
        if customer_code not in self._folders:
            self._folders[customer_code] = safe_component(customer_code)
        folder = self._folders[customer_code]
        files = self._written.get(folder)
        if not files:
            return ""
        file = safe_component(contract_name(order_no, version))
        return f"{self._prefix}/{folder}/{file}" if file in files else ""


def check_contract_template(workspace: Workspace) -> None:
    CONTRACT.check(workspace, sample_context(workspace.language))


@dataclass(frozen=True)
class OrderFacts:
    """One stored order version as its files show it, read once for all of them: its orders row
    (with `version` and `status`), its lines in order, and the template variables."""

    order: RowMapping
    lines: Sequence[RowMapping]
    context: dict[str, Any]


def order_facts(workspace: Workspace, books: Books, document_id: int) -> OrderFacts:
    order, lines = stored_order(books, document_id)
    return OrderFacts(order, lines, contract_context(workspace, books, order, lines))


def write_contract(workspace: Workspace, facts: OrderFacts) -> Path:
    """Render the contract of one stored order version; returns the .docx path."""
    order = facts.order
    target = contract_path(workspace, order["customer_code"], order["order_no"],
                           order["version"])
    render_docx(CONTRACT.ensure(workspace), facts.context, target)
    request_pdf(workspace, target)
    return target


def generate_contract(workspace: Workspace, order_no: str) -> Path:
    """(Re)generate the contract of an order's current accepted version."""
    check_contract_template(workspace)
    with Ledger.of(workspace).connect() as books:
        return write_contract(workspace,
                              order_facts(workspace, books, accepted_version(books, order_no)))


def accepted_version(books: Books, order_no: str) -> int:
    """The document id of an order's current version, which must be accepted."""
    current = books.current_document("order", to_code(order_no))
    if current is None:
        raise UsageError(f"order {order_no} is not in the ledger")
    if current["status"] != Status.ACCEPTED:
        raise UsageError(f"order {order_no} is {current['status']}: release it first")
    return int(current["id"])


def stored_order(
    books: Books, document_id: int
) -> tuple[RowMapping, Sequence[RowMapping]]:
    """One stored order version: its orders row with `version` and `status`, and its lines in
    order."""
    found, lines = books.order_version(document_id)
    if found is None:
        raise UsageError(f"no order is stored under document {document_id}")
    return found, lines


def contract_context(
    workspace: Workspace, books: Books, order: Mapping[Any, Any],
    lines: Sequence[Mapping[Any, Any]],
) -> dict[str, Any]:
    """The template's variables for one order version: `order` holds the orders columns and
    `version`, `lines` the order_lines columns in order; the parties come from the ledger."""
    language = workspace.language
    customer = books.master_record(Ref.CUSTOMER, order["customer_code"])
    if customer is None:
        raise UsageError(f"customer {order['customer_code']} is not in the ledger")
    salesperson = (books.master_record(Ref.SALESPERSON, order["salesperson"])
                   if order["salesperson"] else None)
    person = salesperson["name"] if salesperson else None
    method = ORDER.header_field("delivery_method")
    methods = {c.value: c.label(language) for c in method.choices}
    version = order["version"]
    return {
        "seller": seller_fields(workspace.settings.company),
        "buyer": party_fields(customer),
        "order": {
            "no": order["order_no"],
            "date": show_date(order["order_date"], language),
            "contract_no": f"HT-{order['order_no']}" + (f"-r{version}" if version > 1 else ""),
            "revision": version,
            "salesperson_code": order["salesperson"],
            "salesperson_name": person or order["salesperson"],
            "delivery_address": order["delivery_address"] or "",
            "delivery_date": show_date(order["delivery_date"], language),
            "delivery_method": methods.get(order["delivery_method"] or "", ""),
            "vehicle_or_picker": order["vehicle_or_picker"] or "",
            "remarks": _remarks(order, language),
        },
        "lines": [_line(n, line) for n, line in enumerate(lines, start=1)],
        **_totals([(line["amount"], line["tax_rate"]) for line in lines]),
        "payment": {"days": customer["payment_days"] or 0,
                    "terms": payment_terms(customer["payment_days"] or 0, language)},
        # The order date, not today: the same ledger always gives the same contract text.
        "generated_on": show_date(order["order_date"], language),
    }


def _line(number: int, line: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "no": number, "product_code": line["product_code"],
        "product_name": line["product_name"] or "", "spec": line["spec"] or "",
        "unit": line["unit"] or "", "quantity": show_quantity(line["quantity"]),
        "unit_price": format_money(line["unit_price"]), "amount": format_money(line["amount"]),
        "tax_rate": show_rate(line["tax_rate"]),
    }


@dataclass(frozen=True)
class TaxGroup:
    """The lines of one tax rate: their tax-inclusive total split into net and tax."""

    rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def tax_split(amounts: Sequence[tuple[Decimal, Decimal]]) -> list[TaxGroup]:
    """Net and tax per tax rate, lowest rate first, from (tax-inclusive amount, rate) pairs:
    each rate's total is split once, its net rounded half up to the fen."""
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for amount, rate in amounts:
        by_rate[rate] += amount
    groups = []
    for rate in sorted(by_rate):
        total = by_rate[rate]
        net = (total / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        groups.append(TaxGroup(rate, net, total - net, total))
    return groups


def _totals(amounts: list[tuple[Decimal, Decimal]]) -> dict[str, Any]:
    """The tax split as the template shows it: per rate and overall, in figures, the total also
    in capitals."""
    split = tax_split(amounts)
    groups = [{"rate": show_rate(g.rate), "net": format_money(g.net),
               "tax": format_money(g.tax), "total": format_money(g.total)} for g in split]
    net_sum = sum((g.net for g in split), Decimal("0.00"))
    tax_sum = sum((g.tax for g in split), Decimal("0.00"))
    total = net_sum + tax_sum
    return {"tax_groups": groups, "totals": {
        "net": format_money(net_sum), "tax": format_money(tax_sum), "total": format_money(total),
        "total_capitals": rmb_capitals(total)}}


def _remarks(order: Mapping[str, Any], language: str) -> str:
    """The order's remarks, and the quotation it follows with that quotation's approval: what
    stands in for a price approval on the lines it covers."""
    quoted = order.get("quote_approval")
    if not quoted:
        return order["remarks"] or ""
    if language == "en":
        said, separator = f"priced on quotation {order['quote_no']} (approval {quoted})", "; "
    else:
        said, separator = f"按报价单 {order['quote_no']}（审批号 {quoted}）报价", "；"
    return separator.join(filter(None, (order["remarks"], said)))


def sample_context(language: str) -> dict[str, Any]:
    """Values of every kind a template may meet, for the start-up trial render."""
    party = {"code": "C001", "name": "A & B <C>", "address": "-", "contact": "-", "phone": "-",
             "tax_id": "-", "bank": "-", "bank_account": "-"}
    day = show_date(date(2026, 1, 1), language)
    line = {"no": 1, "product_code": "P001", "product_name": "-", "spec": "-", "unit": "-",
            "quantity": "1", "unit_price": "1.00", "amount": "1.00", "tax_rate": "13%"}
    return {
        "seller": {**party, "representative": "-"}, "buyer": party,
        "order": {"no": "SO-1", "date": day, "contract_no": "HT-SO-1", "revision": 1,
                  "salesperson_code": "S01", "salesperson_name": "-", "delivery_address": "-",
                  "delivery_date": day, "delivery_method": "-", "vehicle_or_picker": "-",
                  "remarks": "-"},
        "lines": [line],
        **_totals([(Decimal("1.00"), Decimal("0.13"))]),
        "payment": {"days": 30, "terms": payment_terms(30, language)},
        "generated_on": day,
    }
