"""Spreadsheet input and output: safety checks, reading, templates and annotation."""
