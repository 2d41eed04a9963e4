"""Forms: the input kinds described as data (kinds/), the field map of a template (meta),
opening a workbook (grid) and reading its raw cells (reader), normalising them into a typed
form (normalize, form), periods, and writing blank templates (template).

read -> normalise happens here; nothing in this package knows the ledger.

May import: formats and the foundation modules.
"""
