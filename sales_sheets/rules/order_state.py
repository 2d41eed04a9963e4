"""What a document that follows an order (an invoice, a delivery) is judged against: the
order's newest stored version, whatever its status, and its value net of returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..forms.form import At
from ..problems import Problem, problem
from ..status import Status


@dataclass(frozen=True)
class OrderState:
    """The newest stored version of an order, as the ledger answers `Context.order_state`."""

    order_no: str
    document_id: int
    version: int
    status: Status
    customer_code: str
    order_date: date
    total: Decimal
    returned: Decimal  # the value of the accepted returns against the order (any version)

    @property
    def net(self) -> Decimal:
        """What the customer owes for the order: its total less what came back."""
        return self.total - self.returned


# A newest version that cannot be followed, and the problem that says so. (Superseded is
# never the newest version's own status; a form for an older version meets
# `stale_order_version`.)
_NOT_FOLLOWABLE = {Status.HELD: "order_held", Status.DECLINED: "order_declined"}


def order_standing_problem(
    state: OrderState, named_version: int | None, at: At
) -> Problem | None:
    """Why a form naming the order (at version `named_version`, when it says) cannot follow
    it: held, declined, or written for a version that a newer one replaced. `at` is the
    position of the form's order number (`Document.at_header`)."""
    code = _NOT_FOLLOWABLE.get(state.status)
    if code is None and named_version is not None and named_version != state.version:
        code = "stale_order_version"
    if code is None:
        return None
    return problem(code, **at, value=state.order_no, version=named_version or state.version,
                   current=state.version)
