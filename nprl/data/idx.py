"""Reader for the IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/).

An IDX file is: two zero bytes, a type code (0x08 = unsigned byte, ...), the number of
dimensions d, then d big-endian uint32 sizes, then the data in C order (big-endian for
multi-byte types).  Files may be gzipped; the gzip magic number decides, not the name.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

# IDX type code -> NumPy dtype (big-endian where it matters).
IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot expand data by more than about 1032:1, so a .gz file of n bytes holds at
# most this many times n: a header declaring more is refused before anything is read.
MAX_GZIP_RATIO = 1100
_CHUNK = 2**20


def _open(path: Path) -> tuple[BinaryIO, int]:
    """The file's uncompressed byte stream and an upper bound on its length."""
    try:
        file = open(path, "rb")  # noqa: SIM115 (returned; read_idx closes it)
    except FileNotFoundError:
        raise ValueError(f"{path}: missing file") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot be read ({error.strerror})") from None
    size = os.fstat(file.fileno()).st_size
    if file.read(2) == GZIP_MAGIC:
        file.seek(0)
        return gzip.GzipFile(fileobj=file, mode="rb"), MAX_GZIP_RATIO * size
    file.seek(0)
    return file, size


def _read_exactly(stream: BinaryIO, path: Path, count: int, what: str) -> bytearray:
    """``count`` bytes from ``stream``, read in chunks into one preallocated buffer (never
    more than the header declared); ``ValueError`` naming the file if it ends early."""
    buffer = bytearray(count)
    view = memoryview(buffer)
    done = 0
    try:
        while done < count:
            got = stream.readinto(view[done:done + _CHUNK])
            if not got:
                raise ValueError(f"{path}: {what} ({count} bytes) but the file holds {done}; "
                                 "it is truncated")
            done += got
    except (EOFError, OSError, zlib.error) as error:
        raise ValueError(f"{path}: truncated or corrupt gzip data ({error})") from None
    return buffer


def read_idx(path) -> np.ndarray:
    """Read one IDX file (optionally gzipped) into an array.

    The header is read first and bounds everything after it: exactly the number of bytes
    it declares is read (a declared size beyond what the file could hold is refused
    before reading), then the file must end.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ndarray
        Shape given by the header, dtype by the type code (uint8 for MNIST), native
        byte order.

    Raises
    ------
    ValueError
        Naming the file: missing, unreadable, bad magic number, unknown type code,
        or a data length that does not match the header (truncated or padded).
    """
    path = Path(path)
    stream, bound = _open(path)
    with stream:
        try:
            magic = stream.read(4)
        except (EOFError, OSError, zlib.error) as error:
            raise ValueError(f"{path}: truncated or corrupt gzip data ({error})") from None
        if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
            raise ValueError(f"{path}: not an IDX file (bad magic number "
                             f"{magic.hex() or 'empty'})")
        type_code, ndim = magic[2], magic[3]
        if type_code not in IDX_TYPES:
            raise ValueError(f"{path}: unknown IDX type code 0x{type_code:02x}")
        sizes = _read_exactly(stream, path, 4 * ndim, f"header announces {ndim} dimensions")
        shape = tuple(int.from_bytes(sizes[4 * i:4 * i + 4], "big") for i in range(ndim))
        dtype = IDX_TYPES[type_code]
        expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
        if expected > bound:
            raise ValueError(
                f"{path}: header announces shape {shape} ({expected} data bytes), more than "
                f"a file of this size can hold; it is corrupt")
        data = _read_exactly(stream, path, expected, f"header announces shape {shape}")
        try:
            extra = stream.read(1)
        except (EOFError, OSError, zlib.error) as error:
            raise ValueError(f"{path}: truncated or corrupt gzip data ({error})") from None
        if extra:
            raise ValueError(f"{path}: header announces shape {shape} ({expected} data bytes) "
                             "but the file holds more; it is corrupt")
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)
