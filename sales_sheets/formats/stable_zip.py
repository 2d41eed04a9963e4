"""Zip packages whose bytes depend on their contents alone.

python-docx stamps every part of a saved .docx with the time of saving, so the same contract
rendered in two different seconds (by two offices, or again after a crash) differs in its bytes
though not in a single character. Re-stamping every part with one fixed time makes a rendered
document a function of its contents: the same order gives the same file, on any ledger.
"""

from __future__ import annotations

import io
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def stable_package(data: bytes) -> bytes:
    """The zip `data` with every member re-stamped at FIXED_TIME, in the same order, with the
    same compression and attributes."""
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(data)) as source,
          zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target):
        for info in source.infolist():
            stamped = zipfile.ZipInfo(info.filename, FIXED_TIME)
            stamped.compress_type = info.compress_type
            stamped.external_attr = info.external_attr
            target.writestr(stamped, source.read(info))
    return out.getvalue()
