"""Summary workbooks: the figures from the ledger, then the workbook a sales head opens."""
