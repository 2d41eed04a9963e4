"""sales-sheets: a sales department's spreadsheet paperwork, from a dropped workbook to a ledger,
contracts, statements and summary workbooks.

The packages follow the one direction a file travels; each may import only from the ones
before it (and from the foundation modules beside this file: errors, config, problems, status,
text, paths, workspace, files, services):

    formats -> forms -> rules -> kinds -> ledger -> documents -> reports -> intake
    -> addin | service

`forms` reads and writes any form; `rules` are pure functions of a document and the questions
they may ask the ledger (`rules.Context`); `kinds` declares each input form once, naming its
rules; the `ledger` stores what the kinds declare and answers the rules; the packages after it reach
it only through `ledger.Ledger` and its unit of work, `ledger.Books`. `api` gathers the
public functions, `demo` runs them on sample data, and `cli` is a thin layer over both
(`python -m sales_sheets` runs `cli`). The engine, the PDF worker and the clock are
`services.Services`, built by those entry points and handed down with the workspace.
"""
