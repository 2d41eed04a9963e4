"""The input forms, each described once as data.

May import: the foundation modules only.
"""

from ...errors import UsageError
from .approval import APPROVAL
from .base import Choice, Field, FieldType, Kind, Output, Ref
from .customers import CUSTOMERS
from .order import ORDER
from .plan import PLAN
from .products import PRODUCTS
from .receipt import RECEIPT
from .returns import RETURN
from .salespeople import SALESPEOPLE
from .visit import VISIT

KINDS: dict[str, Kind] = {
    k.name: k for k in (ORDER, VISIT, PLAN, RECEIPT, RETURN, CUSTOMERS, PRODUCTS, SALESPEOPLE,
                         APPROVAL)
}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UsageError(f"unknown kind {name!r}; choose one of {', '.join(KINDS)}") from None


__all__ = ["KINDS", "Choice", "Field", "FieldType", "Kind", "Output", "Ref", "get_kind"]
