"""A template package prepared once per template file and copied per render.

docxtpl opens the .docx with python-docx for every render (every XML part parsed), renders the
document body, headers and footers, and python-docx serialises and deflates every part again on
saving: 12.6 of a contract's 17.6 ms went to opening and saving. Only the parts docxtpl renders
depend on the context; every other part comes out of the save the same for every context. So
the first render of a template file goes docxtpl's whole way and what it yields is kept: the
members of the saved package (compressed, as `stable_package` stamps them) and, for each part
docxtpl renders, its patched XML source. Each later render renders only those parts, through
docxtpl's own steps (`render_xml_part`, `fix_tables`, `fix_docpr_ids`, the body put back into
the document element, python-docx's serialisation), and copies every other member's compressed
bytes as they are.

Those steps are docxtpl's internals, not its API: docxtpl is capped in pyproject.toml and
tests/test_private_apis.py fails if they change. A template whose render this cannot reproduce
(tags in its core properties, footnotes in a document of several sections, a part two
relationships share, no core properties part), or whose first prepared render differs from
docxtpl's, keeps docxtpl's whole way, and a log line says so.
"""

from __future__ import annotations

import copy
import io
import logging
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docxtpl import DocxTemplate
from jinja2 import Environment

from ..formats.package import FIXED_TIME, PackageReader, PackageWriter

if TYPE_CHECKING:
    from docx.package import Package

_log = logging.getLogger(__name__)

_BODY, _HEADER_FOOTER, _FOOTNOTES = "body", "header/footer", "footnotes"
# The core properties docxtpl renders (DocxTemplate.render_properties).
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_TAG_STARTS = ("{{", "{%", "{#")


class Unprepared(Exception):
    """This template's render cannot be reproduced from a prepared package; says why."""


@dataclass(frozen=True)
class _Part:
    """A part docxtpl renders: its member name, its kind, its patched XML source and, for a
    header or footer, the encoding its XML declares."""

    member: str
    kind: str
    source: str
    encoding: str = "utf-8"
    partname: PackURI | None = None  # a header's or footer's, to load it as docxtpl does
    content_type: str = ""


@dataclass(frozen=True)
class Sources:
    """What opening a template yields for rendering it: the parts docxtpl renders, and the
    document element with an empty body (the rendered body goes where `body_at` says)."""

    parts: tuple[_Part, ...]
    shell: Any  # lxml element
    body_at: int


def sources(document: DocxTemplate) -> Sources:
    """The sources of `document`, opened (`init_docx`) and not yet rendered, as docxtpl's render
    reads them: the body through `build_xml`'s steps, headers and footers through
    `build_headers_footers_xml`'s, footnotes through `render_footnotes`'.

    Raises:
        Unprepared: a render of this template cannot be reproduced from its sources.
    """
    docx = document.docx
    package = docx.part.package
    try:
        package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        # python-docx would add core properties stamped with the time of the render
        raise Unprepared("it has no core properties part") from None
    properties = docx.core_properties
    for name in _PROPERTIES:
        if any(start in (getattr(properties, name) or "") for start in _TAG_STARTS):
            raise Unprepared(f"its core property {name!r} holds a tag")
    parts = [_Part(docx.part.partname.membername, _BODY,
                   document.patch_xml(document.get_xml()))]
    for uri in (document.HEADER_URI, document.FOOTER_URI):
        for _, part in document.get_headers_footers(uri):
            xml = document.get_part_xml(part)
            parts.append(_Part(part.partname.membername, _HEADER_FOOTER, document.patch_xml(xml),
                               document.get_headers_footers_encoding(xml), part.partname,
                               part.content_type))
    footnotes = [part for part in package.parts if part.content_type == CT.WML_FOOTNOTES]
    if footnotes and len(docx.sections) != 1:
        raise Unprepared("it has footnotes and more than one section (docxtpl renders them "
                         "once per section)")
    for part in footnotes:
        blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
        parts.append(_Part(part.partname.membername, _FOOTNOTES, document.patch_xml(blob)))
    members = [part.member for part in parts]
    if len(set(members)) != len(members):
        raise Unprepared("two of its relationships lead to one part")
    shell = copy.deepcopy(docx.element)
    body = docx.element.body
    body_at = list(docx.element).index(body)
    shell[body_at].clear()
    return Sources(tuple(parts), shell, body_at)


class Prepared:
    """A template ready to render without opening it: its sources and the members of a package
    docxtpl rendered from it (after `stable_package`), kept compressed.

    Args:
        found: the template's sources, read before that render.
        package: the bytes of that render.
    """

    def __init__(self, found: Sources, package: bytes) -> None:
        self._sources = found
        rendered = {part.member for part in found.parts}
        self._members: list[tuple[zipfile.ZipInfo, bytes | None]] = []
        with PackageReader(package) as source:
            for member in source.members:
                kept = None if member.filename in rendered else b"".join(source.raw(member))
                self._members.append((member, kept))
        missing = rendered - {member.filename for member, _ in self._members}
        if missing:
            raise Unprepared(f"its rendered part(s) {', '.join(sorted(missing))} are not saved")

    def render(self, context: Mapping[str, Any], env: Environment) -> bytes:
        """The package docxtpl's render and `stable_package` give for `context` rendered in
        `env`.

        Raises:
            jinja2.TemplateError: as docxtpl's render would.
        """
        parts = _render_parts(self._sources, dict(context), env)
        out = io.BytesIO()
        with PackageWriter(out) as target:
            for member, kept in self._members:
                if kept is None:
                    # deflated as python-docx's zipfile does (level 6 is zlib's default)
                    target.write(member.filename, parts[member.filename])
                else:
                    target.copy_compressed(member, kept, date_time=FIXED_TIME)
        return out.getvalue()


def needs_docx(value: Any) -> bool:
    """Whether `value` holds something docxtpl renders through python-docx's objects (an
    InlineImage or a Subdoc adds parts and relationships): such a context takes docxtpl's whole
    way."""
    kind = type(value)
    if kind in _PLAIN:
        return False
    if kind.__module__.startswith("docxtpl.") and hasattr(value, "tpl"):
        return True  # InlineImage and Subdoc hold the DocxTemplate they belong to
    if isinstance(value, Mapping):
        return any(needs_docx(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return any(needs_docx(v) for v in value)
    return False


_PLAIN = frozenset({str, int, float, bool, type(None), Decimal, date, datetime})


class _Renderer(DocxTemplate):  # type: ignore[misc]  # docxtpl is untyped: Any to mypy
    """docxtpl's render steps for one prepared render, without a document.

    `resolve_listing` (the last step of `render_xml_part`) rewrites only the tab, BEL, newline
    and form feed characters inside text runs, with regular expressions over every paragraph
    and run: a third of a render's time on a contract, where values hold none of them. Without
    any of them anywhere in the XML it would give its argument back, so it is skipped
    (tests/test_private_apis.py checks both).
    """

    def resolve_listing(self, xml: str) -> str:
        if _LISTING.search(xml) is None:
            return xml
        return str(super().resolve_listing(xml))


_LISTING = re.compile("[\t\a\n\f]")


def _render_parts(found: Sources, context: dict[str, Any], env: Environment) -> dict[str, bytes]:
    """Each rendered part's bytes as python-docx saves them after docxtpl's render."""
    # A renderer of its own per render: render_xml_part and fix_docpr_ids keep state on it.
    renderer = _Renderer(None)
    renderer.docx_ids_index = 1000  # render_init's start
    result: dict[str, bytes] = {}
    for part in found.parts:
        xml = renderer.render_xml_part(part.source, None, context, env)
        if part.kind == _BODY:
            tree = renderer.fix_tables(xml)
            renderer.fix_docpr_ids(tree)
            document = copy.deepcopy(found.shell)
            document.replace(document[found.body_at], tree)  # map_tree
            result[part.member] = serialize_part_xml(document)
        elif part.kind == _HEADER_FOOTER:
            # map_headers_footers_xml loads a new part from the rendered bytes
            assert part.partname is not None
            loaded = XmlPart.load(part.partname, part.content_type, xml.encode(part.encoding),
                                  cast("Package", None))  # the package is not read
            result[part.member] = loaded.blob
        else:
            result[part.member] = xml.encode("utf-8")  # render_footnotes sets the blob
    return result
