"""Word and Excel documents for customers, rendered from the ledger: sales contracts, invoice
notices, statements and reconciliation letters, the amount in capitals, the shipped default
templates.

May import: formats, forms, ledger and the foundation modules.
"""
