"""The department's calendar (sales_sheets.calendar): pure, so no workspace and no ledger."""
