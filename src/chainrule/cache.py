"""A cache of proven derivations as rendered, so that ``chainrule derive`` need not prove the
reference set again on every run (the proofs take seconds; reading the cache milliseconds).

What is cached: the document (and the notes for standard error) that one request (the ids,
route and format of a ``chainrule derive``) rendered after every step of it was proven; a
failed proof raises before anything is stored. An entry is used only when it was written by the
same chainrule source (a hash of every module of the package), the same SymPy, the same Python
and the same cache format, and its own checksum holds; anything else (a stale, truncated,
edited or foreign file) is ignored and written again. Entries are written atomically, so the
folder is safe to delete at any time; writing one removes the entries of other sources (an
upgraded or edited chainrule), so the folder does not grow with every version.

The folder: ``$CHAINRULE_CACHE_DIR``, else ``$XDG_CACHE_HOME/chainrule``, else
``~/.cache/chainrule``. ``chainrule derive --no-cache`` neither reads nor writes it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from chainrule import __version__
from chainrule.errors import InputError
from chainrule.files import write_atomically

__all__ = ["CACHE_FORMAT", "CachedDocument", "cache_folder", "cached_document"]

#: Raised whenever the layout of an entry changes; older entries are then ignored.
CACHE_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class CachedDocument:
    """A rendered document and the notes printed beside it on standard error."""

    document: str
    notes: tuple[str, ...] = ()


def cache_folder() -> Path:
    """Where the cache lives (see the module's docstring); it may not exist yet."""
    chosen = os.environ.get("CHAINRULE_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chainrule"


@functools.cache
def _source_hash() -> str:
    """A hash of every module of chainrule, so that a changed source never reads an entry."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _sympy_version() -> str:
    try:
        return metadata.version("sympy")
    except metadata.PackageNotFoundError:
        return "unknown"


def _key(request: Sequence[str]) -> str:
    """The entry's name: a hash of the request and of everything its document depends on."""
    identity = [
        CACHE_FORMAT,
        __version__,
        _source_hash(),
        _sympy_version(),
        sys.version,
        list(request),
    ]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()


def _checksum(document: str, notes: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps([document, list(notes)]).encode()).hexdigest()


def _read(path: Path, key: str) -> CachedDocument | None:
    """The entry at ``path`` if it is whole and written for ``key``; None otherwise."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        document, notes = entry["document"], tuple(entry["notes"])
        valid = (
            entry["format"] == CACHE_FORMAT
            and entry["key"] == key
            and entry["checksum"] == _checksum(document, notes)
            and isinstance(document, str)
            and all(isinstance(note, str) for note in notes)
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return CachedDocument(document, notes) if valid else None


def _entry_path(key: str) -> Path:
    """Where the entry ``key`` lives: named by the source that wrote it, then by its key."""
    return cache_folder() / f"derive-{_source_hash()[:12]}-{key[:32]}.json"


def _remove_other_sources(folder: Path) -> None:
    """Remove the entries that another chainrule source wrote: they can never be read."""
    mine = f"derive-{_source_hash()[:12]}-"
    for path in folder.glob("derive-*.json"):
        if not path.name.startswith(mine):
            path.unlink(missing_ok=True)


def _write(path: Path, key: str, cached: CachedDocument) -> None:
    """Store ``cached`` at ``path``; a folder that cannot be written just means no cache."""
    entry = {
        "format": CACHE_FORMAT,
        "key": key,
        "checksum": _checksum(cached.document, cached.notes),
        "notes": list(cached.notes),
        "document": cached.document,
    }
    data = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda stream: stream.write(data), "cache entry")
        _remove_other_sources(path.parent)
    except (OSError, InputError):
        pass


def cached_document(
    request: Sequence[str], make: Callable[[], CachedDocument], *, use_cache: bool = True
) -> CachedDocument:
    """The document that ``make()`` renders for ``request``, from the cache when it holds a
    valid entry (then ``make`` is not called), else made and stored."""
    if not use_cache:
        return make()
    key = _key(request)
    path = _entry_path(key)
    found = _read(path, key)
    if found is not None:
        return found
    made = make()
    _write(path, key, made)
    return made
