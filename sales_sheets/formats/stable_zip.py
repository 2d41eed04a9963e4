"""Zip packages whose bytes depend on their contents alone.

python-docx stamps every part of a saved .docx with the time of saving, so the same contract
rendered in two different seconds (by two offices, or again after a crash) differs in its bytes
though not in a single character. Re-stamping every part with one fixed time makes a rendered
document a function of its contents: the same order gives the same file, on any ledger.

Each member is copied through formats/package with its compressed bytes as they are, only its
time changed: nothing is decompressed or compressed again (4.8 ms of a contract's 27 when they
were). The result is the bytes zipfile writes for the same parts stamped at FIXED_TIME
(tests/formats/test_stable_zip.py).
"""

from __future__ import annotations

import io

from .package import FIXED_TIME, PackageReader, PackageWriter

__all__ = ["FIXED_TIME", "NotAPlainZip", "stable_package"]


class NotAPlainZip(ValueError):
    """A zip whose records are not where its directory says (bytes before it, as in a
    self-extracting archive)."""


def stable_package(data: bytes) -> bytes:
    """The zip `data` with every member stamped at FIXED_TIME; everything else as it was."""
    if not data.startswith(b"PK\x03\x04"):
        raise NotAPlainZip("the zip does not start with its first member")
    out = io.BytesIO()
    with PackageReader(data) as source, PackageWriter(out) as target:
        for member in source.members:
            target.copy(source, member, date_time=FIXED_TIME)
    return out.getvalue()
