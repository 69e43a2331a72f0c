"""Writing files atomically: a reader sees the old file or the whole new one, never a part.

Used for everything chainrule writes that someone may rely on: saved models, figures.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from chainrule.errors import InputError

__all__ = ["check_output_path", "write_atomically"]


def check_output_path(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a Path when a file can be written there (its folder exists and it is not
    itself a folder); otherwise an InputError naming ``what`` (``"'--save'"``, ``"model
    file"``)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{what} must be in an existing folder (got {str(path)!r})")
    if target.is_dir():
        raise InputError(f"{what} must name a file, not a folder (got {str(path)!r})")
    return target


def write_atomically(
    path: str | os.PathLike[str], write: Callable[[IO[bytes]], object], what: str = "file"
) -> None:
    """Call ``write(stream)`` on a temporary file beside ``path``, flush it to disk, then
    rename it over ``path``.

    On any error (or interruption) the temporary file is removed and ``path`` is left as it
    was. An operating-system error (no permission, disk full) becomes an InputError naming
    ``what`` and the path.
    """
    target = check_output_path(path, what)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise InputError(f"cannot write {what} {str(path)!r} ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.chmod(temporary, _mode_for(target))
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write {what} {str(path)!r} ({exc.strerror or exc})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets (0o666 less the
    umask): a temporary file starts private, the result should not."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
