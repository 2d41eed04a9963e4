"""The input forms, one module each: a single declaration per kind (its fields, how it is
derived and checked, stored, approved and answered) that every later stage reads.

Adding a kind is one module here, listed below, plus its migration.

May import: formats, forms, rules and the foundation modules.
"""

from ..errors import UsageError
from ..forms.kinds import Kind
from .approval import APPROVAL
from .budget import BUDGET
from .complaint import COMPLAINT
from .customers import CUSTOMERS
from .delivery import DELIVERY
from .expense import EXPENSE
from .invoice import INVOICE
from .order import ORDER
from .plan import PLAN
from .products import PRODUCTS
from .quote import QUOTE
from .receipt import RECEIPT
from .returns import RETURN
from .salespeople import SALESPEOPLE
from .statement_reply import STATEMENT_REPLY
from .visit import VISIT

KINDS: dict[str, Kind] = {
    k.name: k for k in (ORDER, VISIT, PLAN, RECEIPT, RETURN, DELIVERY, INVOICE, CUSTOMERS,
                         PRODUCTS, SALESPEOPLE, BUDGET, EXPENSE, APPROVAL, STATEMENT_REPLY,
                         COMPLAINT, QUOTE)
}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UsageError(f"unknown kind {name!r}; choose one of {', '.join(KINDS)}") from None


__all__ = ["KINDS", "get_kind"]
