"""Output paths: a regular file is written atomically, or nothing is and one line says why."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chainrule.cli import main
from chainrule.files import STALE_AFTER, write_atomically


def refusal(capsys, *argv) -> str:
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("option", ["-o", "--save"])
def test_a_device_is_never_replaced(capsys, option):
    argv = ["derive", "4", "-o"] if option == "-o" else ["train", "--epochs", "1", "--save"]
    err = refusal(capsys, *argv, "/dev/full")
    assert f"'{option}' must be a regular file" in err and "a character device" in err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("option", ["-o", "--save"])
def test_a_name_too_long_for_the_system_is_refused(capsys, tmp_path, option):
    argv = ["derive", "4", "-o"] if option == "-o" else ["train", "--epochs", "1", "--save"]
    err = refusal(capsys, *argv, tmp_path / ("1" * 3000))
    assert f"cannot write '{option}'" in err and "File name too long" in err


def test_a_folder_is_never_replaced(capsys, tmp_path):
    (tmp_path / "out").mkdir()
    assert "must name a file, not a folder" in refusal(
        capsys, "derive", "4", "-o", tmp_path / "out"
    )
    assert (tmp_path / "out").is_dir()


def test_a_named_pipe_is_never_replaced(capsys, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert "is a named pipe" in refusal(capsys, "derive", "4", "-o", tmp_path / "pipe")
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode)


def test_a_link_is_written_through_to_its_target(capsys, tmp_path):
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    assert main(["derive", "4", "-o", str(tmp_path / "link.txt")]) == 0
    assert (tmp_path / "link.txt").is_symlink()
    assert "dz/dw" in (tmp_path / "real.txt").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_link_to_a_device_is_refused(capsys, tmp_path):
    (tmp_path / "link").symlink_to("/dev/full")
    assert "is a character device" in refusal(capsys, "derive", "4", "-o", tmp_path / "link")
    assert (tmp_path / "link").is_symlink()


_SIGTERM_DURING_WRITE = """
import os, signal, sys
from chainrule.files import write_atomically

def write(stream):
    stream.write(b"half")
    os.kill(os.getpid(), signal.SIGTERM)
    stream.write(b"never")

write_atomically(sys.argv[1], write)
"""


def test_sigterm_during_a_save_removes_the_temporary_file(tmp_path):
    target = tmp_path / "m.npz"
    target.write_bytes(b"the old model")
    done = subprocess.run(
        [sys.executable, "-c", _SIGTERM_DURING_WRITE, str(target)], capture_output=True, check=False
    )
    assert done.returncode == 128 + signal.SIGTERM and b"Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
    assert target.read_bytes() == b"the old model"


def test_stale_temporary_files_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "m.npz"
    stale = tmp_path / ".m.npz.k1ll3d_9.tmp"
    young = tmp_path / ".m.npz.running.tmp"
    other = tmp_path / ".other.npz.abcdefgh.tmp"
    for path in (stale, young, other):
        path.write_bytes(b"left behind")
    old = time.time() - STALE_AFTER - 5
    for path in (stale, other):
        os.utime(path, (old, old))
    young_name = tmp_path / ".m.npz.abcdefgh.tmp"
    young.rename(young_name)
    write_atomically(target, lambda stream: stream.write(b"new"))
    assert target.read_bytes() == b"new"
    assert not stale.exists() and young_name.exists() and other.exists()


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path):
    target = tmp_path / "f.txt"
    target.write_text("old")

    def fail(stream):
        stream.write(b"part")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, fail)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.txt"]
