"""Writing command output to a file without ever leaving half a file behind."""

from __future__ import annotations

from chainrule.files import write_atomically

__all__ = ["write_output"]


def write_output(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary file beside it, then a rename."""
    write_atomically(path, lambda stream: stream.write(text.encode("utf-8")), "'-o'")
