"""Approval forms: a decision for a document that is held now (in the version the form was
written for), by someone allowed to make it; or a standing approval of one customer's month."""

from __future__ import annotations

from ..forms.form import Document
from ..problems import Problem, problem
from ..status import Status
from .authority import Limits, Refusal, refusals
from .context import Context


def check_approval(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    problems: list[Problem] = []
    if header.get("decision") is None:
        problems.append(problem("decision_required", **doc.at_header("decision")))
    if header.get("approval_type") == "standing":
        return problems + _standing(doc, ctx)
    return problems + _document(doc, ctx)


def _document(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    number = header.get("document_no")
    if not number:
        return [problem("required", **doc.at_header("document_no"))]
    latest = ctx.latest(str(number))
    if latest is None:
        return [problem("unknown_document", **doc.at_header("document_no"), value=number)]
    version = header.get("document_version")
    if version is not None and version != latest["version"]:
        return [problem("stale_request", **doc.at_header("document_version"), value=number,
                        version=version, current=latest["version"])]
    if latest["status"] != Status.HELD:
        return [problem("not_held", **doc.at_header("document_no"), value=number,
                        status=str(latest["status"]))]
    owner, _total = ctx.document_total(latest)
    if header.get("customer_code") and header["customer_code"] != owner:
        return [problem("document_mismatch", **doc.at_header("customer_code"),
                        value=header["customer_code"], document=number, expected=owner)]
    if ctx.approvals is None:  # anyone may approve anything: no facts to weigh
        return []
    facts = ctx.hold_facts(latest)
    return _refused(doc, refusals(ctx.approvals, str(header["approver"] or ""), facts.reasons,
                                  facts.needs))


def _standing(doc: Document, ctx: Context) -> list[Problem]:
    header = doc.header
    problems: list[Problem] = []
    if not header.get("customer_code"):
        problems.append(problem("required", **doc.at_header("customer_code")))
    period = header.get("period")
    if not period:
        problems.append(problem("required", **doc.at_header("period")))
    elif len(str(period)) != 7 or "Q" in str(period):
        problems.append(problem("standing_month", **doc.at_header("period"), value=period))
    cap = header.get("amount_cap")
    if cap is None or cap <= 0:
        problems.append(problem("required", **doc.at_header("amount_cap")))
    return problems + _refused(doc, refusals(ctx.approvals, str(header["approver"] or ""),
                                             ("overdue",), Limits()))


def _refused(doc: Document, found: list[Refusal]) -> list[Problem]:
    approver = doc.header.get("approver")
    return [problem(r.code, **doc.at_header("approver"), value=approver, **r.params)
            for r in found]
