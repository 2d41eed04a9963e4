"""Summary workbooks: the figures from the ledger (kpis, details), then the workbook a sales
head opens (workbook, sheet, charts, styles, words).

May import: formats, forms, ledger, documents (where contracts are filed) and the foundation
modules.
"""
