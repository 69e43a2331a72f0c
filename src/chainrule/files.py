"""Writing files atomically: a reader sees the old file or the whole new one, never a part.

Used for everything chainrule writes that someone may rely on: saved models, figures,
``-o`` output, the cache. The rules:

- Only a regular file is written. A path that names a folder, a device (``/dev/full``), a
  named pipe or a socket is refused with one line, never replaced by a file. A symbolic link
  is written through: its target is replaced atomically and the link stays.
- The new content goes to a hidden temporary file beside the target (``.NAME.XXXXXXXX.tmp``),
  is flushed to disk, then renamed over it. On any error, an interruption or SIGTERM, the
  temporary file is removed first. One that a killed process (``kill -9``) left behind is
  removed by the next save to the same name once it is :data:`STALE_AFTER` seconds old
  (younger ones may belong to a save still running).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from chainrule.errors import InputError

__all__ = ["STALE_AFTER", "check_output_path", "remove_stale_temporaries", "write_atomically"]

#: Seconds after which a temporary file of an interrupted save counts as abandoned.
STALE_AFTER = 600
_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
}


def check_output_path(path: str | os.PathLike[str], what: str) -> Path:
    """The regular file that writing to ``path`` replaces (the target, for a symbolic link)
    when one can be written there: its folder exists and it is not a folder, device, pipe or
    socket. Otherwise an InputError naming ``what`` (``"'--save'"``, ``"model file"``)."""
    given = Path(path)
    try:
        target = Path(os.path.realpath(given)) if given.is_symlink() else given
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(f"{what} must be in an existing folder (got {str(path)!r})")
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise InputError(f"cannot write {what} {str(path)!r} ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{what} must name a file, not a folder (got {str(path)!r})")
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise InputError(f"{what} must be a regular file, never replaced: {str(path)!r} is {kind}")
    return target


def write_atomically(
    path: str | os.PathLike[str], write: Callable[[IO[bytes]], object], what: str = "file"
) -> None:
    """Call ``write(stream)`` on a temporary file beside ``path`` (or beside the target of
    the link ``path``), flush it to disk, then rename it over that file.

    On any error, interruption or SIGTERM the temporary file is removed and the file is left
    as it was. An operating-system error (no permission, disk full) becomes an InputError
    naming ``what`` and the path.
    """
    target = check_output_path(path, what)
    remove_stale_temporaries(target)
    with _removing_on_sigterm():
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
            reason = exc.strerror or exc
            raise InputError(f"cannot write {what} {str(path)!r} ({reason})") from None
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def remove_stale_temporaries(target: Path, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files of earlier, killed saves to ``target`` (regular files of
    this user named as :func:`write_atomically` names them, untouched for ``older_than``
    seconds); return those removed."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    removed: list[Path] = []
    try:
        candidates = [
            entry for entry in os.scandir(target.parent or ".") if pattern.fullmatch(entry.name)
        ]
    except OSError:
        return removed
    now = time.time()
    for entry in candidates:
        try:
            info = entry.stat(follow_symlinks=False)
            if (
                stat.S_ISREG(info.st_mode)
                and info.st_uid == os.geteuid()
                and now - info.st_mtime > older_than
            ):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


class _Terminated(SystemExit):
    """SIGTERM during a write: unwinds (removing the temporary file), then exits 143."""


@contextmanager
def _removing_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into an exception for the duration of a write, so that the temporary
    file is removed before the process ends (main thread only; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise _Terminated(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _mode_for(target: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets (0o666 less the
    umask): a temporary file starts private, the result should not."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
