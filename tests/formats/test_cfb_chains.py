"""The sector chains of a compound file are walked before calamine follows them without end."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from sales_sheets.formats.cfb import write_compound
from sales_sheets.formats.cfb_chains import ChainError, check_chains

DATA = Path(__file__).parent.parent / "data"


def fat_entry(data: bytearray, sector: int, value: int) -> None:
    """Point FAT entry `sector` (in the first FAT sector) at `value`."""
    [fat_sector] = struct.unpack_from("<I", data, 76)
    struct.pack_into("<I", data, (fat_sector + 1) * 512 + 4 * sector, value)


@pytest.mark.parametrize("name", ["order.xls", "customers.xls"])
def test_real_xls_files_pass(name: str) -> None:
    check_chains((DATA / name).read_bytes())


def test_our_own_compound_files_pass() -> None:
    """Large streams in the FAT, small ones in the mini stream: both kinds of chain."""
    check_chains(write_compound({"big": bytes(10_000), "dir": {"small": b"x" * 100}}))


def test_a_directory_chain_that_points_back_at_itself_is_refused() -> None:
    data = bytearray((DATA / "order.xls").read_bytes())
    [dir_start] = struct.unpack_from("<I", data, 48)
    fat_entry(data, dir_start, dir_start)
    with pytest.raises(ChainError, match="loops"):
        check_chains(bytes(data))


def test_a_stream_chain_that_loops_is_refused() -> None:
    data = bytearray(write_compound({"big": bytes(10_000)}))
    [dir_start] = struct.unpack_from("<I", data, 48)
    entry = (dir_start + 1) * 512 + 128  # the first entry after the root
    [start] = struct.unpack_from("<I", data, entry + 116)
    fat_entry(data, start + 1, start)
    with pytest.raises(ChainError, match="loops"):
        check_chains(bytes(data))


def directory_far_away(data: bytearray) -> None:
    struct.pack_into("<I", data, 48, 10_000)


def huge_sectors(data: bytearray) -> None:
    struct.pack_into("<H", data, 30, 15)


def cut_short(data: bytearray) -> None:
    del data[600:]


@pytest.mark.parametrize(("edit", "message"), [
    (directory_far_away, "beyond"), (huge_sectors, "sector size"), (cut_short, "beyond")])
def test_chains_that_leave_the_file_or_odd_sector_sizes_are_refused(
    edit: Callable[[bytearray], None], message: str
) -> None:
    data = bytearray((DATA / "order.xls").read_bytes())
    edit(data)
    with pytest.raises(ChainError, match=message):
        check_chains(bytes(data))
