"""The one OOXML package layer: every zip part read, parsed or written in formats/ goes here.

Reading (`PackageReader`): members as the directory declares them, part bytes, text and
streams, relationships resolved to parts, the workbook's sheets, and a member's compressed
bytes. Writing (`PackageWriter`): new parts deflated at a chosen level and a fixed time, or
streamed in for parts too large to hold, and members of another package copied as they are,
neither decompressed nor compressed again. Part XML helpers (`parts`): attributes,
relationships and content types, read tolerantly and edited as text. One error, `Unsupported`:
the package is damaged or laid out in a way this layer does not handle.
"""

from __future__ import annotations

from .errors import Unsupported
from .parts import (
    REL,
    REL_STRINGS,
    REL_STYLES,
    REL_WORKSHEET,
    Relationship,
    SheetEntry,
    add_default,
    add_override,
    add_relationships,
    attributes,
    free_id,
    relative,
    rels_part,
    resolve,
)
from .reader import WORKBOOK, Member, PackageReader, PartStream
from .writer import PackageWriter
from .zipped import FIXED_TIME, Deflated, Deflating, deflate

__all__ = [
    "FIXED_TIME",
    "Deflated",
    "Deflating",
    "REL",
    "REL_STRINGS",
    "REL_STYLES",
    "REL_WORKSHEET",
    "WORKBOOK",
    "Member",
    "PackageReader",
    "PackageWriter",
    "PartStream",
    "Relationship",
    "SheetEntry",
    "Unsupported",
    "add_default",
    "add_override",
    "add_relationships",
    "attributes",
    "deflate",
    "free_id",
    "relative",
    "rels_part",
    "resolve",
]
