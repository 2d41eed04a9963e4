"""The run-length compression of VBA project streams ([MS-OVBA] 2.4.1).

Written here because the PyPI package ``ms-ovba-compression`` 1.0.1 gets it wrong: its maximum
copy length is ``0xFFFF << bit_count + 3`` instead of ``(0xFFFF >> bit_count) + 3``, so a long
repeat spills into the offset bits and the output decompresses to garbage, and its decompressor
skips two bytes between chunks and reads raw chunks as tokens.
"""

from __future__ import annotations

CHUNK_SIZE = 4096
_SIGNATURE = 0x01
_HEADER_COMPRESSED = 0xB000  # flag bit 1, signature 0b011
_HEADER_RAW = 0x3000 | (CHUNK_SIZE - 1)  # flag bit 0, signature 0b011, size 4098 - 3
_MIN_MATCH = 3
# How far back along one hash chain the matcher looks: a longer search only buys a slightly
# smaller stream, and VBA source repeats itself at short distances.
_MAX_CANDIDATES = 64


def decompress(container: bytes) -> bytes:
    """Decompress a CompressedContainer.

    Args:
        container: The signature byte 0x01 followed by compressed chunks.

    Returns:
        The decompressed bytes.

    Raises:
        ValueError: The container is not valid MS-OVBA compressed data.
    """
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError(f"truncated chunk header at byte {pos}")
        header = int.from_bytes(container[pos : pos + 2], "little")
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad chunk signature at byte {pos}")
        end = pos + (header & 0x0FFF) + 3
        if end > len(container):
            raise ValueError(f"chunk at byte {pos} runs past the end of the container")
        body = container[pos + 2 : end]
        if header & 0x8000:
            _decompress_chunk(body, out)
        elif len(body) != CHUNK_SIZE:
            raise ValueError(f"raw chunk at byte {pos} does not hold {CHUNK_SIZE} bytes")
        else:
            out += body
        pos = end
    return bytes(out)


def _decompress_chunk(body: bytes, out: bytearray) -> None:
    chunk_start = len(out)
    pos = 0
    while pos < len(body):
        flags = body[pos]
        pos += 1
        for bit in range(8):
            if pos >= len(body):
                break
            if not (flags >> bit) & 1:
                out.append(body[pos])
                pos += 1
                continue
            if pos + 2 > len(body):
                raise ValueError("truncated copy token")
            offset, length = _unpack_token(
                int.from_bytes(body[pos : pos + 2], "little"), len(out) - chunk_start
            )
            if offset > len(out) - chunk_start:
                raise ValueError("copy token points before the start of its chunk")
            # Byte by byte: a copy may overlap the bytes it produces (a run of one character).
            for _ in range(length):
                out.append(out[-offset])
            pos += 2


def compress(data: bytes) -> bytes:
    """Compress bytes into a CompressedContainer.

    A 4096-byte chunk that does not shrink is stored raw, as the format allows. A shorter final
    chunk cannot be stored raw (a raw chunk always decompresses to 4096 bytes), so one that does
    not fit is refused; only data without repeats longer than 3640 bytes gets there, never source.

    Args:
        data: The bytes to compress.

    Returns:
        The signature byte 0x01 followed by one chunk per 4096 bytes of data.

    Raises:
        ValueError: The final chunk is incompressible (see above).
    """
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data[start : start + CHUNK_SIZE])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = _tokens(chunk)
    if len(body) <= CHUNK_SIZE:
        header = _HEADER_COMPRESSED | (len(body) + 2 - 3)
        return header.to_bytes(2, "little") + body
    if len(chunk) == CHUNK_SIZE:
        return _HEADER_RAW.to_bytes(2, "little") + chunk
    raise ValueError(
        f"cannot compress a final chunk of {len(chunk)} bytes with too few repeats: "
        "a raw chunk would pad it to 4096 bytes"
    )


def _tokens(chunk: bytes) -> bytes:
    out = bytearray()
    chains: dict[bytes, list[int]] = {}
    pos = 0
    while pos < len(chunk):
        flag_index = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _longest_match(chunk, pos, chains)
            if length >= _MIN_MATCH:
                out[flag_index] |= 1 << bit
                out += _pack_token(offset, length, pos).to_bytes(2, "little")
            else:
                length = 1
                out.append(chunk[pos])
            for covered in range(pos, pos + length):
                chains.setdefault(chunk[covered : covered + _MIN_MATCH], []).append(covered)
            pos += length
    return bytes(out)


def _longest_match(chunk: bytes, pos: int, chains: dict[bytes, list[int]]) -> tuple[int, int]:
    candidates = chains.get(chunk[pos : pos + _MIN_MATCH], [])
    limit = min(len(chunk) - pos, _max_length(pos))
    best_offset, best_length = 0, 0
    for candidate in reversed(candidates[-_MAX_CANDIDATES:]):
        length = _common_prefix(chunk, candidate, pos, limit)
        if length > best_length:
            best_offset, best_length = pos - candidate, length
            if length == limit:
                break
    return best_offset, best_length


def _common_prefix(chunk: bytes, candidate: int, pos: int, limit: int) -> int:
    # Comparing against the input itself is right even where the match overlaps the bytes it
    # produces: the decompressor copies byte by byte and so rebuilds the same run.
    length = 0
    while length < limit and chunk[candidate + length] == chunk[pos + length]:
        length += 1
    return length


def _bit_count(position: int) -> int:
    """Offset bits of a copy token at this position in its chunk: enough to reach its start."""
    return max((position - 1).bit_length(), 4)


def _max_length(position: int) -> int:
    return (0xFFFF >> _bit_count(position)) + 3


def _pack_token(offset: int, length: int, position: int) -> int:
    return ((offset - 1) << (16 - _bit_count(position))) | (length - 3)


def _unpack_token(token: int, position: int) -> tuple[int, int]:
    bits = _bit_count(position)
    return (token >> (16 - bits)) + 1, (token & (0xFFFF >> bits)) + 3
