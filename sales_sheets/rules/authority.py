"""Who may approve a held document: the reasons it is held for, the approvers of each reason
and their limits (config.toml's [approvals]), and where its request is routed. Pure policy: the
facts come in as values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..config import Approvals

# The hold codes of the rules, by the approval reason that clears them.
REASON_OF_HOLD = {
    "price_below_list": "price",
    "customer_overdue": "overdue",
    "credit_limit_exceeded": "credit",
    "return_needs_approval": "return",
    "over_budget": "expense",
    "over_cap": "expense",
    "quote_needs_approval": "quote",
}
REASONS = ("price", "overdue", "credit", "return", "expense", "quote")
ANYONE = "_all"  # the request folder when nobody in particular approves


@dataclass(frozen=True)
class Limits:
    """What an approval must cover: the largest discount in percent, the excess over the
    credit limit in yuan, an expense claim's excess over its budgets and caps in yuan (zero
    where the document is not held for it)."""

    discount: Decimal = Decimal(0)
    excess: Decimal = Decimal(0)
    spending: Decimal = Decimal(0)


@dataclass(frozen=True)
class Refusal:
    """Why `approver` may not approve: a problem code and its parameters."""

    code: str
    params: dict[str, Any]


def reasons_of(hold_codes: Iterable[str]) -> tuple[str, ...]:
    """The approval reasons of a document held for `hold_codes`, in a fixed order."""
    found = {REASON_OF_HOLD[c] for c in hold_codes if c in REASON_OF_HOLD}
    return tuple(r for r in REASONS if r in found)


def refusals(
    approvals: Approvals | None, approver: str, reasons: tuple[str, ...], needs: Limits
) -> list[Refusal]:
    """Everything that stops `approver` from approving a document held for `reasons`;
    without [approvals] anyone may approve anything."""
    if approvals is None:
        return []
    found: list[Refusal] = []
    for reason in reasons:
        allowed = approvals.approvers(reason)
        if allowed and approver not in allowed:
            found.append(Refusal("not_approver", {"reason": reason,
                                                  "approvers": ", ".join(allowed)}))
    if found:
        return found
    if "price" in reasons and approvals.approvers("price"):
        limit = approvals.discount_limits.get(approver)
        if limit is not None and needs.discount > _exact(limit):
            found.append(Refusal("discount_beyond_limit",
                                 {"discount": needs.discount, "limit": _exact(limit)}))
    if "credit" in reasons and approvals.approvers("credit"):
        limit = approvals.excess_limits.get(approver)
        if limit is not None and needs.excess > _exact(limit):
            found.append(Refusal("excess_beyond_limit",
                                 {"excess": needs.excess, "limit": _exact(limit)}))
    if "expense" in reasons and approvals.approvers("expense"):
        limit = approvals.max_excess.get(approver)
        if limit is not None and needs.spending > _exact(limit):
            found.append(Refusal("spending_beyond_limit",
                                 {"excess": needs.spending, "limit": _exact(limit)}))
    return found


def route(
    approvals: Approvals | None, reasons: tuple[str, ...], needs: Limits, manager: str | None
) -> str:
    """The folder under outbox/approvals/ that gets the request: the first approver, in the
    order config.toml lists them, who may approve all of it; else the last one listed for the
    first restricted reason (the most senior, by convention); where nobody is named, the
    salesperson's manager, or everyone."""
    restricted = [r for r in reasons if approvals and approvals.approvers(r)]
    if not approvals or not restricted:
        return manager or ANYONE
    candidates = approvals.approvers(restricted[0])
    for code in candidates:
        if not refusals(approvals, code, reasons, needs):
            return code
    return candidates[-1]


def _exact(limit: float) -> Decimal:
    return Decimal(str(limit))
