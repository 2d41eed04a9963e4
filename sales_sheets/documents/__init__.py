"""Word and Excel documents for customers, rendered from the ledger: sales contracts, invoice
notices, statements and reconciliation letters, the amount in capitals, the shipped default
templates.

May import: formats, forms, kinds (the invoice notice is the `invoice` form), ledger and the
foundation modules.
"""
