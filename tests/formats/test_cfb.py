"""The compound-file writer, read back by olefile in strict mode."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sales_sheets.formats.cfb import write_compound

from ..helpers.ole import strict_ole, template_tree

pytestmark = pytest.mark.usefixtures("readers_stay_quiet")


def test_the_vba_project_tree_reads_back_identically() -> None:
    tree = template_tree()
    with strict_ole(write_compound(tree)) as ole:
        assert read_tree(ole) == tree


NAME_CHARACTERS = "abcxyzABCXYZ019 _-.éÉüÜ中文表单"
SIZES = [0, 1, 63, 64, 65, 511, 512, 4095, 4096, 4097, 9000]


def stream(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


names = st.text(st.sampled_from(NAME_CHARACTERS), min_size=1, max_size=31)
streams = st.builds(stream, st.sampled_from(SIZES) | st.integers(0, 5000), st.integers(0, 99))


def unique(storage: dict[str, Any]) -> dict[str, Any]:
    """One entry per case-insensitive name: the format forbids siblings differing only in case."""
    return {name: storage[name] for name in {n.upper(): n for n in storage}.values()}


storages = st.recursive(
    st.dictionaries(names, streams, max_size=40).map(unique),
    lambda inner: st.dictionaries(names, streams | inner, max_size=12).map(unique),
    max_leaves=8,
)
roots = st.dictionaries(names, streams | storages, min_size=1, max_size=60).map(unique)


def read_tree(ole: olefile.OleFileIO) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in ole.listdir(streams=True, storages=True):
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if ole.get_type(path) == olefile.STGTY_STREAM:
            node[path[-1]] = ole.openstream(path).read()
        else:
            node.setdefault(path[-1], {})
    return tree


def sibling_trees(ole: olefile.OleFileIO) -> Iterator[olefile.olefile.OleDirectoryEntry]:
    for entry in ole.direntries:
        if entry is not None and entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            if entry.sid_child != olefile.NOSTREAM:
                yield ole.direntries[entry.sid_child]


def black_height(ole: olefile.OleFileIO, sid: int, low: Any, high: Any) -> int:
    """Check one red-black subtree (order, no red-red, equal black heights); its black height."""
    if sid == olefile.NOSTREAM:
        return 1
    node = ole.direntries[sid]
    key = (len(node.name), node.name.upper())
    assert (low is None or low < key) and (high is None or key < high)
    for child in (node.sid_left, node.sid_right):
        if node.color == 0 and child != olefile.NOSTREAM:
            assert ole.direntries[child].color == 1, "red node with a red child"
    left = black_height(ole, node.sid_left, low, key)
    assert left == black_height(ole, node.sid_right, key, high)
    return int(left + node.color)  # olefile is untyped


@settings(max_examples=100, deadline=None)
@given(roots)
def test_any_tree_reads_back_identically_as_valid_red_black_trees(tree: dict[str, Any]) -> None:
    with strict_ole(write_compound(tree)) as ole:
        assert read_tree(ole) == tree
        for root in sibling_trees(ole):
            assert root.color == 1
            black_height(ole, root.sid, None, None)


def test_a_file_needing_several_fat_sectors_reads_back(tmp_path: Path) -> None:
    tree: dict[str, Any] = {"big": stream(300_000, 1), "small": {"s": b"x" * 100}, "empty": b""}
    path = tmp_path / "big.bin"
    path.write_bytes(write_compound(tree))
    with olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_UNSURE) as ole:
        assert ole.parsing_issues == []
        assert read_tree(ole) == tree


def test_the_writer_refuses_what_the_format_cannot_hold() -> None:
    for bad in ("", "a" * 32, "a/b", "x!"):
        with pytest.raises(ValueError, match="name"):
            write_compound({bad: b""})
    with pytest.raises(ValueError, match="collide"):
        write_compound({"Name": b"", "NAME": b""})
    with pytest.raises(ValueError, match="too large"):
        write_compound({"big": bytes(7_200_000)})


def test_a_storage_clsid_is_written() -> None:
    clsid = bytes(range(16))
    with strict_ole(write_compound({"VBA": {"dir": b""}}, {("VBA",): clsid})) as ole:
        assert ole.getclsid("VBA") == "03020100-0504-0706-0809-0A0B0C0D0E0F"
        assert ole.getclsid([]) == ""


