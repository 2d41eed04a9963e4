"""The one error of the package layer."""

from __future__ import annotations


class Unsupported(Exception):
    """The package is damaged, or not laid out the way this layer reads or edits it (a part
    missing, not UTF-8, or written with prefixes where an edit needs none): a general library
    such as openpyxl may still manage it."""
