"""Badge QR codes, fast: the same modules as the qrcode library, in a fraction of the time.

Badge tokens are 120 base32 characters: alphanumeric mode, version 5, correction level M.
For that shape everything but the data is fixed, so it is computed once: the function
patterns with the format bits of a fixed mask (no mask search runs), and for each
codeword the modules its bits land on. A badge then costs one table-driven Reed-Solomon
pass and a few hundred XORs of Python integers (one bit per module). Any other text goes
through the qrcode library. tests/unit/test_badges.py checks the two agree module by module.
"""

from __future__ import annotations

import functools
import io

from confapp.lazy import lazy_import

qrcode = lazy_import("qrcode")  # loaded on first use: see confapp/lazy.py
# qrcode.constants.ERROR_CORRECT_M, without loading qrcode to read it.
ERROR_CORRECT_M = 0


VERSION = 5
MASK = 2
SIZE = VERSION * 4 + 17  # modules per side
MAX_FAST_LENGTH = 122  # alphanumeric characters that fit version 5-M

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_INDEX = {c: i for i, c in enumerate(_ALNUM)}

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _i in range(255):
    _EXP[_i] = _value
    _LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            nxt[j + 1] ^= _mul(coef, _EXP[i])
        poly = nxt
    return tuple(poly)


@functools.cache
def _rs_table(degree: int) -> tuple[int, ...]:
    """For each feedback byte, the generator times it as one big-endian integer."""
    gen = _generator(degree)[1:]
    return tuple(
        int.from_bytes(bytes(_mul(g, factor) for g in gen), "big") for factor in range(256)
    )


def _rs_remainder(data: list[int], degree: int) -> bytes:
    """Error correction codewords of one block (a shift register held in one integer)."""
    table = _rs_table(degree)
    shift = 8 * (degree - 1)
    keep = (1 << (8 * degree)) - 1
    register = 0
    for byte in data:
        register = ((register << 8) & keep) ^ table[byte ^ (register >> shift)]
    return register.to_bytes(degree, "big")


@functools.cache
def _blocks() -> tuple[tuple[int, int], ...]:
    from qrcode.base import rs_blocks

    return tuple(
        (b.data_count, b.total_count - b.data_count) for b in rs_blocks(VERSION, ERROR_CORRECT_M)
    )


def _codewords(text: str) -> list[int] | None:
    """Data + error correction codewords of an alphanumeric text, or None if it cannot be."""

    try:
        values = [_ALNUM_INDEX[c] for c in text]
    except KeyError:
        return None
    bits = (0b0010 << 9) | len(values)
    length = 13
    for i in range(0, len(values) - 1, 2):
        bits = (bits << 11) | (values[i] * 45 + values[i + 1])
        length += 11
    if len(values) % 2:
        bits = (bits << 6) | values[-1]
        length += 6
    blocks = _blocks()
    capacity = sum(d for d, _ in blocks) * 8
    if length > capacity:
        return None
    pad = min(4, capacity - length)
    bits <<= pad
    length += pad
    if length % 8:
        bits <<= 8 - length % 8
        length += 8 - length % 8
    data = list(bits.to_bytes(length // 8, "big"))
    data += [(0xEC, 0x11)[i % 2] for i in range(capacity // 8 - len(data))]
    dc, ec, offset = [], [], 0
    for count, degree in blocks:
        chunk = data[offset : offset + count]
        offset += count
        dc.append(chunk)
        ec.append(_rs_remainder(chunk, degree))
    out = [blk[i] for i in range(max(len(b) for b in dc)) for blk in dc if i < len(blk)]
    out += [blk[i] for i in range(max(len(b) for b in ec)) for blk in ec if i < len(blk)]
    return out


def _library_matrix(codewords: list[int]) -> list[list[bool]]:
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, version=VERSION, border=0, mask_pattern=MASK
    )
    code.data_cache = codewords
    code.make(fit=False)
    return code.get_matrix()


def _as_int(matrix: list[list[bool]]) -> int:
    value = 0
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                value |= 1 << (r * SIZE + c)
    return value


@functools.cache
def _layout() -> tuple[int, tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]]:
    """The matrix of all-zero data, and per codeword the XOR of each nibble value."""
    total = sum(d + e for d, e in _blocks())
    zeros = _library_matrix([0] * total)
    ones = _library_matrix([0xFF] * total)
    is_data = [[zeros[r][c] != ones[r][c] for c in range(SIZE)] for r in range(SIZE)]
    # The placement order of qrcode's map_data(): two-column zigzag from the bottom right.
    order = []
    row, step = SIZE - 1, -1
    for col in range(SIZE - 1, 0, -2):
        if col <= 6:
            col -= 1
        while True:
            for c in (col, col - 1):
                if is_data[row][c]:
                    order.append(row * SIZE + c)
            row += step
            if row < 0 or row >= SIZE:
                row -= step
                step = -step
                break
    assert len(order) == total * 8  # noqa: S101 - a wrong template would draw unreadable codes
    tables = []
    for j in range(total):
        bits = [1 << order[j * 8 + b] for b in range(8)]  # most significant bit first

        def nibble(positions: list[int]) -> tuple[int, ...]:
            values = [0] * 16
            for v in range(1, 16):
                low = v & -v
                values[v] = values[v ^ low] | positions[3 - (low.bit_length() - 1)]
            return tuple(values)

        tables.append((nibble(bits[:4]), nibble(bits[4:])))
    return _as_int(zeros), tuple(tables)


_ROW_MASK = (1 << SIZE) - 1


def qr_rows(token: str) -> list[int]:
    """The QR modules of a token as one integer per row (bit c = column c), no quiet zone."""
    codewords = _codewords(token) if len(token) <= MAX_FAST_LENGTH else None
    if codewords is None:
        matrix = _matrix_from_library(token)
        return [sum(1 << c for c, dark in enumerate(row) if dark) for row in matrix]
    value, tables = _layout()
    for (high, low), byte in zip(tables, codewords, strict=True):
        value ^= high[byte >> 4] ^ low[byte & 15]
    return [(value >> (r * SIZE)) & _ROW_MASK for r in range(SIZE)]


def _matrix_from_library(token: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(token)
    code.make(fit=True)
    return code.get_matrix()


def qr_matrix(token: str) -> list[list[bool]]:
    """The QR modules of a token as rows of booleans (no quiet zone), correction level M."""
    rows = qr_rows(token)
    size = len(rows)
    return [[bool(row >> c & 1) for c in range(size)] for row in rows]


def qr_png(token: str, box_size: int = 10) -> bytes:
    """A PNG of the token's QR code with its quiet zone (for phones and the API)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(token)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


@functools.cache
def _run_ops() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The rectangle operator of every run: [row][start][length] (50,000 short strings)."""
    return tuple(
        tuple(tuple(f"{s} {r} {n} 1 re" for n in range(SIZE + 1)) for s in range(SIZE))
        for r in range(SIZE)
    )


def qr_path(rows: list[int]) -> str:
    """PDF path operators filling the dark modules, one rectangle per run, in module units."""
    if len(rows) != SIZE:
        table = tuple(
            tuple(
                tuple(f"{s} {r} {n} 1 re" for n in range(len(rows) + 1)) for s in range(len(rows))
            )
            for r in range(len(rows))
        )
    else:
        table = _run_ops()
    ops = []
    append = ops.append
    for r, bits in enumerate(rows):
        row_ops = table[r]
        while bits:
            low = bits & -bits
            carried = bits + low  # clears the lowest run of ones and sets the bit above it
            start = low.bit_length() - 1
            append(row_ops[start][(carried & -carried).bit_length() - 1 - start])
            bits &= carried
    return "\n".join(ops)
