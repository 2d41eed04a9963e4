"""MS-OVBA compression, round-tripped through oletools' decompressor."""

from __future__ import annotations

import random

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from sales_sheets.addin.build import template_path
from sales_sheets.formats import ovba_compression

from ..helpers.ole import vba_bin

pytestmark = pytest.mark.usefixtures("readers_stay_quiet")


def sample(kind: str, size: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    if kind == "repeat":
        return (rnd.choice([b"a", b"ab", b"Sub Main()\r\n"]) * size)[:size]
    if kind == "text":
        return bytes(rnd.choice(b"abcdefgh \r\n") for _ in range(size))
    if kind == "blocks":
        block = bytes(
            rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(1, 3000))
        )
        return (block * (size // len(block) + 1))[:size]
    return rnd.randbytes(size)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["repeat", "text", "blocks", "random"]),
    st.integers(0, 20_000) | st.sampled_from([4095, 4096, 4097, 8191, 8192, 8193, 12289]),
    st.integers(0, 2**32),
)
def test_compression_round_trips_through_oletools(kind: str, size: int, seed: int) -> None:
    data = sample(kind, size, seed)
    try:
        compressed = ovba_compression.compress(data)
    except ValueError:
        # Only a final partial chunk of more than 3640 bytes can outgrow 4096 bytes of tokens.
        assert len(data) % 4096 > 3640
        return
    assert decompress_stream(bytearray(compressed)) == data
    assert ovba_compression.decompress(compressed) == data


def test_decompression_agrees_with_oletools_on_the_template() -> None:
    with olefile.OleFileIO(vba_bin(template_path())) as ole:
        for path in ole.listdir():
            data = ole.openstream(path).read()
            if path[-1] in ("dir", "xlwings"):
                assert ovba_compression.decompress(data) == decompress_stream(bytearray(data))


