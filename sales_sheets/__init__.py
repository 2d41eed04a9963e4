"""sales-sheets: a sales department's spreadsheet paperwork, from a dropped workbook to a ledger,
contracts, statements and summary workbooks.

The packages follow the one direction a file travels; each may import only from the ones
before it (and from the foundation modules beside this file: errors, config, problems, status,
text, paths, workspace, files):

    formats -> forms -> ledger -> rules -> documents -> reports -> intake -> addin
    -> service

`api` gathers the public functions; `cli` and `demo` are thin layers over it
(`python -m sales_sheets` runs `cli`).
"""
