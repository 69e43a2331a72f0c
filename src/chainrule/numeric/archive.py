"""Reading the arrays of an ``.npz`` archive without trusting it: every entry's header and
declared size are read before anything is decompressed, so a small file that inflates to
gigabytes (or lies about its sizes) is refused having allocated nothing.

Each entry must be a ``.npy`` array of numbers or text (no pickled objects, no other files),
whose header declares a shape and dtype; the archive's total, by those headers, is at most
:data:`MAX_ARCHIVE_BYTES` and at most the memory available; and an entry's data must be
exactly as long as its header says. Only then is it read, exactly that many bytes.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from typing import IO

import numpy as np

from chainrule.errors import ModelFileError
from chainrule.numeric.memory import available_memory

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_ENTRIES", "read_arrays"]

#: The most that the arrays of one archive may hold once read.
MAX_ARCHIVE_BYTES = 1 << 30
#: The most entries an archive may have (a model has two per layer and a few more).
MAX_ENTRIES = 10_000
_HEADER_LIMIT = 10_000  # bytes of a .npy header, as numpy's own default bound


class _Refused(Exception):
    """What is wrong with the archive; the reader adds the file's name."""


def read_arrays(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive ``path``, by name (the entry's name less ``.npy``).

    Raises
    ------
    ModelFileError
        Naming the file and what is wrong, for anything but such an archive within the caps.
    """
    name = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_all(archive)
    except _Refused as refusal:
        raise ModelFileError(f"cannot load model {name!r}: {refusal}") from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        OverflowError,
    ) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelFileError(
            f"cannot load model {name!r}: the archive is truncated, corrupted or not a "
            f"model ({reason})"
        ) from None


def _read_all(archive: zipfile.ZipFile) -> dict[str, np.ndarray]:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise _Refused(f"{len(entries)} entries (at most {MAX_ENTRIES})")
    names = [_array_name(info) for info in entries]
    if len(set(names)) != len(names):
        raise _Refused("an entry appears twice (a foreign or altered file)")
    declared = sum(info.file_size for info in entries)
    _check_total(declared, "its entries declare")
    headers = [_header(archive, info) for info in entries]
    _check_total(sum(nbytes for _, _, _, nbytes in headers), "its arrays' headers declare")
    return {
        name: _array(archive, info, header)
        for name, info, header in zip(names, entries, headers, strict=True)
    }


def _array_name(info: zipfile.ZipInfo) -> str:
    if not info.filename.endswith(".npy") or info.is_dir():
        raise _Refused(f"entry {info.filename[:60]!r} is not a .npy array (a foreign file)")
    return info.filename[: -len(".npy")]


def _check_total(nbytes: int, how: str) -> None:
    cap = MAX_ARCHIVE_BYTES
    available = available_memory()
    if available is not None:
        cap = min(cap, available // 2)
    if nbytes > cap:
        raise _Refused(
            f"{how} {nbytes / (1 << 20):.4g} MiB of arrays, more than the {cap / (1 << 20):.4g} "
            f"MiB a model may hold here"
        )


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple, bool, np.dtype, int]:
    """The shape, Fortran order, dtype and data bytes that an entry's .npy header declares."""
    with archive.open(info) as member:
        shape, fortran, dtype = _read_header(member, info.filename)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes + member.tell() != info.file_size:
            raise _Refused(
                f"entry {info.filename!r} holds {info.file_size} bytes, but its header "
                f"declares {nbytes + member.tell()} (a corrupted or altered file)"
            )
    return shape, fortran, dtype, nbytes


def _read_header(member: IO[bytes], filename: str) -> tuple[tuple, bool, np.dtype]:
    try:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                member, max_header_size=_HEADER_LIMIT
            )
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                member, max_header_size=_HEADER_LIMIT
            )
    except (ValueError, TypeError, SyntaxError) as exc:
        raise _Refused(f"entry {filename!r} is not a .npy array ({exc})") from None
    if dtype.hasobject:
        raise _Refused(f"entry {filename!r} holds pickled objects, which are never loaded")
    if dtype.kind not in "biufU":
        raise _Refused(f"entry {filename!r} holds {dtype} values (only numbers and text)")
    return shape, fortran, dtype


def _array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header) -> np.ndarray:
    """The entry's array, reading exactly the bytes its header declares."""
    shape, fortran, dtype, nbytes = header
    with archive.open(info) as member:
        _read_header(member, info.filename)
        data = member.read(nbytes)
        if len(data) != nbytes or member.read(1):
            raise _Refused(f"entry {info.filename!r} is not as long as its header says")
    array = np.frombuffer(data, dtype=dtype).copy()
    return array.reshape(shape, order="F" if fortran else "C")
