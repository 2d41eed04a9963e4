"""Hypothesis strategies that damage real workbooks: at the byte, zip-member and XML level.

Each strategy draws a seed file's bytes through `seeds` and returns `(bytes, description)`; the
description names every step so a failing case reads as a recipe. Mutations aim at what readers
trip over: sizes and methods the zip directory declares, members that are missing, doubled,
renamed or cut short, and inside the XML cell values, types and references, broken tags,
entities, deep nesting and huge strings.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable

from hypothesis import strategies as st

Draw = st.DrawFn
Mutated = tuple[bytes, str]

_LOCAL, _CENTRAL = b"PK\x03\x04", b"PK\x01\x02"
# (signature, offset of: flags, method, crc, compressed size, size, name length, name)
_HEADERS = ((_LOCAL, 6, 8, 14, 18, 22, 26, 30), (_CENTRAL, 8, 10, 16, 20, 24, 28, 46))
_SIZES = [0, 1, 7, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF, 1 << 20, 1 << 30]
# stored, shrink, deflate64, bzip2, lzma, zstd, AES, and nonsense
_METHODS = [0, 1, 9, 12, 14, 93, 99, 0xFFFF]


# --- zip plumbing --------------------------------------------------------------------------------


def members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def build(parts: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point of some mutations
        with zipfile.ZipFile(out, "w", method) as archive:
            for name, body in parts:
                archive.writestr(name, body)
    return out.getvalue()


def _headers_of(raw: bytearray, name: bytes) -> list[tuple[int, tuple[int, ...]]]:
    """(position, field offsets) of the local and central headers of member `name`."""
    found = []
    for signature, *offsets in _HEADERS:
        at = raw.find(signature)
        while at >= 0:
            name_len_at, name_at = offsets[5], offsets[6]
            if at + name_at <= len(raw):
                length = struct.unpack_from("<H", raw, at + name_len_at)[0]
                if bytes(raw[at + name_at: at + name_at + length]) == name:
                    found.append((at, tuple(offsets)))
            at = raw.find(signature, at + 4)
    return found


def patch_headers(data: bytes, name: str, field: str, value: int, where: str) -> bytes:
    """Set a field (flags, method, crc, compressed, size) of member `name` in its local
    header, its central header or both, leaving the data as it is."""
    index = ("flags", "method", "crc", "compressed", "size").index(field)
    raw = bytearray(data)
    for at, offsets in _headers_of(raw, name.encode()):
        signature = bytes(raw[at: at + 4])
        if where == "both" or (where == "local") == (signature == _LOCAL):
            fmt = "<H" if field in ("flags", "method") else "<I"
            struct.pack_into(fmt, raw, at + offsets[index], value)
    return bytes(raw)


# --- strategies ----------------------------------------------------------------------------------


@st.composite
def byte_mutations(draw: Draw, seeds: st.SearchStrategy[tuple[str, bytes]]) -> Mutated:
    """The file's bytes damaged as a disk, a transfer or a careless script would."""
    name, data = draw(seeds)
    steps = [name]
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        at = draw(st.integers(0, max(size - 1, 0)))
        how = draw(st.sampled_from(["flip", "overwrite", "insert", "delete", "truncate",
                                    "repeat"]))
        if how == "flip":
            if size:
                data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) \
                    + data[at + 1:]
        elif how == "overwrite":
            junk = draw(st.binary(min_size=1, max_size=64))
            data = data[:at] + junk + data[at + len(junk):]
        elif how == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
        elif how == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 4096)):]
        elif how == "truncate":
            data = data[:at]
        else:
            length = draw(st.integers(1, 4096))
            data = data[:at] + data[at: at + length] * draw(st.integers(2, 16)) \
                + data[at + length:]
        steps.append(f"{how}@{at}")
    return data, " ".join(steps)


@st.composite
def member_mutations(  # noqa: C901 - a table of mutations
    draw: Draw, seeds: st.SearchStrategy[tuple[str, bytes]]
) -> Mutated:
    """The zip's members dropped, doubled, cut short, renamed, compressed oddly or declared
    with sizes they do not have."""
    name, data = draw(seeds)
    steps = [name]
    for _ in range(draw(st.integers(1, 3))):
        try:
            parts = [(info.filename, body) for info, body in members(data)]
        except Exception:  # noqa: BLE001 - an earlier step broke it for zipfile too: the case
            break
        if not parts:
            break
        index = draw(st.integers(0, len(parts) - 1))
        member, body = parts[index]
        how = draw(st.sampled_from(["drop", "duplicate", "cut", "rename", "reorder", "empty",
                                    "method", "recompress", "size", "crc", "flags",
                                    "corrupt_stream", "junk_member"]))
        if how == "drop":
            del parts[index]
        elif how == "duplicate":
            copy = body if draw(st.booleans()) else body[: len(body) // 2]
            parts.insert(draw(st.integers(0, len(parts))), (member, copy))
        elif how == "cut":
            parts[index] = (member, body[: draw(st.integers(0, max(len(body) - 1, 0)))])
        elif how == "rename":
            others = [n for n, _ in parts if n != member] or [member]
            parts[index] = (draw(st.sampled_from([
                member.upper(), member + ".bak", "/" + member, "../" + member,
                member.replace("/", "\\"), draw(st.sampled_from(others)),
                member.replace(".xml", ""), "xl/" + member])), body)
        elif how == "reorder":
            parts = draw(st.permutations(parts))
        elif how == "empty":
            parts[index] = (member, b"")
        if how in ("drop", "duplicate", "cut", "rename", "reorder", "empty"):
            data = build(parts)
        elif how == "recompress":
            method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_BZIP2,
                                           zipfile.ZIP_LZMA]))
            data = build(parts, method)
            how = f"recompress({method})"
        elif how == "junk_member":
            junk = draw(st.binary(max_size=256))
            data = build([*parts, (draw(st.sampled_from(
                ["xl/worksheets/sheet99.xml", "xl/media/x.bin", "customXml/item1.xml"])),
                junk)])
        elif how == "corrupt_stream":
            data = corrupt_stream(data, member, draw(st.integers(0, 1 << 16)))
        else:
            field = {"method": "method", "size": "size", "crc": "crc", "flags": "flags"}[how]
            value = draw(st.sampled_from({"method": _METHODS, "size": _SIZES,
                                          "crc": [0, 0xFFFFFFFF, zlib.crc32(b"x")],
                                          "flags": [1, 8, 0x40, 0x800, 0xFFFF]}[field]))
            where = draw(st.sampled_from(["local", "central", "both"]))
            if field == "size" and draw(st.booleans()):
                field = "compressed"
            data = patch_headers(data, member, field, value, where)
            how = f"{field}={value:#x}({where})"
        steps.append(f"{how}:{member}")
    return data, " ".join(steps)


def corrupt_stream(data: bytes, member: str, seed: int) -> bytes:
    """Flip one byte inside the compressed data of `member`, keeping every header intact."""
    raw = bytearray(data)
    for at, offsets in _headers_of(raw, member.encode()):
        if bytes(raw[at: at + 4]) != _LOCAL:
            continue
        name_len, extra_len = struct.unpack_from("<HH", raw, at + 26)
        start = at + 30 + name_len + extra_len
        compressed = min(struct.unpack_from("<I", raw, at + offsets[3])[0], len(raw) - start)
        if compressed > 0:
            raw[start + seed % compressed] ^= 0xFF
    return bytes(raw)


# Values that readers have to turn into something: numbers at the edges, text where a number
# goes, shared-string indexes that do not exist, dates far away, control characters.
_VALUES = ["", "-1", "0", "1e308", "-1e308", "1e-320", "NaN", "inf", "-0", "99999999999999999999",
           "4294967296", "2958466", "-693594", "0x10", "1,5", "abc", "\u00a0", "#REF!",
           "TRUE", "2026-13-45", "9" * 400, "\x01", "&#0;", "<", "]]>"]
_TYPES = ["s", "n", "b", "e", "str", "inlineStr", "d", "x", ""]
_REFS = ["A0", "A1", "XFD1048576", "XFE1", "A1048577", "ZZZZ9", "", "1A", "a1", "B2:A1", "$A$1",
         "AAA99999999999", "A-1", "A1:XFD1048576", "_meta!A1", "'x'!#REF!"]
_TEXT = ["", "A" * 300, "=HYPERLINK(\"http://x\")", "\ud7ff\ue000", "𠀀" * 50, "../../x",
         "\u202e", "订单号", "order_lines", "_meta", "#REF!", "@kind", "@version", "99"]
_ENTITIES = ["&amp;", "&#0;", "&#1;", "&#xD800;", "&#99999999;", "&nosuch;", "&#x110000;",
             "&lt;&gt;", "&", "&#;"]


def _xml_parts(parts: list[tuple[str, bytes]]) -> list[int]:
    return [i for i, (n, _) in enumerate(parts) if n.endswith((".xml", ".rels"))]


def _replace_nth(body: bytes, pattern: re.Pattern[bytes], n: int, new: Callable[[re.Match[bytes]],
                 bytes]) -> bytes:
    found = list(pattern.finditer(body))
    if not found:
        return body
    match = found[n % len(found)]
    return body[: match.start()] + new(match) + body[match.end():]


_VALUE = re.compile(rb"(<(?:\w+:)?v>)([^<]*)(</)")
_TYPE = re.compile(rb'(\st=")([^"]*)(")')
_REF = re.compile(rb'(\s(?:r|ref|sqref)=")([^"]*)(")')
_TEXT_NODE = re.compile(rb"(<(?:\w+:)?t(?:\s[^>]*)?>)([^<]*)(</)")
_ATTRIBUTE = re.compile(rb'(\s[\w:]+=")([^"]*)(")')
_NAME_TEXT = re.compile(rb"(<(?:\w+:)?definedName\b[^>]*>)([^<]*)(</)")
_TAG = re.compile(rb"<[^>]*>")


@st.composite
def xml_mutations(draw: Draw, seeds: st.SearchStrategy[tuple[str, bytes]]) -> Mutated:
    """One XML part's cell values, types, references, text or markup changed; the zip itself
    stays sound (fresh CRCs), so the readers' XML handling is what is tested."""
    name, data = draw(seeds)
    parts = [(info.filename, body) for info, body in members(data)]
    xml = _xml_parts(parts)
    steps = [name]
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.sampled_from(xml))
        member, body = parts[index]
        n = draw(st.integers(0, 1 << 12))
        how = draw(st.sampled_from(["value", "type", "ref", "text", "attribute", "name",
                                    "break_tag", "drop_tag", "entity", "nesting", "huge",
                                    "encoding", "bad_utf8", "dtd"]))
        body = _mutate_xml(draw, how, body, n)
        parts[index] = (member, body)
        steps.append(f"{how}#{n}:{member}")
    return build(parts), " ".join(steps)


def _sub(value: str | bytes) -> Callable[[re.Match[bytes]], bytes]:
    raw = value.encode() if isinstance(value, str) else value
    return lambda m: m[1] + raw + m[3]


def _mutate_xml(draw: Draw, how: str, body: bytes, n: int) -> bytes:  # noqa: C901 - a table
    if how == "value":
        return _replace_nth(body, _VALUE, n, _sub(draw(st.sampled_from(_VALUES))))
    if how == "type":
        return _replace_nth(body, _TYPE, n, _sub(draw(st.sampled_from(_TYPES))))
    if how == "ref":
        return _replace_nth(body, _REF, n, _sub(draw(st.sampled_from(_REFS))))
    if how == "text":
        return _replace_nth(body, _TEXT_NODE, n, _sub(_escape(draw(st.sampled_from(_TEXT)))))
    if how == "attribute":
        return _replace_nth(body, _ATTRIBUTE, n, _sub(_escape(draw(st.sampled_from(
            _TEXT + _VALUES + _REFS)))))
    if how == "name":
        return _replace_nth(body, _NAME_TEXT, n, _sub(_escape(draw(st.sampled_from(_REFS)))))
    if how == "break_tag":
        cut = draw(st.sampled_from([b">", b"<", b"/", b'"', b"="]))
        return _replace_nth(body, _TAG, n, lambda m: m[0].replace(cut, b"", 1))
    if how == "drop_tag":
        return _replace_nth(body, _TAG, n, lambda m: b"")
    if how == "entity":
        entity = draw(st.sampled_from(_ENTITIES)).encode()
        return _replace_nth(body, _TEXT_NODE, n, lambda m: m[1] + m[2] + entity + m[3])
    if how == "nesting":
        depth = draw(st.sampled_from([100, 10_000, 200_000]))
        nested = b"<x>" * depth + b"1" + b"</x>" * depth
        return _replace_nth(body, _VALUE, n, _sub(nested)) if _VALUE.search(body) else \
            _replace_nth(body, _TEXT_NODE, n, _sub(nested))
    if how == "huge":
        size = draw(st.sampled_from([70_000, 1 << 20, 8 << 20]))
        filler = draw(st.sampled_from([b"A", b"9", "字".encode()]))
        pattern = _VALUE if draw(st.booleans()) and _VALUE.search(body) else _TEXT_NODE
        return _replace_nth(body, pattern, n, _sub(filler * (size // len(filler))))
    if how == "encoding":
        declared = draw(st.sampled_from([b"UTF-16", b"GB18030", b"nonsense", b"ASCII"]))
        return re.sub(rb'encoding="[^"]*"', b'encoding="' + declared + b'"', body, count=1)
    if how == "bad_utf8":
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf"]))
        return _replace_nth(body, _TEXT_NODE, n, lambda m: m[1] + m[2] + junk + m[3])
    # a DTD: internal entities, or an external one pointing at a local file
    dtd = draw(st.sampled_from([
        b'<!DOCTYPE x [<!ENTITY e "boom">]>',
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        b"<!DOCTYPE x>"]))
    head, sep, rest = body.partition(b"?>")
    return head + sep + dtd + rest if sep else dtd + body


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").encode(
        "utf-8", "surrogatepass")
