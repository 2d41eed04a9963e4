"""The rules of a 对账回函 (statement reply): it answers a statement we issued and that is
still current, for that statement's customer; a disputed reply says the customer's balance."""

from __future__ import annotations

from ..forms.form import Document
from ..problems import Problem, Severity, problem
from .context import Context


def check_statement_reply(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    number = header.get("statement_no")
    problems: list[Problem] = []
    balance = header.get("customer_balance")
    if header.get("reply") == "disputed" and balance is None:
        problems.append(problem("reply_balance_required", **doc.at_header("customer_balance")))
    if not number:
        return problems  # `required` says so
    issued = ctx.issued_statement(str(number))
    if issued is None:
        return [*problems, problem("unknown_statement", **doc.at_header("statement_no"),
                                   value=number)]
    if issued["superseded_by"]:
        # Re-issued with another balance: a reply to the earlier letter confirms figures that
        # no longer stand, so it must answer the new one.
        problems.append(problem("superseded_statement", **doc.at_header("statement_no"),
                                value=number, current=issued["superseded_by"]))
    customer = header.get("customer_code")
    if customer and customer != issued["customer_code"]:
        problems.append(problem("statement_customer_mismatch", **doc.at_header("customer_code"),
                                value=customer, expected=issued["customer_code"],
                                statement=number))
    if (header.get("reply") == "agreed" and balance is not None
            and balance != issued["closing"]):
        problems.append(problem("reply_balance_differs", Severity.WARNING,
                                **doc.at_header("customer_balance"), value=balance,
                                ours=issued["closing"]))
    return problems
