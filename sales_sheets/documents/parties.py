"""The two sides of a document: the seller from config.toml, a customer from the ledger."""

from __future__ import annotations

from sqlalchemy import RowMapping

from ..config import Company

PARTY_FIELDS = ("code", "name", "address", "contact", "phone", "tax_id", "bank", "bank_account")


def seller_fields(company: Company) -> dict[str, str]:
    return {"name": company.name, "address": company.address, "tax_id": company.tax_id,
            "bank": company.bank, "bank_account": company.bank_account,
            "representative": company.representative, "phone": company.phone}


def party_fields(customer: RowMapping) -> dict[str, str]:
    return {key: customer[key] or "" for key in PARTY_FIELDS}
