"""What the small XML parts of an OOXML package say: relationships, content types, attributes.

They are matched with regular expressions rather than parsed. The safety check has refused any
part with a DTD, so no entity can stand for markup; tags may carry a namespace prefix
(<x:sheet>) and be written self-closing or not, attributes may be quoted either way and are
unescaped (a sheet named "R&D" is written name="R&amp;D"). What does not match yields nothing.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html import unescape

from .errors import Unsupported

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_WORKSHEET = f"{REL}/worksheet"
REL_STYLES = f"{REL}/styles"
REL_STRINGS = f"{REL}/sharedStrings"

_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*?)/?>", re.S)
_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*?)/?>", re.S)


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part: its id, type and the part it leads to, resolved against the
    source part's folder ("xl/worksheets/sheet1.xml"); an external target is kept as written."""

    id: str
    type: str
    target: str
    external: bool = False


@dataclass(frozen=True)
class SheetEntry:
    """A sheet as the workbook lists it: its name, its relationship id and all its attributes."""

    name: str
    rel_id: str
    attributes: dict[str, str]


def attributes(text: str) -> dict[str, str]:
    """The attributes in the inside of a start tag, unescaped; a prefix stays in the name."""
    return {key: unescape(double if double or not single else single)
            for key, double, single in _ATTRIBUTE.findall(text)}


def rels_part(part: str) -> str:
    """The relationships part of `part`: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(source_part: str, target: str) -> str:
    """The part a relationship target of `source_part` names (absolute, or relative to the
    source part's folder)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, target_part: str) -> str:
    """The target to write in a relationship of `source_part` that leads to `target_part`."""
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


def relationships(rels_xml: str, source_part: str) -> dict[str, Relationship]:
    """Relationship id -> relationship, from the relationships part of `source_part`."""
    found = {}
    for inside in _RELATIONSHIP.findall(rels_xml):
        attrs = attributes(inside)
        target = attrs.get("Target", "")
        external = attrs.get("TargetMode", "") == "External"
        rel = Relationship(attrs.get("Id", ""), attrs.get("Type", ""),
                           target if external else resolve(source_part, target), external)
        found[rel.id] = rel
    return found


def sheet_entries(workbook_xml: str) -> list[SheetEntry]:
    """The sheets the workbook part lists, in its order."""
    entries = []
    for inside in _SHEET.findall(workbook_xml):
        attrs = attributes(inside)
        rel_id = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        entries.append(SheetEntry(attrs.get("name", ""), rel_id, attrs))
    return entries


def add_relationships(rels_xml: str, new: list[tuple[str, str, str]]) -> str:
    """`rels_xml` with relationships (id, type, target) added at its end.

    Raises:
        Unsupported: the part has no unprefixed <Relationships> element to add them to.
    """
    entries = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
                      for rid, kind, target in new)
    rels_xml = re.sub(r"<Relationships\b([^>]*?)/>", r"<Relationships\1></Relationships>",
                      rels_xml)
    if "</Relationships>" not in rels_xml:
        raise Unsupported("no <Relationships> element without a prefix")
    return rels_xml.replace("</Relationships>", f"{entries}</Relationships>", 1)


def free_id(rels_xml: str, prefix: str) -> str:
    """A relationship id starting with `prefix` that `rels_xml` does not use yet."""
    number = 1
    while f'Id="{prefix}{number}"' in rels_xml:
        number += 1
    return f"{prefix}{number}"


def add_override(types_xml: str, part: str, content_type: str) -> str:
    """[Content_Types].xml with the content type of `part` declared.

    Raises:
        Unsupported: the part has no unprefixed <Types> element to declare it in.
    """
    if "</Types>" not in types_xml:
        raise Unsupported("no <Types> element without a prefix")
    return types_xml.replace(
        "</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')


def add_default(types_xml: str, extension: str, content_type: str) -> str:
    """[Content_Types].xml with a default content type for `extension`, if it has none."""
    if f'Extension="{extension}"' in types_xml:
        return types_xml
    return types_xml.replace(
        "<Default ", f'<Default Extension="{extension}" ContentType="{content_type}"/><Default ',
        1)
