"""How an input form is declared: `Kind`, its `Field`s and what they refer to. The forms
themselves are declared in `sales_sheets.kinds`, one module each.

May import: the foundation modules only.
"""

from .base import YES_NO, Choice, Field, FieldType, Kind, Offer, Output, Ref

__all__ = ["YES_NO", "Choice", "Field", "FieldType", "Kind", "Offer", "Output", "Ref"]
